"""Anomaly mode: find the op where a non-finite number first appears, forward or backward.

The non-finite policy. weightgrad follows IEEE 754, as PyTorch does: 1/0 is inf, 0/0 and
log(-1) are nan, log(0) is -inf, exp(1000) is inf, and gradients follow the same rules
(d log(x)/dx at 0 is inf, d sqrt(x)/dx at 0 is inf). Nothing raises by default: a bad number
travels through the graph as inf or nan, exactly as in PyTorch, and shows up in the result or
in the gradients.

By the time a nan reaches the loss, the op that made it is usually far away. Under
`detect_anomaly()`, as under torch.autograd.detect_anomaly, `backward()` finds it:

1. Forward: it scans every value in topological order (parents before children) and raises
   `AnomalyError` at the first non-finite one. Since its parents come before it and are
   finite, that node is where the bad number was made:
   ``forward: n3 = log(x) gave -inf from x = 0``; or, if it was given as an input,
   ``forward: input x is nan (used by n1 = x * w)``.
2. Backward: it runs backprop one chain-rule step at a time (each node's op's `local`, no fast
   paths) and raises at the first step after which a gradient is non-finite, naming that node,
   the op, the gradient flowing in and the local derivative:
   ``backward: x.grad became inf from n1.grad * (1/x) = 1 / 1e-320 at node n1 = log(x)``.

Names are those of `explain` and `draw_graph` (`engine.names.node_names`): a node's label,
else n1, n2, ... in forward order; a constant (an unlabelled leaf) is shown by its value.
On a finite graph the checked backward gives exactly the gradients `backward()` gives (same
order of accumulation); it is several times slower, which is why it is a mode. When it raises,
the gradients filled so far are left as they are, as in PyTorch.

`find_nonfinite(root)` is the forward scan alone, usable without backward.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import autograd
from .autograd import accumulation_order, topological_order
from .names import fmt, is_parameter, node_names
from .value import Value


class AnomalyError(ArithmeticError):
    """A non-finite value or gradient found under `detect_anomaly()`; the message names its
    node, op and operands. `.phase` is "forward" or "backward", `.node` the node whose value
    (forward) or gradient (backward) is non-finite."""

    def __init__(self, message: str, phase: str, node: Value) -> None:
        super().__init__(message)
        self.phase = phase
        self.node = node


@contextmanager
def detect_anomaly(enabled: bool = True) -> Iterator[None]:
    """Check every `backward()` inside the block (or decorated function) for non-finite
    values and gradients, raising `AnomalyError` at the first. Nests; `enabled=False` turns
    the mode off inside an enclosing one. The previous mode is restored on exit, also when
    the block raises. Per thread, as PyTorch's."""
    previous = autograd.modes.anomaly
    autograd.modes.anomaly = bool(enabled)
    try:
        yield
    finally:
        autograd.modes.anomaly = previous


def is_anomaly_enabled() -> bool:
    """Whether this thread's `backward()` calls check for non-finite numbers."""
    return autograd.modes.anomaly


# -- messages ---------------------------------------------------------------------------

class _Names:
    """Node names as `explain` gives them, computed only when a message needs them."""

    def __init__(self, order: list[Value]) -> None:
        self.order = order
        self._names: dict[int, str] | None = None

    def __call__(self, v: Value) -> str:
        if self._names is None:
            self._names = node_names(self.order)
        return self._names[id(v)]

    def operand(self, v: Value) -> str:
        """`x = 0` for a named node, `constant 0` for an unlabelled leaf."""
        if v.is_leaf and not v.label:
            return f"constant {fmt(v.data)}"
        return f"{self(v)} = {fmt(v.data)}"

    def grad_of(self, v: Value) -> str:
        return f"grad of constant {fmt(v.data)}" if v.is_leaf and not v.label \
            else f"{self(v)}.grad"

    def computation(self, v: Value) -> str:
        """`n1 = log(x)`: the node and the expression that computed it."""
        return f"{self(v)} = {v.op.expression([self(p) for p in v.parents])}"


