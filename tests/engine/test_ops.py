"""The op catalogue: every op's value against a float reference and its gradient against
central differences. Inputs stay away from poles (log 0, 1/0) and kinks (relu at 0).
Adding an op to engine/ops.py means adding one line to CATALOGUE."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weightgrad.engine import Value, gradcheck
from weightgrad.engine import ops as O
from weightgrad.engine.value import apply

ANY = st.floats(-4.0, 4.0)
POSITIVE = st.floats(0.1, 4.0)
AWAY_FROM_ZERO = st.one_of(st.floats(-4.0, -0.1), st.floats(0.1, 4.0))


def py_sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass
class Case:
    name: str
    f: Callable[..., Value]  # on Values
    ref: Callable[..., float]  # the same on floats, with Python's math
    args: tuple[st.SearchStrategy[float], ...]


CATALOGUE = [
    Case("add", lambda a, b: a + b, lambda a, b: a + b, (ANY, ANY)),
    Case("add number", lambda a: 2.5 + a, lambda a: 2.5 + a, (ANY,)),
    Case("sub", lambda a, b: a - b, lambda a, b: a - b, (ANY, ANY)),
    Case("sub from number", lambda a: 1.5 - a, lambda a: 1.5 - a, (ANY,)),
    Case("mul", lambda a, b: a * b, lambda a, b: a * b, (ANY, ANY)),
    Case("mul number", lambda a: a * -3, lambda a: a * -3, (ANY,)),
    Case("div", lambda a, b: a / b, lambda a, b: a / b, (ANY, AWAY_FROM_ZERO)),
    Case("number div", lambda a: 2 / a, lambda a: 2 / a, (AWAY_FROM_ZERO,)),
    Case("neg", lambda a: -a, lambda a: -a, (ANY,)),
    Case("pow Value", lambda a, b: a ** b, lambda a, b: a ** b, (POSITIVE, ANY)),
    Case("pow 2", lambda a: a ** 2, lambda a: a ** 2, (ANY,)),
    Case("pow 3", lambda a: a ** 3, lambda a: a ** 3, (ANY,)),
    Case("pow -1", lambda a: a ** -1, lambda a: a ** -1, (AWAY_FROM_ZERO,)),
    Case("pow 0.5", lambda a: a ** 0.5, lambda a: a ** 0.5, (POSITIVE,)),
    Case("number pow", lambda a: 2 ** a, lambda a: 2 ** a, (ANY,)),
    Case("exp", lambda a: a.exp(), math.exp, (ANY,)),
    Case("log", lambda a: a.log(), math.log, (POSITIVE,)),
    Case("tanh", lambda a: a.tanh(), math.tanh, (ANY,)),
    Case("relu", lambda a: a.relu(), lambda a: max(a, 0.0), (AWAY_FROM_ZERO,)),
    Case("sigmoid", lambda a: a.sigmoid(), py_sigmoid, (ANY,)),
    Case("wsum", lambda w1, w2, x1, x2, b: apply(O.WSUM, w1, w2, x1, x2, b),
         lambda w1, w2, x1, x2, b: b + w1 * x1 + w2 * x2, (ANY,) * 5),
]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.name)
def test_value_matches_float_reference(case: Case) -> None:
    @given(st.tuples(*case.args))
    def check(xs: tuple[float, ...]) -> None:
        got = case.f(*[Value(x) for x in xs]).data
        assert close(got, case.ref(*xs)), (xs, got, case.ref(*xs))

    check()


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.name)
def test_gradient_matches_central_differences(case: Case) -> None:
    @given(st.tuples(*case.args))
    def check(xs: tuple[float, ...]) -> None:
        assert gradcheck(case.f, list(xs))

    check()


def test_every_op_in_the_catalogue_is_tested() -> None:
    tested = {case.f(*[Value(0.5)] * len(case.args)).op.name for case in CATALOGUE}
    defined = {op.name for op in vars(O).values() if isinstance(op, O.Op)}
    assert defined <= tested, f"ops without a catalogue line: {defined - tested}"


# -- quotients: the incoming gradient is divided, never multiplied by an overflowed 1/b -------

def test_log_of_a_subnormal_with_a_small_gradient_is_finite() -> None:
    # The review's case: 1/x overflows for x = 1e-310, but 1e-20 / x = 1e290 (PyTorch's too).
    x = Value(1e-310, "x")
    (x.log() * 1e-20).backward()
    assert x.grad == 1e-20 / 1e-310
    assert math.isclose(x.grad, 1e290, rel_tol=1e-9)


def test_both_gradients_of_a_quotient_by_a_subnormal_are_finite() -> None:
    a, b = Value(1e-300, "a"), Value(1e-310, "b")
    out = a / b  # 1e10
    (out * 1e-20).backward()
    assert math.isclose(a.grad, 1e290, rel_tol=1e-9)  # 1e-20 / b; 1 / b alone is inf
    assert math.isclose(b.grad, -1e300, rel_tol=1e-9)  # -1e-20 · a / b²; out / b is inf


def test_explain_and_anomaly_mode_divide_the_same_way() -> None:
    from weightgrad.engine import detect_anomaly, explain

    a, b = Value(1e-300, "a"), Value(1e-310, "b")
    story = explain(a / b * 1e-20)
    with detect_anomaly():
        (a / b * 1e-20).backward()  # no AnomalyError: every gradient is finite
    assert story.grads[id(a)] == a.grad and story.grads[id(b)] == b.grad
    assert math.isclose(a.grad, 1e290, rel_tol=1e-9)
    assert "n2.grad / b" not in str(story)  # the words name the formula, then the arithmetic
    assert "= 1e-20 / 1e-310 = 1e+290" in str(story)


ORDINARY = st.one_of(st.floats(-1e6, -1e-6), st.floats(1e-6, 1e6))


@given(ORDINARY, ORDINARY, ORDINARY)
def test_quotients_give_the_numbers_they_gave_before_at_ordinary_magnitudes(
        a: float, b: float, g: float) -> None:
    # Before: g * (1/b) and g * (-out/b), g * (1/a) for log; now g / b first. Within 1e-15.
    out = a / b
    got = O.DIV.chain(g, out, a, b)
    assert math.isclose(got[0], g * (1.0 / b), rel_tol=1e-15)
    assert math.isclose(got[1], g * (-out / b), rel_tol=1e-15)
    if a > 0:
        assert math.isclose(O.LOG.chain(g, math.log(a), a)[0], g * (1.0 / a), rel_tol=1e-15)
