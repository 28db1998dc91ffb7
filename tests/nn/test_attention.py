"""nn.attention: SelfAttention against scaled dot-product attention written here in plain floats,
its gradients (parameters, inputs and the attention weights themselves) against central
differences, rows summing to 1, the causal mask's exact zeros, cross-attention shapes,
parameter counts and init, and refused inputs."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weightgrad.engine import Value, no_grad
from weightgrad.nn.attention import SelfAttention

# -- an independent reference: Vaswani et al. (2017) eq. 1 in plain floats --------------------


def _matvec(rows: list[list[float]], bias: list[float] | None, x: list[float]) -> list[float]:
    return [(bias[i] if bias else 0.0) + sum(w * xi for w, xi in zip(row, x))
            for i, row in enumerate(rows)]


def _floats(model: SelfAttention, name: str) -> tuple[list[list[float]], list[float] | None]:
    """A projection's weight matrix and bias as floats, read from the state dict by name."""
    sd = model.state_dict()
    rows = [sd[f"{name}.weight.{i}"] for i in range(model.d_model)]
    return rows, sd.get(f"{name}.bias")


def reference(model: SelfAttention, x: list[list[float]], context: list[list[float]] | None = None,
              causal: bool = False) -> tuple[list[list[float]], list[list[float]]]:
    ctx = x if context is None else context
    d = model.d_model
    q = [_matvec(*_floats(model, "q"), t) for t in x]
    k = [_matvec(*_floats(model, "k"), t) for t in ctx]
    v = [_matvec(*_floats(model, "v"), t) for t in ctx]
    outs, weights = [], []
    for i, qi in enumerate(q):
        allowed = [j for j in range(len(k)) if not causal or j <= i]
        scores = {j: sum(a * b for a, b in zip(qi, k[j])) / math.sqrt(d) for j in allowed}
        total = sum(math.exp(s) for s in scores.values())
        row = [math.exp(scores[j]) / total if j in scores else 0.0 for j in range(len(k))]
        mixed = [sum(row[j] * v[j][c] for j in range(len(k))) for c in range(d)]
        if "out.weight.0" in model.state_dict():
            mixed = _matvec(*_floats(model, "out"), mixed)
        outs.append(mixed)
        weights.append(row)
    return outs, weights


def _seq(rng: random.Random, t: int, d: int) -> list[list[float]]:
    return [[rng.uniform(-2.0, 2.0) for _ in range(d)] for _ in range(t)]


def _randomize(model: SelfAttention, rng: random.Random) -> None:
    """Nonzero biases too, so a missing bias term would show."""
    for p in model.parameters():
        p.data = rng.uniform(-1.0, 1.0)


CONFIGS = [  # (d_model, bias, out_proj, T_q, T_k or None, causal)
    (3, True, True, 4, None, False),
    (3, True, True, 4, None, True),
    (2, False, False, 3, None, True),
    (4, True, False, 2, 5, False),
    (1, True, True, 3, 2, False),
    (2, True, True, 3, 3, True),  # causal cross-attention with equal lengths
]


@pytest.mark.parametrize(("d", "bias", "out", "tq", "tk", "causal"), CONFIGS)
def test_matches_plain_float_attention(d, bias, out, tq, tk, causal) -> None:
    rng = random.Random(7)
    model = SelfAttention(d, seed=1, bias=bias, out_proj=out)
    _randomize(model, rng)
    x = _seq(rng, tq, d)
    ctx = None if tk is None else _seq(rng, tk, d)
    outs, weights = model(x, context=ctx, causal=causal)
    want_outs, want_weights = reference(model, x, ctx, causal)
    assert len(outs) == tq and len(weights) == tq
    for got, want in zip(outs, want_outs):
        assert [o.data for o in got] == pytest.approx(want, rel=1e-12, abs=1e-12)
    for got, want in zip(weights, want_weights):
        assert [a.data for a in got] == pytest.approx(want, rel=1e-12, abs=1e-12)


