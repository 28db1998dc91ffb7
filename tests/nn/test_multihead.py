"""MultiheadAttention against attention written out here in plain floats (per head, by the
formula), finite differences on every parameter, SelfAttention at one head, PyTorch's names
and shapes, and its refusals."""

from __future__ import annotations

import math
import random

import pytest

from tests.finite import central_difference
from weightgrad.engine import Value
from weightgrad.nn import MultiheadAttention, SelfAttention, prune, quantize

E, H = 4, 2


def plain_mha(w_in, b_in, w_out, b_out, query, key, value, heads, causal=False):
    """torch.nn.MultiheadAttention's forward on lists of floats: (outputs, per-head weights)."""
    e = len(w_out)
    d = e // heads

    def proj(rows, bias, x):
        return [sum(w * xi for w, xi in zip(row, x)) + b for row, b in zip(rows, bias)]

    qs = [proj(w_in[:e], b_in[:e], x) for x in query]
    ks = [proj(w_in[e:2 * e], b_in[e:2 * e], x) for x in key]
    vs = [proj(w_in[2 * e:], b_in[2 * e:], x) for x in value]
    weights, mixed = [], [[] for _ in qs]
    for h in range(heads):
        c = slice(h * d, (h + 1) * d)
        per_head = []
        for i, q in enumerate(qs):
            n = i + 1 if causal else len(ks)
            scores = [sum(a * b for a, b in zip(q[c], k[c])) / math.sqrt(d) for k in ks[:n]]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            a = [x / sum(exps) for x in exps] + [0.0] * (len(ks) - n)
            per_head.append(a)
            mixed[i] += [sum(a[j] * vs[j][f] for j in range(len(vs))) for f in
                         range(h * d, (h + 1) * d)]
        weights.append(per_head)
    return [proj(w_out, b_out, m) for m in mixed], weights


def flat(x) -> list[float]:
    """Nested lists of floats or Values as one flat list of floats."""
    if isinstance(x, list):
        return [y for item in x for y in flat(item)]
    return [x.data if isinstance(x, Value) else x]


def numbers(model: MultiheadAttention):
    w_in = [[p.data for p in row] for row in model.in_proj_weight]
    b_in = [p.data for p in model.in_proj_bias]
    w_out = [[p.data for p in row] for row in model.out_proj.weight]
    b_out = [p.data for p in model.out_proj.bias]
    return w_in, b_in, w_out, b_out


def with_simple_weights() -> MultiheadAttention:
    """Weights a reader can follow: small fractions, every bias nonzero."""
    model = MultiheadAttention(E, H, seed=0)
    for k, p in enumerate(model.parameters()):
        p.data = ((k * 7) % 11 - 5) / 8
    return model


TOKENS = [[1.0, 0.0, -1.0, 0.5], [0.0, 2.0, 1.0, -0.5], [-1.5, 0.5, 0.0, 1.0]]


@pytest.mark.parametrize("causal", [False, True])
def test_two_heads_match_the_formula_written_out(causal: bool) -> None:
    model = with_simple_weights()
    outs, per_head = model(TOKENS, average_attn_weights=False, causal=causal)
    expected, weights = plain_mha(*numbers(model), TOKENS, TOKENS, TOKENS, H, causal)
    for got, want in zip(outs, expected):
        assert all(math.isclose(g.data, w, rel_tol=1e-12, abs_tol=1e-12)
                   for g, w in zip(got, want))
    assert flat(per_head) == pytest.approx(flat(weights), rel=1e-12, abs=1e-15)
    _, averaged = model(TOKENS, causal=causal)
    for i in range(len(TOKENS)):
        for j in range(len(TOKENS)):
            mean = (weights[0][i][j] + weights[1][i][j]) / 2
            assert math.isclose(averaged[i][j].data, mean, rel_tol=1e-12, abs_tol=1e-15)
    if causal:
        assert all(averaged[i][j].data == 0.0 for i in range(3) for j in range(i + 1, 3))


def test_cross_attention_with_its_own_keys_and_values() -> None:
    model = with_simple_weights()
    keys, values = TOKENS[:2], [[0.5, 0.5, 0.5, 0.5], [1.0, -1.0, 2.0, 0.0]]
    outs, weights = model(TOKENS, keys, values)
    expected, _ = plain_mha(*numbers(model), TOKENS, keys, values, H)
    assert len(weights) == 3 and all(len(row) == 2 for row in weights)
    assert flat(outs) == pytest.approx(flat(expected), rel=1e-12)
    assert model(TOKENS, need_weights=False)[1] is None


def test_every_parameter_gradient_matches_central_differences() -> None:
    model = MultiheadAttention(4, 2, seed=3)
    tokens = [[0.3, -0.2, 0.8, 0.1], [-0.5, 0.4, 0.0, 0.9]]

    def loss() -> Value:
        outs, weights = model(tokens, average_attn_weights=False)
        total = sum((o * (k + 1) for k, o in enumerate(outs[0] + outs[1])), Value(0.0))
        return total + weights[1][0][1] * 3.0  # the weights carry gradients too

    model.zero_grad()
    loss().backward()
    for name, p in model.named_parameters():
        analytic, numeric = p.grad, central_difference(lambda: loss().data, p)
        assert abs(analytic - numeric) <= 1e-6 + 1e-4 * abs(analytic), name


