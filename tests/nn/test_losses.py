"""nn.losses: each loss against a plain-float reference written here with `math`, its gradient
against central differences (inputs kept away from kinks) and against hand-derived formulas,
and the edges: huge logits, probabilities of exactly 0 and 1, bad lengths, bad class indices."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weightgrad.engine import Value, gradcheck
from weightgrad.nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l1_penalty,
    l2_penalty,
    mse_loss,
    softmax,
)

LOGIT = st.floats(-15.0, 15.0)
LOGITS = st.lists(LOGIT, min_size=1, max_size=6)
UNIT = st.floats(0.0, 1.0)  # BCE targets, soft labels included
PROB = st.floats(0.05, 0.95)  # far from the clamp at p = e^-100 and 1 - p = e^-100
LABEL = st.sampled_from([-1.0, 1.0])
# hinge's kink is at y*s = 1, i.e. |s| = 1 for y = ±1; l1's is at w = 0
SCORE = st.floats(-3.0, 3.0).filter(lambda s: abs(abs(s) - 1.0) > 0.1)
AWAY_FROM_ZERO = st.one_of(st.floats(-3.0, -0.1), st.floats(0.1, 3.0))


def pairs(a: st.SearchStrategy[float], b: st.SearchStrategy[float]):
    """Two lists of the same length (1 to 5), drawn element-wise from a and b."""
    return st.lists(st.tuples(a, b), min_size=1, max_size=5).map(
        lambda ts: ([x for x, _ in ts], [y for _, y in ts]))


@st.composite
def logits_and_class(draw):
    zs = draw(st.lists(LOGIT, min_size=2, max_size=6))
    return zs, draw(st.integers(0, len(zs) - 1))


# -- plain-float references -----------------------------------------------------------------

def ref_softmax(zs: list[float]) -> list[float]:
    # no max-subtraction: |z| <= 15 cannot overflow, so this is the textbook formula
    exps = [math.exp(z) for z in zs]
    total = math.fsum(exps)
    return [e / total for e in exps]


def ref_sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def clamped_log(p: float) -> float:
    return max(math.log(p), -100.0) if p > 0 else -100.0


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def grads(*xs: Value) -> list[float]:
    return [x.grad for x in xs]


# -- softmax ---------------------------------------------------------------------------------

@given(LOGITS)
def test_softmax_matches_reference_and_sums_to_one(zs: list[float]) -> None:
    out = softmax(zs)
    assert all(isinstance(s, Value) for s in out)
    assert all(close(s.data, r) for s, r in zip(out, ref_softmax(zs)))
    assert math.isclose(math.fsum(s.data for s in out), 1.0, rel_tol=1e-12)


@given(LOGITS, st.floats(-100.0, 100.0))
def test_softmax_is_invariant_to_adding_a_constant(zs: list[float], c: float) -> None:
    shifted = softmax([z + c for z in zs])
    assert all(math.isclose(a.data, b.data, rel_tol=1e-9, abs_tol=1e-14)
               for a, b in zip(shifted, softmax(zs)))


def test_softmax_is_stable_at_huge_logits() -> None:
    zs = [Value(1000.0), Value(1000.0), Value(-1000.0)]
    out = softmax(zs)
    assert [s.data for s in out] == [0.5, 0.5, 0.0]
    out[0].backward()
    # d s_0 / d z_j = s_0 (δ_0j - s_j) = [0.5 * 0.5, -0.5 * 0.5, -0.5 * 0]
    assert grads(*zs) == [0.25, -0.25, 0.0]


@given(st.lists(st.tuples(LOGIT, st.floats(-2.0, 2.0)), min_size=1, max_size=5))
def test_softmax_gradient(rows: list[tuple[float, float]]) -> None:
    zs, cs = [z for z, _ in rows], [c for _, c in rows]

    def f(*z: Value) -> Value:  # Σ c_i s_i reaches every entry of the Jacobian
        return sum((c * s for c, s in zip(cs, softmax(z))), Value(0.0))

    assert gradcheck(f, zs)
    leaves = [Value(z) for z in zs]
    f(*leaves).backward()
    s = ref_softmax(zs)
    mean_c = math.fsum(c * si for c, si in zip(cs, s))
    # d/dz_j Σ_i c_i s_i = s_j (c_j - Σ_i c_i s_i)
    assert all(close(v.grad, sj * (cj - mean_c)) for v, sj, cj in zip(leaves, s, cs))


# -- mse -------------------------------------------------------------------------------------

@given(pairs(st.floats(-10.0, 10.0), st.floats(-10.0, 10.0)))
def test_mse_value(pt: tuple[list[float], list[float]]) -> None:
    ps, ts = pt
    expected = math.fsum((p - t) ** 2 for p, t in zip(ps, ts)) / len(ps)
    assert close(mse_loss([Value(p) for p in ps], ts).data, expected)


@given(pairs(st.floats(-10.0, 10.0), st.floats(-10.0, 10.0)))
def test_mse_gradient(pt: tuple[list[float], list[float]]) -> None:
    ps, ts = pt
    n = len(ps)
    assert gradcheck(lambda *v: mse_loss(v[:n], v[n:]), ps + ts)
    pv, tv = [Value(p) for p in ps], [Value(t) for t in ts]
    mse_loss(pv, tv).backward()
    for p, t, a, b in zip(ps, ts, pv, tv):
        assert close(a.grad, 2 * (p - t) / n)  # and the target gets the opposite
        assert close(b.grad, -2 * (p - t) / n)


# -- hinge -----------------------------------------------------------------------------------

def micrograd_hinge(scores: list[float], labels: list[float]) -> float:
    # micrograd's demo.ipynb, on floats: the same operations in the same order
    losses = [max(0.0, 1 + -yi * scorei) for yi, scorei in zip(labels, scores)]
    return sum(losses) * (1.0 / len(losses))


@given(pairs(st.floats(-5.0, 5.0), LABEL))
def test_hinge_value_matches_micrograds_formula_to_the_last_bit(sy) -> None:
    scores, labels = sy
    assert hinge_loss(scores, labels).data == micrograd_hinge(scores, labels)


@given(pairs(st.floats(-5.0, 5.0), LABEL))
def test_hinge_value_matches_micrograd_itself(sy) -> None:
    mg = pytest.importorskip("micrograd.engine")  # a dev dependency: `make test` installs it
    scores, labels = sy
    mg_scores = [mg.Value(s) for s in scores]
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(labels, mg_scores)]
    expected = sum(losses) * (1.0 / len(losses))
    assert hinge_loss(scores, labels).data == expected.data


@given(pairs(SCORE, LABEL))
def test_hinge_gradient(sy) -> None:
    scores, labels = sy
    n = len(scores)
    assert gradcheck(lambda *s: hinge_loss(s, labels), scores)
    sv = [Value(s) for s in scores]
    hinge_loss(sv, labels).backward()
    # d/ds_i = -y_i / n inside the margin (1 - y s > 0), else 0
    for v, s, y in zip(sv, scores, labels):
        assert v.grad == (-y / n if 1 - y * s > 0 else 0.0)


@pytest.mark.parametrize("bad", [0.0, 2.0, 0.5])
def test_hinge_refuses_labels_other_than_plus_minus_one(bad: float) -> None:
    with pytest.raises(ValueError, match=str(bad)):
        hinge_loss([0.3, 0.4], [1.0, bad])


# -- binary cross-entropy on probabilities ----------------------------------------------------

@given(pairs(st.floats(0.001, 0.999), UNIT))
def test_bce_value(py: tuple[list[float], list[float]]) -> None:
    ps, ys = py
    expected = -math.fsum(y * math.log(p) + (1 - y) * math.log(1 - p)
                          for p, y in zip(ps, ys)) / len(ps)
    assert close(binary_cross_entropy(ps, ys).data, expected)


@given(pairs(PROB, UNIT))
def test_bce_gradient(py: tuple[list[float], list[float]]) -> None:
    ps, ys = py
    n = len(ps)
    assert gradcheck(lambda *p: binary_cross_entropy(p, ys), ps)
    pv = [Value(p) for p in ps]
    binary_cross_entropy(pv, ys).backward()
    # d/dp [-(y log p + (1-y) log(1-p))] = -y/p + (1-y)/(1-p) = (p - y) / (p (1 - p))
    assert all(close(v.grad, (p - y) / (p * (1 - p)) / n) for v, p, y in zip(pv, ps, ys))


@pytest.mark.parametrize(("p", "y", "loss", "grad"), [
    (0.0, 1.0, 100.0, 0.0),   # log 0 clamped to -100; the clamp passes no gradient
    (1.0, 0.0, 100.0, 0.0),
    (0.0, 0.0, 0.0, 1.0),     # -log(1 - p): d/dp = 1 / (1 - p) = 1
    (1.0, 1.0, 0.0, -1.0),    # -log p: d/dp = -1 / p = -1
])
def test_bce_at_probabilities_zero_and_one_is_clamped_and_finite(p, y, loss, grad) -> None:
    pv = Value(p)
    out = binary_cross_entropy([pv], [y])
    assert math.isclose(out.data, loss, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(out.data, -(y * clamped_log(p) + (1 - y) * clamped_log(1 - p)),
                        rel_tol=1e-12, abs_tol=1e-12)
    out.backward()
    assert pv.grad == grad


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan])
def test_bce_refuses_probabilities_outside_zero_one(bad: float) -> None:
    with pytest.raises(ValueError, match=rf"^binary_cross_entropy: probs\[1\] must be a "
                                         rf"probability in \[0, 1\], got {bad}$"):
        binary_cross_entropy([0.5, bad], [1.0, 0.0])


# -- binary cross-entropy on logits -----------------------------------------------------------

@given(pairs(LOGIT, UNIT))
def test_bce_with_logits_value(xy: tuple[list[float], list[float]]) -> None:
    xs, ys = xy
    # the naive formula on sigmoid(x): fine for |x| <= 15
    expected = -math.fsum(y * math.log(ref_sigmoid(x)) + (1 - y) * math.log(1 - ref_sigmoid(x))
                          for x, y in zip(xs, ys)) / len(xs)
    assert math.isclose(binary_cross_entropy_with_logits(xs, ys).data, expected,
                        rel_tol=1e-7, abs_tol=1e-9)


@given(pairs(LOGIT, UNIT))
def test_bce_with_logits_gradient_is_sigmoid_minus_target(xy) -> None:
    xs, ys = xy
    n = len(xs)
    assert gradcheck(lambda *v: binary_cross_entropy_with_logits(v[:n], v[n:]), xs + ys)
    xv = [Value(x) for x in xs]
    binary_cross_entropy_with_logits(xv, ys).backward()
    assert all(close(v.grad, (ref_sigmoid(x) - y) / n) for v, x, y in zip(xv, xs, ys))


@pytest.mark.parametrize("y", [0.0, 0.3, 1.0])
def test_bce_with_logits_gradient_at_zero_is_smooth(y: float) -> None:
    x = Value(0.0)
    out = binary_cross_entropy_with_logits([x], [y])
    assert math.isclose(out.data, math.log(2.0), rel_tol=1e-15)  # -log(1/2) whatever y is
    out.backward()
    # sigmoid(0) - y, not a subgradient of the kinked pieces; exact for a hard label, and for
    # a soft one within an ulp of 1 - y, which x gets rounded once (so that a confident logit
    # keeps its relative precision: tests/nn/test_numbers_at_the_edges.py)
    assert abs(x.grad - (0.5 - y)) <= (0.0 if y in (0.0, 1.0) else math.ulp(1 - y))


@pytest.mark.parametrize("y", [0.0, 0.25, 1.0])
@pytest.mark.parametrize("x", [1000.0, -1000.0])
def test_bce_with_logits_is_finite_at_huge_logits(x: float, y: float) -> None:
    xv = Value(x)
    out = binary_cross_entropy_with_logits([xv], [y])
    out.backward()
    # x = +1000: sigmoid is 1, so the loss is -(1-y) log(e^-1000) = 1000 (1 - y), grad 1 - y;
    # x = -1000: sigmoid is e^-1000, loss -y log(e^-1000) = 1000 y, grad 0 - y.
    loss, grad = (1000.0 * (1 - y), 1.0 - y) if x > 0 else (1000.0 * y, -y)
    assert math.isfinite(out.data) and math.isfinite(xv.grad)
    assert out.data == loss
    assert xv.grad == grad


# -- cross-entropy ---------------------------------------------------------------------------

@given(logits_and_class())
def test_cross_entropy_is_minus_log_softmax(zt: tuple[list[float], int]) -> None:
    zs, t = zt
    assert math.isclose(cross_entropy(zs, t).data, -math.log(ref_softmax(zs)[t]),
                        rel_tol=1e-9, abs_tol=1e-12)


@given(logits_and_class())
def test_cross_entropy_gradient_is_softmax_minus_onehot(zt: tuple[list[float], int]) -> None:
    zs, t = zt
    assert gradcheck(lambda *z: cross_entropy(z, t), zs)
    zv = [Value(z) for z in zs]
    cross_entropy(zv, t).backward()
    expected = [s - (1.0 if i == t else 0.0) for i, s in enumerate(ref_softmax(zs))]
    assert all(close(v.grad, g) for v, g in zip(zv, expected))


def test_cross_entropy_is_stable_at_huge_logits() -> None:
    zv = [Value(1000.0), Value(1000.0), Value(-1000.0)]
    out = cross_entropy(zv, 2)
    assert math.isclose(out.data, 2000.0 + math.log(2.0), rel_tol=1e-15)  # logsumexp - z_2
    out.backward()
    assert grads(*zv) == [0.5, 0.5, -1.0]


@given(st.lists(logits_and_class(), min_size=1, max_size=4))
def test_cross_entropy_batch_is_the_mean(batch: list[tuple[list[float], int]]) -> None:
    rows, targets = [zs for zs, _ in batch], [t for _, t in batch]
    expected = math.fsum(-math.log(ref_softmax(zs)[t]) for zs, t in batch) / len(batch)
    leaves = [[Value(z) for z in zs] for zs in rows]
    out = cross_entropy(leaves, targets)
    assert math.isclose(out.data, expected, rel_tol=1e-9, abs_tol=1e-12)
    out.backward()
    for zv, zs, t in zip(leaves, rows, targets):
        onehot = [1.0 if i == t else 0.0 for i in range(len(zs))]
        assert all(close(v.grad, (s - o) / len(batch))
                   for v, s, o in zip(zv, ref_softmax(zs), onehot))


@pytest.mark.parametrize("bad", [3, -1, 10])
def test_cross_entropy_refuses_a_bad_class_index(bad: int) -> None:
    with pytest.raises(ValueError, match=rf"^cross_entropy: target must be a class index, an "
                                         rf"int in \[0, 2\], got {bad}$"):
        cross_entropy([0.1, 0.2, 0.3], bad)
    with pytest.raises(ValueError, match=rf"^cross_entropy: target\[1\] must be a class index, "
                                         rf"an int in \[0, 2\], got {bad}$"):
        cross_entropy([[0.1, 0.2, 0.3], [0.0, 0.0, 0.0]], [0, bad])


@pytest.mark.parametrize("bad", [1.0, None, True])
def test_cross_entropy_refuses_a_non_integer_target(bad) -> None:
    with pytest.raises(TypeError, match=rf"^cross_entropy: target must be a class index, an "
                                        rf"int in \[0, 1\], got {type(bad).__name__}: {bad}$"):
        cross_entropy([0.1, 0.2], bad)


# -- penalties -------------------------------------------------------------------------------

@given(st.lists(st.floats(-3.0, 3.0), min_size=1, max_size=6))
def test_l1_and_l2_values_and_hand_gradients(ws: list[float]) -> None:
    wv = [Value(w) for w in ws]
    l1, l2 = l1_penalty(wv), l2_penalty(wv)
    assert close(l1.data, math.fsum(abs(w) for w in ws))
    assert close(l2.data, math.fsum(w * w for w in ws))
    l1.backward()
    assert grads(*wv) == [float(w > 0) - float(w < 0) for w in ws]  # sign(w), 0 at 0
    for v in wv:
        v.grad = 0.0
    l2.backward()
    assert all(close(v.grad, 2 * w) for v, w in zip(wv, ws))


@given(st.lists(AWAY_FROM_ZERO, min_size=1, max_size=6))
def test_l1_and_l2_gradcheck(ws: list[float]) -> None:
    assert gradcheck(lambda *w: l1_penalty(w), ws)
    assert gradcheck(lambda *w: l2_penalty(w), ws)


def test_l1_gradient_at_zero_is_zero_and_empty_penalties_are_zero() -> None:
    w = Value(0.0)
    l1_penalty([w]).backward()
    assert w.grad == 0.0
    assert l1_penalty([]).data == 0.0
    assert l2_penalty(iter([])).data == 0.0


# -- refused inputs --------------------------------------------------------------------------

PAIRWISE = [mse_loss, hinge_loss, binary_cross_entropy, binary_cross_entropy_with_logits]


@pytest.mark.parametrize("loss", PAIRWISE, ids=lambda f: f.__name__)
def test_length_mismatch_names_both_lengths(loss) -> None:
    with pytest.raises(ValueError, match=r"length 3.*length 2"):
        loss([0.5, 0.5, 0.5], [1.0, 1.0])


@pytest.mark.parametrize("loss", PAIRWISE, ids=lambda f: f.__name__)
def test_empty_inputs_are_refused(loss) -> None:
    with pytest.raises(ValueError, match=r"empty.*length 0.*length 0"):
        loss([], [])


def test_cross_entropy_refuses_mismatched_or_empty_batches() -> None:
    with pytest.raises(ValueError, match=r"logits has length 3, target has length 2"):
        cross_entropy([[0.1, 0.2]] * 3, [0, 1])
    with pytest.raises(ValueError, match=r"length 0, target has length 0"):
        cross_entropy([], [])
    with pytest.raises(ValueError, match=r"^cross_entropy: logits must be a non-empty list"):
        cross_entropy([], 0)


def test_softmax_refuses_empty_logits() -> None:
    with pytest.raises(ValueError, match="empty"):
        softmax([])


@pytest.mark.parametrize("call", [
    lambda: mse_loss(["a"], [1.0]),
    lambda: mse_loss([1.0], [None]),
    lambda: hinge_loss([1.0], ["1"]),
    lambda: binary_cross_entropy([0.5], [object()]),
    lambda: binary_cross_entropy_with_logits([1j], [1.0]),
    lambda: softmax(["x"]),
    lambda: cross_entropy(["x", 1.0], 0),
    lambda: l1_penalty([None]),
    lambda: l2_penalty(["w"]),
])
def test_non_numbers_are_refused_with_a_type_error(call) -> None:
    with pytest.raises(TypeError, match="real number"):
        call()
