"""Value: construction, labels, repr, operand types, and what happens at the numeric edges."""

from __future__ import annotations

import math
import operator
from fractions import Fraction

import pytest

from weightgrad.engine import Value


@pytest.mark.parametrize("bad", ["3", None, [1.0], 1 + 2j, {"a": 1}])
def test_value_refuses_non_numbers_naming_them(bad: object) -> None:
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("good", [3, 2.5, True, Fraction(1, 4)])
def test_value_accepts_real_numbers(good: object) -> None:
    assert Value(good).data == float(good)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["x", None, [1], 1j])
@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv,
                                operator.pow], ids=lambda f: f.__name__)
def test_operators_refuse_non_numbers_on_either_side(op, bad: object) -> None:  # type: ignore[no-untyped-def]
    v = Value(2.0)
    with pytest.raises(TypeError, match=type(bad).__name__):
        op(v, bad)
    with pytest.raises(TypeError, match=type(bad).__name__):
        op(bad, v)


def test_repr_shows_label_data_and_grad() -> None:
    w = Value(0.7, "w1")
    assert repr(w) == "Value('w1', data=0.7, grad=0)"
    (w * 5).backward()
    assert repr(w) == "Value('w1', data=0.7, grad=5)"
    assert repr(Value(-2.5)) == "Value(data=-2.5, grad=0)"


def test_parents_are_kept_in_order_with_duplicates() -> None:
    a, b = Value(1.0, "a"), Value(2.0, "b")
    assert (a - b).parents == (a, b)
    assert (b - a).parents == (b, a)
    doubled = a + a
    assert doubled.parents == (a, a)
    assert doubled.op.symbol == "+"
    assert a.is_leaf and not doubled.is_leaf and a.op is None


def test_numbers_become_constant_leaves() -> None:
    a = Value(3.0)
    s = 2 + a
    assert s.parents[1] is a and s.parents[0].data == 2.0 and s.parents[0].is_leaf
    p = a ** 2  # a plain exponent belongs to the op: one parent, no gradient for the 2
    assert p.parents == (a,) and p.op.symbol == "**2"


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e308, -1e308])
def test_tanh_and_sigmoid_are_stable_far_out(x: float) -> None:
    for f in (Value.tanh, Value.sigmoid):
        v = Value(x)
        out = f(v)
        out.backward()
        assert math.isfinite(out.data) and math.isfinite(v.grad), (f.__name__, x)
    assert Value(1000.0).sigmoid().data == 1.0 and Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).tanh().data == 1.0 and Value(-1000.0).tanh().data == -1.0


# Policy (README "Numbers at the edges"): IEEE 754 results as PyTorch gives them, never a
# Python exception and never a finite-looking wrong gradient.
@pytest.mark.parametrize(("make", "value", "grads"), [
    (lambda x: x.log(), ("x", 0.0), (-math.inf, [math.inf])),
    (lambda x: x.log(), ("x", -1.0), (math.nan, [-1.0])),
    (lambda x: x ** -1, ("x", 0.0), (math.inf, [-math.inf])),
    (lambda x: 1 / x, ("x", 0.0), (math.inf, [-math.inf])),
    (lambda x: x / x, ("x", 0.0), (math.nan, [math.nan])),
    (lambda x: x.exp(), ("x", 1000.0), (math.inf, [math.inf])),
    (lambda x: x ** 0.5, ("x", 0.0), (0.0, [math.inf])),
    (lambda x: x ** 0, ("x", 0.0), (1.0, [0.0])),
])
def test_edges_follow_ieee(make, value, grads) -> None:  # type: ignore[no-untyped-def]
    x = Value(value[1], value[0])
    out = make(x)
    out.backward()
    expected_out, expected_grads = grads
    assert _same(out.data, expected_out)
    assert _same(x.grad, expected_grads[0])


def test_negative_base_with_value_exponent() -> None:
    # (-2) ** 3 is a real number; its slope in the exponent is not (ln of a negative): nan.
    base, exponent = Value(-2.0), Value(3.0)
    out = base ** exponent
    out.backward()
    assert out.data == -8.0 and base.grad == 12.0 and math.isnan(exponent.grad)
    # a non-integer exponent has no real result at all
    assert math.isnan((Value(-8.0) ** Value(1 / 3)).data)
    # 0 ** b for b >= 0: PyTorch's one-sided slope 0 in the exponent, not 0 * -inf = nan
    zero, b = Value(0.0), Value(2.0)
    (zero ** b).backward()
    assert zero.grad == 0.0 and b.grad == 0.0


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_relu_of_nan_is_nan_as_in_pytorch() -> None:
    x = Value(math.nan)
    assert math.isnan(x.relu().data)
    assert Value(-0.0).relu().data == 0.0 and Value(2.0).relu().data == 2.0