def test_one_head_given_self_attentions_weights_gives_its_numbers() -> None:
    single = SelfAttention(E, seed=5)
    model = MultiheadAttention(E, 1, seed=0)
    rows = [[p.data for p in row] for proj in (single.q, single.k, single.v)
            for row in proj.weight]
    for row, values in zip(model.in_proj_weight, rows):
        for p, x in zip(row, values):
            p.data = x
    for p, x in zip(model.in_proj_bias, [b.data for proj in (single.q, single.k, single.v)
                                         for b in proj.bias]):
        p.data = x
    for mine, theirs in zip(model.out_proj.parameters(), single.out.parameters()):
        mine.data = theirs.data
    for causal in (False, True):
        got, got_w = model(TOKENS, causal=causal)
        want, want_w = single(TOKENS, causal=causal)
        for a, b in zip([v for row in got for v in row], [v for row in want for v in row]):
            assert abs(a.data - b.data) <= 1e-15 * max(1.0, abs(b.data))
        for a, b in zip([v for row in got_w for v in row], [v for row in want_w for v in row]):
            assert abs(a.data - b.data) <= 1e-15


def test_pytorchs_names_shapes_and_init() -> None:
    model = MultiheadAttention(6, 3, seed=1)
    groups = {g.name: (g.kind, g.shape) for _, g in model.weight_groups()}
    assert groups == {"in_proj_weight": ("weight", (18, 6)), "in_proj_bias": ("bias", (18,)),
                      "out_proj.weight": ("weight", (6, 6)), "out_proj.bias": ("bias", (6,))}
    keys = set(model.state_dict())
    assert {"in_proj_weight.0", "in_proj_weight.17", "in_proj_bias", "out_proj.weight.5",
            "out_proj.bias"} <= keys
    bound = math.sqrt(6 / (6 + 18))  # Xavier over (3E, E)
    w = [p.data for row in model.in_proj_weight for p in row]
    assert max(map(abs, w)) <= bound and max(map(abs, w)) > 0.8 * bound
    assert all(p.data == 0.0 for p in model.in_proj_bias + model.out_proj.bias)
    assert max(abs(p.data) for row in model.out_proj.weight for p in row) <= 1 / math.sqrt(6)
    assert [p.data for p in MultiheadAttention(6, 3, seed=1).parameters()] == \
        [p.data for p in model.parameters()]  # the same seed, the same weights
    assert len(MultiheadAttention(4, 2, bias=False).parameters()) == 3 * 16 + 16


def test_weight_tools_take_it() -> None:
    model = MultiheadAttention(4, 2, seed=2)
    assert "in_proj_weight" in model.summary()
    prune.l1_unstructured(model, amount=0.5)
    pruned = [p for row in model.in_proj_weight for p in row if p.data == 0.0]
    assert len(pruned) == 24  # half of the (12, 4) in_proj_weight, a group of its own
    report = quantize.error_report(model, "symmetric")
    assert report


@pytest.mark.parametrize(("make", "kind", "message"), [
    (lambda: MultiheadAttention(5, 2), ValueError, "divisible by num_heads"),
    (lambda: MultiheadAttention(True, 1), TypeError, "embed_dim must be an int"),
    (lambda: MultiheadAttention(4, 2)(TOKENS, TOKENS[:2], causal=True), ValueError,
     "as many keys as queries"),
    (lambda: MultiheadAttention(4, 2)(TOKENS, TOKENS, TOKENS[:2]), ValueError,
     "key and value must have as many tokens"),
    (lambda: MultiheadAttention(4, 2)([[1.0, 2.0, 3.0]]), ValueError, "query[0] must be"),
    (lambda: MultiheadAttention(4, 2)([[1.0, True, 3.0, 4.0]]), TypeError, "got bool"),
    (lambda: MultiheadAttention(4, 2)([]), ValueError, "non-empty"),
])
def test_refusals_are_one_line(make, kind: type, message: str) -> None:
    with pytest.raises(kind) as refused:
        make()
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_random_case_against_the_formula() -> None:
    rng = random.Random(7)
    model = MultiheadAttention(6, 3, seed=11)
    for p in model.parameters():
        p.data = rng.uniform(-1, 1)
    tokens = [[rng.uniform(-2, 2) for _ in range(6)] for _ in range(4)]
    outs, heads = model(tokens, average_attn_weights=False)
    expected, weights = plain_mha(*numbers(model), tokens, tokens, tokens, 3)
    assert flat(outs) == pytest.approx(flat(expected), rel=1e-12)
    assert flat(heads) == pytest.approx(flat(weights), rel=1e-12)
