"""The scalar `Value`: a number that remembers how it was computed.

Each op creates one new Value that records its op and its parents, in order and with
duplicates (`a + a` has two parent edges), so the graph can be walked, drawn and explained.
A Value holds no closure and no reference to its children, only to its parents: the graph is
a DAG of plain references with no cycles, so dropping it frees it at once, without Python's
cyclic garbage collector (the cost that dominates micrograd's training step).

Layout, chosen for memory (about 100 bytes a node, a seventh of micrograd's): the parents live
in two slots instead of a tuple. A leaf has `_a = _b = None`; a unary result has its operand
in `_a`; a binary one has `_a` and `_b`. A fused weighted sum keeps its weights and bias in a
tuple in `_a` and its inputs in a tuple in `_b` (one tuple shared by every neuron of a layer);
over plain numbers, `_b` holds the numbers and the parents are the weights and bias alone
(`ops.weighted_sum_of`).
`parents` turns any of these into one tuple.
"""

from __future__ import annotations

import re
from numbers import Real
from typing import TypeAlias

from . import autograd, ops
from .floats import digits
from .ops import Op

Number: TypeAlias = "int | float"
Operand: TypeAlias = "Value | int | float"


def _to_float(x: object, what: str) -> float:
    """The float of a real number; TypeError naming anything else (str, None, complex, ...)."""
    if type(x) is float:
        return x
    if isinstance(x, Real):
        try:
            return float(x)
        except OverflowError:
            size = f"an integer of {digits(x)} digits" if isinstance(x, int) else f"{x!r:.60}"
            raise OverflowError(f"{what} is {size}, too large for a float (at most about "
                                "1.8e308)") from None
    raise TypeError(f"{what} must be a real number or a Value, got {type(x).__name__}: {x!r}")