# -- gradients against central differences -------------------------------------------------


def _loss(outs: list[list[Value]], coeffs: list[list[float]]) -> Value:
    """Σ r_ic · out_ic with fixed random r: every output matters, each with its own weight."""
    total = Value(0.0)
    for row, rs in zip(outs, coeffs):
        for o, r in zip(row, rs):
            total = total + r * o
    return total


@pytest.mark.parametrize(("d", "bias", "out", "tq", "tk", "causal"), CONFIGS)
def test_gradients_match_central_differences(d, bias, out, tq, tk, causal) -> None:
    rng = random.Random(11)
    model = SelfAttention(d, seed=2, bias=bias, out_proj=out)
    _randomize(model, rng)
    x = [[Value(c) for c in t] for t in _seq(rng, tq, d)]
    ctx = None if tk is None else [[Value(c) for c in t] for t in _seq(rng, tk, d)]
    coeffs = [[rng.uniform(-1.0, 1.0) for _ in range(d)] for _ in range(tq)]
    loss = _loss(model(x, context=ctx, causal=causal)[0], coeffs)
    model.zero_grad()
    loss.backward()
    leaves = [("param " + name, p) for name, p in model.named_parameters()]
    leaves += [(f"x[{i}][{c}]", v) for i, t in enumerate(x) for c, v in enumerate(t)]
    leaves += [(f"context[{i}][{c}]", v) for i, t in enumerate(ctx or []) for c, v in enumerate(t)]
    eps = 1e-6
    for name, leaf in leaves:
        analytic, old = leaf.grad, leaf.data
        with no_grad():
            leaf.data = old + eps
            plus = _loss(model(x, context=ctx, causal=causal)[0], coeffs).data
            leaf.data = old - eps
            minus = _loss(model(x, context=ctx, causal=causal)[0], coeffs).data
        leaf.data = old
        numeric = (plus - minus) / (2 * eps)
        assert analytic == pytest.approx(numeric, rel=1e-6, abs=1e-8), name


def test_attention_weight_gradients_are_dloss_dweight() -> None:
    # Without an output projection out_i = Σ_j a_ij v_j, so d loss / d a_ij = Σ_c r_ic v_j[c]:
    # the gradient each attention weight gets is readable and is this hand-derived number.
    rng = random.Random(3)
    model = SelfAttention(3, seed=0, out_proj=False)
    _randomize(model, rng)
    x = _seq(rng, 4, 3)
    coeffs = [[rng.uniform(-1.0, 1.0) for _ in range(3)] for _ in range(4)]
    outs, weights = model(x)
    _loss(outs, coeffs).backward()
    v = [_matvec(*_floats(model, "v"), t) for t in x]
    for i in range(4):
        for j in range(4):
            want = sum(r * vc for r, vc in zip(coeffs[i], v[j]))
            assert weights[i][j].grad == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_key_bias_gets_no_gradient() -> None:
    # q·(W_k c_j + b_k) = q·W_k c_j + q·b_k: the b_k term is the same for every key j, and
    # softmax(z + c) = softmax(z), so the loss cannot depend on b_k (up to rounding).
    rng = random.Random(8)
    model = SelfAttention(3, seed=0)
    _randomize(model, rng)
    x = _seq(rng, 5, 3)
    _loss(model(x)[0], [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(5)]).backward()
    assert all(abs(p.grad) < 1e-12 for p in model.k.bias)
    assert any(abs(p.grad) > 1e-3 for p in model.q.bias)


# -- softmax rows, the causal mask, cross-attention ------------------------------------------


@given(d=st.integers(1, 4), tq=st.integers(1, 6), tk=st.integers(1, 6), seed=st.integers(0, 99),
       scale=st.floats(0.1, 30.0), causal=st.booleans(), cross=st.booleans())
