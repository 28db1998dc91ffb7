"""The scalar `Value`: a number that remembers how it was computed.

Each op creates one new Value that records its op and its parents, in order and with
duplicates (`a + a` has two parent edges), so the graph can be walked, drawn and explained.
A Value holds no closure and no reference to its children, only to its parents: the graph is
a DAG of plain references with no cycles, so dropping it frees it at once, without Python's
cyclic garbage collector (the cost that dominates micrograd's training step).
"""

from __future__ import annotations

from numbers import Real
from typing import TypeAlias

from engine import autograd, ops
from engine.ops import Op

Number: TypeAlias = "int | float"
Operand: TypeAlias = "Value | int | float"


def _to_float(x: object, what: str) -> float:
    """The float of a real number; TypeError naming anything else (str, None, complex, ...)."""
    if type(x) is float:
        return x
    if isinstance(x, Real):
        return float(x)
    raise TypeError(f"{what} must be a real number or a Value, got {type(x).__name__}: {x!r}")


class Value:
    """A scalar in a computation graph: `.data`, `.grad` (0.0 until backward) and `.label`."""

    __slots__ = ("_op", "_prev", "data", "grad", "label")

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _to_float(data, "Value data")
        self.grad = 0.0
        self.label = label
        self._op: Op | None = None
        self._prev: tuple[Value, ...] = ()

    @property
    def op(self) -> Op | None:
        """The op that produced this Value; None for a leaf (an input, weight or constant)."""
        return self._op

    @property
    def parents(self) -> tuple[Value, ...]:
        """The operands, in order, duplicates kept; empty for a leaf."""
        return self._prev

    @property
    def is_leaf(self) -> bool:
        return not self._prev

    def __repr__(self) -> str:
        label = f"{self.label!r}, " if self.label else ""
        return f"Value({label}data={self.data:.6g}, grad={self.grad:.6g})"

    def backward(self) -> None:
        """Fill `.grad` on every node this Value depends on (d self / d node)."""
        autograd.backward(self)

    # -- ops: each is one catalogue entry from engine.ops applied to Values ---------------

    def __add__(self, other: Operand) -> Value:
        return apply(ops.ADD, self, other)

    def __radd__(self, other: Operand) -> Value:
        return apply(ops.ADD, other, self)

    def __sub__(self, other: Operand) -> Value:
        return apply(ops.SUB, self, other)

    def __rsub__(self, other: Operand) -> Value:
        return apply(ops.SUB, other, self)

    def __mul__(self, other: Operand) -> Value:
        return apply(ops.MUL, self, other)

    def __rmul__(self, other: Operand) -> Value:
        return apply(ops.MUL, other, self)

    def __truediv__(self, other: Operand) -> Value:
        return apply(ops.DIV, self, other)

    def __rtruediv__(self, other: Operand) -> Value:
        return apply(ops.DIV, other, self)

    def __pow__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return apply(ops.POW, self, other)
        # A plain-number exponent is part of the op ("**2"), not a node with a gradient.
        return apply(ops.powc(_to_float(other, "exponent")), self)

    def __rpow__(self, other: Operand) -> Value:
        return apply(ops.POW, other, self)

    def __neg__(self) -> Value:
        return apply(ops.NEG, self)

    def __pos__(self) -> Value:
        return self

    def exp(self) -> Value:
        return apply(ops.EXP, self)

    def log(self) -> Value:
        return apply(ops.LOG, self)

    def tanh(self) -> Value:
        return apply(ops.TANH, self)

    def relu(self) -> Value:
        return apply(ops.RELU, self)

    def sigmoid(self) -> Value:
        return apply(ops.SIGMOID, self)


def apply(op: Op, *operands: Operand) -> Value:
    """Compute `op` on the operands and record the result's parents (unless under no_grad).

    Plain numbers become constant leaves. Anything else is a TypeError naming it, raised here
    rather than by returning NotImplemented: for `v * "ab"` Python would otherwise try string
    repetition and complain about the Value instead of the string.
    """
    parents = []
    for x in operands:
        if type(x) is not Value:
            if isinstance(x, Value):
                pass
            elif isinstance(x, Real):
                x = Value(x)
            else:
                raise TypeError(f"{op.name}: operands must be Values or real numbers, "
                                f"got {type(x).__name__}: {x!r}")
        parents.append(x)
    out = Value.__new__(Value)
    out.data = op.forward(*[p.data for p in parents])
    out.grad = 0.0
    out.label = ""
    if autograd.grad_enabled:
        out._op = op
        out._prev = tuple(parents)
    else:
        out._op = None
        out._prev = ()
    return out