def check_label(label: object, what: str = "Value label") -> str:
    """`label` if it is text every view can show; TypeError for a non-str, ValueError for a
    character that no picture, page or terminal can carry as text: a control character
    (U+0000-U+001F, U+007F-U+009F: line breaks and escape sequences included), a lone
    surrogate (it cannot be written as UTF-8 at all) or U+FFFE/U+FFFF (not allowed in XML)."""
    if type(label) is not str:
        if isinstance(label, str):  # a str subclass: its own methods could lie to the views
            return check_label(str(label), what)
        raise TypeError(f"{what} must be a str, got {type(label).__name__}: {label!r:.60}")
    bad = _UNPRINTABLE.search(label)
    if bad:
        raise ValueError(f"{what} {label!r:.80} has the character U+{ord(bad[0]):04X} at "
                         f"position {bad.start()}; it must be printable text (no control "
                         "characters, no lone surrogates)")
    return label


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class Value:
    """A scalar in a computation graph: `.data`, `.grad` (0.0 until backward) and `.label`."""

    __slots__ = ("_a", "_b", "_op", "data", "grad", "label")

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _to_float(data, "Value data")
        self.grad = 0.0
        self.label = label if type(label) is str and not label else check_label(label)
        self._op: Op | None = None
        self._a: Value | tuple[Value, ...] | None = None
        self._b: Value | None = None

    @property
    def op(self) -> Op | None:
        """The op that produced this Value; None for a leaf (an input, weight or constant)."""
        op = self._op
        if op is ops.WSUMC:  # a Σ over numbers: the member of its family holding them
            return ops.weighted_sum_of(self._b)  # type: ignore[arg-type]
        return op

    @property
    def parents(self) -> tuple[Value, ...]:
        """The operands, in order, duplicates kept; empty for a leaf."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is None:
            return (a,)
        if type(b) is tuple:  # fused Σ: weights, inputs, bias (over numbers: weights, bias)
            return a if self._op is ops.WSUMC else (*a[:-1], *b, a[-1])
        return (a, b)

    @property
    def is_leaf(self) -> bool:
        return self._a is None

    def __repr__(self) -> str:
        label = f"{self.label!r}, " if self.label else ""
        return f"Value({label}data={self.data:.6g}, grad={self.grad:.6g})"

    def backward(self) -> None:
        """Fill `.grad` on every node this Value depends on (d self / d node)."""
        autograd.backward(self)

    def __bool__(self) -> bool:
        """The truth of `.data`, as PyTorch gives for a one-element tensor: False for 0.0
        (and -0.0), True otherwise, nan included (`if loss:` means `if loss.data != 0:`)."""
        return self.data != 0.0

    # -- ops: each is one catalogue entry from engine.ops applied to Values ---------------
    # + and * are written out, and -, neg and the unary methods skip `apply`'s generality:
    # they are most of every graph, and each saved call is a saved microsecond per node.

    def __add__(self, other: Operand) -> Value:
        if type(other) is not Value:
            other = _operand(other, ops.ADD)
        out = _new(Value)
        out.data = self.data + other.data
        out.grad = 0.0
        out.label = ""
        if autograd.everyone_records or autograd.modes.grad:
            out._op, out._a, out._b = ops.ADD, self, other
        else:
            out._op = out._a = out._b = None
        return out

    def __mul__(self, other: Operand) -> Value:
        if type(other) is not Value:
            other = _operand(other, ops.MUL)
        out = _new(Value)
        out.data = self.data * other.data
        out.grad = 0.0
        out.label = ""
        if autograd.everyone_records or autograd.modes.grad:
            out._op, out._a, out._b = ops.MUL, self, other
        else:
            out._op = out._a = out._b = None
        return out

    def __radd__(self, other: Operand) -> Value:
        return apply(ops.ADD, other, self)

    def __sub__(self, other: Operand) -> Value:
        # Not through apply, whose generality cost 3% of a digits epoch (cross-entropy
        # subtracts the largest logit from every logit: make bench).
        if type(other) is not Value:
            other = _operand(other, ops.SUB)
        return _record(self.data - other.data, ops.SUB, self, other)

    def __rsub__(self, other: Operand) -> Value:
        return apply(ops.SUB, other, self)

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
        return _record(ops.NEG.forward(self.data), ops.NEG, self, None)

    def __pos__(self) -> Value:
        return self

    # v.relu(), v.leaky_relu(0.1), ...: one method per function op of the catalogue, made by
    # engine.methods and kept in step with the catalogue by ops.subscribe.


_new = Value.__new__


def _operand(x: object, op: Op) -> Value:
    """A Value for an operand: itself, a constant leaf for a number, else a TypeError.

    Raised here rather than by returning NotImplemented: for `v * "ab"` Python would
    otherwise try string repetition and complain about the Value instead of the string.
    """
    if isinstance(x, Value):
        return x
    if type(x) is float or type(x) is int or isinstance(x, Real):  # the ABC check is slow
        return Value(x)
    raise TypeError(f"{op.name}: operands must be Values or real numbers, "
                    f"got {type(x).__name__}: {x!r}")


def _record(data: float, op: Op, a: object, b: Value | None) -> Value:
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if autograd.everyone_records or autograd.modes.grad:
        out._op, out._a, out._b = op, a, b
    else:
        out._op = out._a = out._b = None
    return out


def apply(op: Op, *operands: Operand) -> Value:
    """Compute `op` on the operands and record the result's parents (unless under no_grad).

    Plain numbers become constant leaves; anything else is a TypeError naming it.
    """
    if op is ops.WSUM:  # operands w_1..w_n, x_1..x_n, b
        from .fused import weighted_sum  # fused.py builds on this module

        n = len(operands) // 2
        return weighted_sum(operands[:n], operands[n:2 * n], operands[-1])  # type: ignore[arg-type]
    if op.family is ops.weighted_sum_of:  # operands w_1..w_n, b; the numbers are the op's
        from .fused import weighted_sums

        parents = [x if type(x) is Value else _operand(x, op) for x in operands]
        return weighted_sums([tuple(parents)], op.constants)[0]
    if len(operands) == 1:  # an activation (nn's modules): no lists to build
        x = operands[0]
        if type(x) is not Value:
            x = _operand(x, op)
        return _record(op.forward(x.data), op, x, None)
    parents = [x if type(x) is Value else _operand(x, op) for x in operands]
    data = op.forward(*[p.data for p in parents])
    if len(parents) == 2:
        return _record(data, op, parents[0], parents[1])
    raise ValueError(f"{op.name}: ops take one or two operands, got {len(parents)}")


# Value's catalogue methods (v.exp(), ...): last, since engine.methods builds on this module.
from . import methods  # noqa: E402, F401