def test_every_row_sums_to_one(d, tq, tk, seed, scale, causal, cross) -> None:
    rng = random.Random(seed)
    model = SelfAttention(d, seed=seed)
    x = [[scale * c for c in t] for t in _seq(rng, tq, d)]
    ctx = [[scale * c for c in t] for t in _seq(rng, tq if causal else tk, d)] if cross else None
    _, weights = model(x, context=ctx, causal=causal)
    for row in weights:
        assert all(a.data >= 0.0 for a in row)
        assert abs(sum(a.data for a in row) - 1.0) <= 1e-12


def test_causal_mask_is_exactly_zero_and_passes_no_gradient() -> None:
    rng = random.Random(5)
    model = SelfAttention(3, seed=4)
    _randomize(model, rng)
    x = [[Value(c) for c in t] for t in _seq(rng, 4, 3)]
    outs, weights = model(x, causal=True)
    for i, row in enumerate(weights):
        for j, a in enumerate(row):
            if j > i:
                assert a.data == 0.0
                assert a.is_leaf  # a constant: nothing flows through it
    # Output 1 may only depend on tokens 0 and 1: every later token gets exactly 0 gradient.
    _loss([outs[1]], [[1.0, -2.0, 0.5]]).backward()
    for j in (2, 3):
        assert [v.grad for v in x[j]] == [0.0, 0.0, 0.0]
    assert any(v.grad != 0.0 for v in x[0])
    assert all(a.grad == 0.0 for a in weights[1][2:])
    # ...and changing a later token leaves earlier outputs bit-identical.
    before = [[o.data for o in row] for row in outs[:2]]
    x[3][0].data += 5.0
    after = [[o.data for o in row] for row in model(x, causal=True)[0][:2]]
    assert after == before


def test_first_causal_query_sees_only_itself() -> None:
    model = SelfAttention(2, seed=0, out_proj=False)
    x = _seq(random.Random(0), 3, 2)
    outs, weights = model(x, causal=True)
    assert [a.data for a in weights[0]] == [1.0, 0.0, 0.0]
    v0 = _matvec(*_floats(model, "v"), x[0])
    assert [o.data for o in outs[0]] == pytest.approx(v0, rel=1e-15, abs=1e-15)


def test_cross_attention_has_tq_by_tk_weights() -> None:
    rng = random.Random(9)
    model = SelfAttention(2, seed=0)
    outs, weights = model(_seq(rng, 2, 2), context=_seq(rng, 5, 2))
    assert len(outs) == 2 and all(len(o) == 2 for o in outs)
    assert len(weights) == 2 and all(len(row) == 5 for row in weights)


def test_one_query_row_is_cross_attention_of_that_token() -> None:
    # Row i of self-attention on x is token i's query against x's keys: cross-attention of
    # [x_i] with context x must give the very same floats (the lesson relies on this).
    rng = random.Random(4)
    model = SelfAttention(3, seed=5)
    _randomize(model, rng)
    x = _seq(rng, 4, 3)
    outs, weights = model(x)
    for i in range(4):
        one_out, one_w = model([x[i]], context=x)
        assert [o.data for o in one_out[0]] == [o.data for o in outs[i]]
        assert [a.data for a in one_w[0]] == [a.data for a in weights[i]]


def test_matching_query_and_key_take_the_attention() -> None:
    # W_q = W_k = s·I, W_v = I, no biases: the score of token j for query 0 is s²(x_0·x_j)/√d,
    # so a large s puts (almost) all of query 0's weight on the key equal to it.
    model = SelfAttention(2, seed=0, bias=False, out_proj=False)
    s = 10.0
    for name, scale in (("q", s), ("k", s), ("v", 1.0)):
        proj = getattr(model, name)
        for i in range(2):
            for j in range(2):
                proj.weight[i][j].data = scale if i == j else 0.0
    x = [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.6, 0.6]]
    outs, weights = model(x)
    # largest other score: x_0·x_3 = 0.6, a gap of 0.4·100/√2 ≈ 28 in the exponent
    assert weights[0][0].data > 1.0 - 1e-9
    assert [o.data for o in outs[0]] == pytest.approx([1.0, 0.0], abs=1e-9)


