"""How the views name a graph's nodes, print its numbers and size up a graph, all alike.

`draw_graph`, `explain`, anomaly mode's messages and the CLI all call a node by the same
name (its label; a constant by its value; else n1, n2, ... in topological order), print a
number the same way and refuse the same graphs. Kept apart from the pictures so that the core
(anomaly mode) and explain's table name nodes without importing Graphviz.
"""

from __future__ import annotations

from collections.abc import Collection

from .value import Value, check_label

MAX_NODES = 2000  # Values per picture; past this a drawing is unreadable and slow to lay out


class GraphTooLarge(ValueError):
    """The graph has more Values than a picture can show; the message names the limit."""


def check_root(root: object, who: str) -> Value:
    if not isinstance(root, Value):
        raise TypeError(f"{who}: root must be a Value, got {type(root).__name__}")
    return root


def check_size(order: list[Value], max_nodes: int = MAX_NODES) -> list[Value]:
    if len(order) > max_nodes:
        raise GraphTooLarge(f"graph has {len(order)} Values; a picture shows at most "
                            f"{max_nodes} (raise max_nodes=... or draw a smaller part)")
    return order


def fmt(x: float) -> str:
    """A number as the pictures and narration print it: up to 6 significant digits."""
    return f"{x:.6g}"


def node_names(order: list[Value]) -> dict[int, str]:
    """A name per node (by id): its label; a constant's value; else n1, n2, ... in order,
    skipping any name a label already has (`n1*x + n2` with leaves named n1 and n2 gets n3,
    n4, ...), so a generated name never reads as a user's. Every label is checked here too
    (`value.check_label`), since `.label` can be set after the Value was made."""
    taken = {check_label(v.label, "a Value's label") for v in order if v.label}
    names: dict[int, str] = {}
    count = 0
    for v in order:
        if v.label:
            names[id(v)] = v.label
        elif v.is_leaf:
            names[id(v)] = fmt(v.data)
        else:
            count += 1
            while f"n{count}" in taken:
                count += 1
            names[id(v)] = f"n{count}"
    return names


def is_parameter(v: Value) -> bool:
    """A weight or bias: a Value with a `requires_grad` flag (nn's Parameter)."""
    return hasattr(v, "requires_grad")


def kind(v: Value, root: Value, params: Collection[int] | None = None) -> str:
    """What a node is to the reader: output, parameter, intermediate, input or constant.
    Parameters are nn's Parameters, or, when `params` (ids) is given, exactly those."""
    if v is root:
        return "output"
    if not v.is_leaf:
        return "intermediate"
    if (params is not None and id(v) in params) or (params is None and is_parameter(v)):
        return "parameter"
    return "input" if v.label or is_parameter(v) else "constant"