def _distinct(values: tuple[Value, ...]) -> list[Value]:
    return list({id(v): v for v in values}.values())


def _forward_problem(order: list[Value]) -> tuple[str, Value] | None:
    for node in order:
        if node.data - node.data == 0.0:  # finite (inf - inf and nan - nan are nan)
            continue
        names = _Names(order)
        if node.is_leaf:
            if node.label:
                what = "parameter" if is_parameter(node) else "input"
                message = f"forward: {what} {names(node)} is {fmt(node.data)}"
            else:
                message = f"forward: a constant is {fmt(node.data)}"
            user = next((v for v in order if any(p is node for p in v.parents)), None)
            if user is not None:
                message += f" (used by {names.computation(user)})"
            return message, node
        operands = ", ".join(names.operand(p) for p in _distinct(node.parents))
        return (f"forward: {names.computation(node)} gave {fmt(node.data)} from {operands}",
                node)
    return None


def find_nonfinite(root: Value) -> str | None:
    """Where the first non-finite value behind `root` comes from, as a one-line message
    (the forward half of anomaly mode); None when every value is finite. Needs no backward
    and changes nothing."""
    problem = _forward_problem(topological_order(root))
    return None if problem is None else problem[0]


# -- the checked backward ---------------------------------------------------------------

def checked_backward(root: Value) -> None:
    """`autograd.backward` with every value and gradient checked (see the module docstring).

    Same semantics: intermediates start from zero, leaves accumulate. Raises AnomalyError at
    the first non-finite forward value, else at the first gradient that becomes non-finite.
    """
    order = topological_order(root)  # one walk: the scan, the names and the backward
    problem = _forward_problem(order)
    if problem is not None:
        message, culprit = problem
        raise AnomalyError(message, "forward", culprit)
    names = _Names(order)
    if root._a is None:
        root.grad += 1.0
        _check_leaf_total(root, names)
        return
    computed = [node for node in order if not node.is_leaf]
    for node in computed:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(computed):
        g = node.grad
        parents = node.parents
        gains = node.op.chain(g, node.data, *[p.data for p in parents])
        for i in accumulation_order(node):
            parent, gained = parents[i], gains[i]
            before = parent.grad
            parent.grad = total = before + gained
            if total - total != 0.0:
                raise AnomalyError(_backward_message(names, node, parent, i, g, gained,
                                                     before), "backward", parent)


def _check_leaf_total(leaf: Value, names: _Names) -> None:
    # backward() on a leaf only adds 1 to its gradient: the one thing that can go wrong is
    # a gradient already non-finite from earlier calls.
    if leaf.grad - leaf.grad != 0.0:
        raise AnomalyError(f"backward: {names.grad_of(leaf)} became {fmt(leaf.grad)} adding "
                           f"1 (d{names(leaf)}/d{names(leaf)}) to {fmt(leaf.grad - 1.0)} from "
                           "earlier backward() calls (leaves accumulate: zero_grad() first)",
                           "backward", leaf)


def _backward_message(names: _Names, node: Value, parent: Value, i: int, g: float,
                      gained: float, before: float) -> str:
    parents = node.parents
    formula = node.op.local_text([names(p) for p in parents], names(node))[i]
    arithmetic = node.op.chain_text(g, node.data, *[p.data for p in parents], fmt=fmt)[i]
    text = (f"backward: {names.grad_of(parent)} became {fmt(parent.grad)} from "
            f"{names(node)}.grad * {formula} = {arithmetic}")
    if before != 0.0:
        text += f" = {fmt(gained)}, added to {fmt(before)}"
        if before - before != 0.0:
            text += " already non-finite from earlier backward() calls (leaves accumulate)"
    return text + f" at node {names.computation(node)}"