# -- parameters: counts, names, init, determinism --------------------------------------------


@pytest.mark.parametrize("d", [1, 2, 5])
def test_parameter_counts(d: int) -> None:
    assert len(SelfAttention(d).parameters()) == 3 * d * (d + 1) + d * (d + 1)
    assert len(SelfAttention(d, out_proj=False).parameters()) == 3 * d * (d + 1)
    assert len(SelfAttention(d, bias=False).parameters()) == 4 * d * d
    assert len(SelfAttention(d, bias=False, out_proj=False).parameters()) == 3 * d * d


def test_names_order_and_init() -> None:
    d = 4
    model = SelfAttention(d, seed=3)
    names = [n for n, _ in model.named_parameters()]
    want = [f"{p}.weight.{i}.{j}" if i >= 0 else f"{p}.bias.{j}"
            for p in ("q", "k", "v", "out") for i in [*range(d), -1] for j in range(d)]
    assert names == want
    assert all(p.label == n for n, p in model.named_parameters())
    xavier = math.sqrt(6.0 / (d + d))  # fan_in = fan_out = d
    for name, p in model.named_parameters():
        if ".bias." in name:
            assert p.data == 0.0
        elif name.startswith("out."):
            assert abs(p.data) <= 1.0 / math.sqrt(d)
        else:
            assert abs(p.data) <= xavier
    same, other = SelfAttention(d, seed=3), SelfAttention(d, seed=4)
    assert same.state_dict() == model.state_dict()
    assert other.state_dict() != model.state_dict()


def test_state_dict_round_trip(tmp_path) -> None:
    a, b = SelfAttention(3, seed=0), SelfAttention(3, seed=1)
    a.save(tmp_path / "att.json")
    b.load(tmp_path / "att.json")
    assert b.state_dict() == a.state_dict()
    x = _seq(random.Random(1), 3, 3)
    assert [[o.data for o in r] for r in a(x)[0]] == [[o.data for o in r] for r in b(x)[0]]


# -- refused inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(("d_model", "error"), [(0, ValueError), (-2, ValueError),
                                                (2.0, TypeError), (True, TypeError),
                                                ("4", TypeError)])
def test_bad_d_model(d_model, error) -> None:
    with pytest.raises(error, match="d_model"):
        SelfAttention(d_model)


@pytest.mark.parametrize(("x", "context", "causal", "error", "match"), [
    ([], None, False, ValueError, r"^SelfAttention: x must be a non-empty list of tokens "
                                  r"\(lists of d_model=2 .*\), got list of length 0$"),
    ([[1.0, 2.0], [3.0]], None, False, ValueError,
     r"x\[1\] must be a list of 2 real numbers or Values, got list of length 1"),
    ([[1.0, 2.0]], [], False, ValueError, "context must be a non-empty list"),
    ([[1.0, 2.0]], [[1.0, 2.0, 3.0]], False, ValueError,
     r"context\[0\] must be a list of 2 .*, got list of length 3"),
    ([[1.0, 2.0]], [[0.0, 0.0], [1.0, 1.0]], True, ValueError, "causal"),
    ([1.0, 2.0], None, False, TypeError, r"x\[0\] must be a list of 2 .*, got float: 1.0"),
    ("ab", None, False, TypeError, r"x must be a non-empty list of tokens .*, got str: 'ab'"),
    ([[1.0, "a"]], None, False, TypeError,
     r"^SelfAttention: x\[0\]\[1\] must be a real number or a Value, got str: 'a'$"),
    ([[1.0, True]], None, False, TypeError,
     r"^SelfAttention: x\[0\]\[1\] must be a real number or a Value, got bool: True$"),
])
def test_bad_inputs(x, context, causal, error, match) -> None:
    model = SelfAttention(2, seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=match):
        model(x, context=context, causal=causal)
    assert model.state_dict() == before
