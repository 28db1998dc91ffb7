"""Numbers at the edges of nn: binary cross-entropy with logits keeps its relative precision
for confident logits (checked against 200-digit decimal arithmetic, not against another float
formula), and `summary()` reports a model whose weights are near the largest float."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from weightgrad.engine import Value
from weightgrad.nn import MLP, binary_cross_entropy_with_logits
from weightgrad.nn.summary import summary_rows


def bce_reference(x: float, y: float) -> float:
    """-(y log σ(x) + (1 - y) log(1 - σ(x))) = y·log(1 + e^-x) + (1 - y)·log(1 + e^x), in
    decimal arithmetic precise enough that 1 + e^-700 is not rounded to 1."""
    with localcontext() as ctx:
        ctx.prec = 400
        dx, dy = Decimal(x), Decimal(y)
        value = dy * (1 + (-dx).exp()).ln() + (1 - dy) * (1 + dx.exp()).ln()
        return float(value)


def grad_reference(x: float, y: float) -> float:
    with localcontext() as ctx:
        ctx.prec = 400
        return float(1 / (1 + (-Decimal(x)).exp()) - Decimal(y))


@given(st.floats(-700.0, 700.0), st.sampled_from([0.0, 1.0, 0.25]))
def test_bce_with_logits_is_precise_to_a_few_ulps_for_any_logit(x: float, y: float) -> None:
    loss = binary_cross_entropy_with_logits([Value(x)], [y]).data
    truth = bce_reference(x, y)
    assert abs(loss - truth) <= 4 * math.ulp(truth), (x, y, loss, truth)


def test_the_reviews_case_logit_30() -> None:
    # log(1 + e^-30) computed as a log of the rounded 1 + e^-30 was off by 3e-3 relatively
    for x, y in ((30.0, 1.0), (-30.0, 0.0)):
        loss = binary_cross_entropy_with_logits([Value(x)], [y]).data
        truth = bce_reference(x, y)
        assert abs(loss - truth) <= 2 * math.ulp(truth) and truth < 1e-13


@given(st.floats(-700.0, 700.0), st.sampled_from([0.0, 1.0]))
def test_bce_with_logits_gradient_is_sigmoid_minus_target(x: float, y: float) -> None:
    v = Value(x)
    binary_cross_entropy_with_logits([v], [y]).backward()
    truth = grad_reference(x, y)
    # relative precision, as PyTorch's sigmoid(x) - y: σ(30) - 1 = -σ(-30) = -9.4e-14 is
    # right to a few ulps, not merely within a few ulps of 1
    assert abs(v.grad - truth) <= 4 * math.ulp(truth), (x, y, v.grad, truth)


def test_the_reviews_gradient_at_logit_30() -> None:
    v = Value(30.0)
    binary_cross_entropy_with_logits([v], [1.0]).backward()
    truth = grad_reference(30.0, 1.0)  # -σ(-30) = -9.357622968839299e-14
    assert abs(v.grad - truth) <= 2 * math.ulp(truth)  # it was -9.3592e-14: 1.7e-4 off


def _exact_stats(xs: list[float]) -> tuple[float, float]:
    mean = sum(Fraction(x) for x in xs) / len(xs)
    var = sum((Fraction(x) - mean) ** 2 for x in xs) / len(xs)
    return float(mean), math.sqrt(float(var / 2**1200)) * 2.0**600  # var can pass 1e600


def test_summary_of_weights_near_the_largest_float() -> None:
    model = MLP(2, [3, 1], seed=0)
    w = model.layers[0].weight  # rows of Parameters, PyTorch's (out, in)
    w[0][0].data, w[1][1].data, w[2][0].data = 1e308, -1.7e308, 1.7e308
    w[0][1].grad = 1e308
    text = model.summary()  # raised OverflowError before
    assert "1e+308" in text and "inf" not in text and "nan" not in text
    row = summary_rows(model)[0]
    weights = [p.data for r in w for p in r]
    mean, std = _exact_stats(weights)
    assert math.isclose(row["weight_mean"], mean, rel_tol=1e-12)
    assert math.isclose(row["weight_std"], std, rel_tol=1e-12)
    assert row["grad_norm"] == 1e308
