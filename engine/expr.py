"""The expression language of `weightgrad explain`, read by an allow-list, never by Python.

`engine.expr_parse` reads the text into a syntax tree (numbers, names, + - * / **, calls of
the op catalogue's functions; anything else is an `ExprError` naming its column); this module
turns the tree into Values, one leaf per distinct name, so that `explain` and the playground
show the expression's graph. Both walks are iterative: `x+x+...+x` nests 5000 deep.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping

from . import ops
from .expr_parse import (  # noqa: F401  (the language's names, as engine.expr gave them)
    MAX_DEPTH,
    MAX_LENGTH,
    NAME,
    NUMBER,
    Binary,
    Call,
    ExprError,
    Name,
    Node,
    Num,
    Unary,
    parse,
)
from .value import Value, apply

_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
               "**": operator.pow}


def _operands(node: Node) -> tuple[Node, ...]:
    """The children that become Values: a literal exponent stays a number (the `**2` op)."""
    if isinstance(node, Binary):
        literal = node.op == "**" and isinstance(node.right, Num)
        return (node.left,) if literal else (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Call):
        return (node.arg,) if node.arg2 is None else (node.arg, node.arg2)
    return ()


def _postorder(node: Node) -> Iterator[Node]:
    """Every node after its operands, left to right; iterative, as x+x+...+x nests 5000 deep."""
    stack = [(node, False)]
    while stack:
        n, ready = stack.pop()
        if ready or not _operands(n):
            yield n
        else:
            stack += [(n, True), *((c, False) for c in reversed(_operands(n)))]


def names(node: Node) -> list[str]:
    """The variable names in `node`, each once, in order of first appearance (left to right)."""
    return list(dict.fromkeys(n.name for n in _postorder(node) if isinstance(n, Name)))


def _function(name: str) -> ops.Op:
    """The catalogue's function op `name`; ExprError if there is none (any more)."""
    op = ops.functions().get(name)
    if op is None:
        raise ExprError(f"unknown function {name!r} (known: {', '.join(ops.functions())})")
    return op


def _combine(node: Node, args: list[Value], leaves: dict[str, Value]) -> Value:
    if isinstance(node, Num):
        return Value(node.value)
    if isinstance(node, Name):
        return leaves[node.name]
    if isinstance(node, Unary):
        return -args[0] if node.op == "-" else args[0]
    if isinstance(node, Call):
        return apply(_function(node.func), *args)
    if len(args) == 1:
        return args[0] ** node.right.value  # Value ** float: the engine's "**c" op
    return _ARITHMETIC[node.op](*args)


def build(node: Node, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """(root, {name: leaf}): one leaf per distinct name, so a name used twice accumulates its
    gradient; the root is labelled "out" unless the expression is a single name."""
    order = names(node)
    missing = [n for n in order if n not in values]
    if missing:
        raise ExprError(f"missing value{'s' * (len(missing) > 1)} for {', '.join(missing)}")
    leaves = {n: Value(values[n], label=n) for n in order}
    done: list[Value] = []
    for n in _postorder(node):
        first = len(done) - len(_operands(n))
        args = done[first:]
        del done[first:]
        done.append(_combine(n, args, leaves))
    root = done.pop()
    if not any(root is leaf for leaf in leaves.values()):
        root.label = "out"
    return root, leaves


def evaluate(text: str, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """Parse and build `text`; `values` must name exactly its variables (an extra is a typo)."""
    node = parse(text)
    order = names(node)
    known = set(order)
    unknown = [repr(n) for n in values if n not in known]
    if unknown:
        raise ExprError(f"unknown name{'s' * (len(unknown) > 1)} {', '.join(unknown)} (not in "
                        f"the expression, which uses {', '.join(order) or 'no names'})")
    return build(node, values)
