"""MixtureOfExperts: the gate's routing and mixing against a hand computation from the weights'
numbers, gradients only where the graph goes (checked by finite differences), weight groups,
files and the weight tools, the Switch Transformer's balancing loss, and refusals."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.finite import central_difference
from weightgrad.nn import MixtureOfExperts, load_model
from weightgrad.nn.moe import load_balancing_loss
from weightgrad.nn.prune import l1_unstructured
from weightgrad.nn.quantize import fake_quantize

X = [0.7, -1.3]


def expert_numbers(moe: MixtureOfExperts, i: int, x: list[float]) -> list[float]:
    """Expert i's output from its state dict's numbers: relu(W1 x + b1), then W2 h + b2."""
    sd = moe.experts[i].state_dict()
    h = [max(0.0, sum(w * xi for w, xi in zip(sd[f"layers.0.neurons.{j}.w"], x))
             + sd[f"layers.0.neurons.{j}.b"]) for j in range(moe.hidden)]
    return [sum(w * hj for w, hj in zip(sd[f"layers.1.neurons.{j}.w"], h))
            + sd[f"layers.1.neurons.{j}.b"] for j in range(moe.nout)]


def gate_numbers(moe: MixtureOfExperts, x: list[float]) -> list[float]:
    sd = moe.gate.state_dict()
    logits = [sum(w * xi for w, xi in zip(sd[f"weight.{i}"], x)) + sd["bias"][i]
              for i in range(moe.num_experts)]
    exps = [math.exp(z) for z in logits]
    return [e / sum(exps) for e in exps]


@pytest.mark.parametrize("top_k", [1, 2, 3])
def test_output_is_the_gated_mix_of_the_top_k_experts(top_k: int) -> None:
    moe = MixtureOfExperts(2, 3, num_experts=4, top_k=top_k, seed=3)
    p = gate_numbers(moe, X)
    chosen = sorted(range(4), key=lambda i: -p[i])[:top_k]
    # top-1: the raw probability (Switch); top-k: renormalised over the chosen (Mixtral)
    mix = [p[chosen[0]]] if top_k == 1 else [p[i] / sum(p[j] for j in chosen) for i in chosen]
    want = [sum(m * expert_numbers(moe, i, X)[o] for m, i in zip(mix, chosen))
            for o in range(3)]
    got = moe(X)
    assert moe.last_routing == chosen
    assert [g.data for g in moe.last_gate] == pytest.approx(p, rel=1e-12)
    assert [g.data for g in got] == pytest.approx(want, rel=1e-12, abs=1e-15)
    if top_k == 1:
        assert p[chosen[0]] < 1.0  # the raw probability really scales the output


def test_one_output_is_a_value_as_mlp() -> None:
    moe = MixtureOfExperts(2, 1, seed=0)
    y = moe(X)
    c = moe.last_routing[0]
    assert y.data == pytest.approx(gate_numbers(moe, X)[c] * expert_numbers(moe, c, X)[0],
                                   rel=1e-12)


def loss_of(moe: MixtureOfExperts) -> float:
    return sum((k + 1) * y.data for k, y in enumerate(moe(X)))


@pytest.mark.parametrize("top_k", [1, 2])
def test_only_the_chosen_experts_and_the_gate_get_gradient(top_k: int) -> None:
    moe = MixtureOfExperts(2, 3, num_experts=4, top_k=top_k, seed=5)
    ys = moe(X)
    loss = sum(((k + 1) * y for k, y in enumerate(ys[1:], 1)), ys[0])
    loss.backward()
    chosen = set(moe.last_routing)
    assert len(chosen) == top_k
    for i, expert in enumerate(moe.experts):
        grads = [p.grad for p in expert.parameters()]
        if i in chosen:
            assert any(g != 0.0 for g in grads), f"chosen expert {i} got no gradient"
        else:
            assert all(g == 0.0 for g in grads), f"expert {i} was not chosen"
    assert all(p.grad != 0.0 for p in moe.gate.weight[0])  # every logit moves the softmax
    # The gradients are the true ones: central differences on a gate weight and on a weight
    # of the first chosen expert (the routing does not change for a step of 1e-6).
    first = moe.experts[moe.last_routing[0]]
    for p in (moe.gate.weight[1][0], moe.gate.bias[2], first.layers[1].neurons[0].w[0]):
        numeric = central_difference(lambda: loss_of(moe), p)
        assert p.grad == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_same_seed_same_model_and_experts_differ() -> None:
    a, b = MixtureOfExperts(2, 2, seed=9), MixtureOfExperts(2, 2, seed=9)
    assert a.state_dict() == b.state_dict()
    firsts = {tuple(e.state_dict()["layers.0.neurons.0.w"]) for e in a.experts}
    assert len(firsts) == a.num_experts


def test_weight_groups_cover_every_parameter_once() -> None:
    moe = MixtureOfExperts(3, 2, num_experts=3, hidden=5, seed=0)
    grouped = [p for _, g in moe.weight_groups() for p in g.params]
    assert sorted(map(id, grouped)) == sorted(map(id, moe.parameters()))
    names = {(m, g.name, g.shape) for m, g in moe.weight_groups()}
    assert ("gate", "weight", (3, 3)) in names
    assert ("experts.2.layers.1", "weight", (2, 5)) in names
    assert len(moe.parameters()) == (3 * 3 + 3) + 3 * ((3 * 5 + 5) + (5 * 2 + 2))
    assert "experts.2.layers.1" in moe.summary()


def test_save_and_load_model_give_the_same_outputs(tmp_path: Path) -> None:
    moe = MixtureOfExperts(2, 3, num_experts=3, top_k=2, hidden=4, seed=1)
    moe.save(tmp_path / "moe.json")
    twin = load_model(tmp_path / "moe.json")
    assert isinstance(twin, MixtureOfExperts) and twin.config() == moe.config()
    fresh = MixtureOfExperts(2, 3, num_experts=3, top_k=2, hidden=4, seed=2)
    fresh.load(tmp_path / "moe.json")
    for m in (twin, fresh):
        assert [y.data for y in m(X)] == [y.data for y in moe(X)]
        assert m.last_routing == moe.last_routing


def test_prune_and_quantize_reach_gate_and_experts() -> None:
    moe = MixtureOfExperts(2, 2, seed=0)
    l1_unstructured(moe, 0.5)
    for module in (moe.gate, *moe.experts):
        assert any(getattr(p, "pruned", False) for p in module.parameters())
    moe2 = MixtureOfExperts(2, 2, seed=0)
    twin = fake_quantize(moe2)
    for a, b in zip((moe2.gate, *moe2.experts), (twin.gate, *twin.experts)):
        for (_, g), (_, q) in zip(a.weight_groups(), b.weight_groups()):
            if g.kind != "weight":
                continue
            weights, quantized = [p.data for p in g.params], [p.data for p in q.params]
            assert quantized != weights  # each group's weights were rounded to int8 steps
            # symmetric int8 (MinMaxObserver): steps of max|w| / 127.5, each w within a step
            step = max(map(abs, weights)) / 127.5
            assert all(abs(x - w) <= step for x, w in zip(quantized, weights))
            assert all(abs(x / step - round(x / step)) < 1e-9 for x in quantized)


def test_balancing_loss_by_hand() -> None:
    moe = MixtureOfExperts(2, 1, num_experts=2, seed=0)
    xs = [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]]
    gates, routes = [], []
    for x in xs:
        moe(x)
        gates.append(moe.last_gate)
        routes.append(moe.last_routing)
    f = [sum(r[0] == i for r in routes) / 3 for i in range(2)]
    p = [sum(g[i].data for g in gates) / 3 for i in range(2)]
    loss = load_balancing_loss(gates, routes)
    assert loss.data == pytest.approx(2 * (f[0] * p[0] + f[1] * p[1]), rel=1e-12)
    # Even routing with even probabilities gives exactly 1 (the paper's minimum).
    half = [[0.5, 0.5], [0.5, 0.5]]
    from weightgrad.engine import Value
    even = load_balancing_loss([[Value(a) for a in g] for g in half], [[0], [1]])
    assert even.data == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"top_k": 5}, ValueError, "top_k must be an int in [1, num_experts=4], got 5"),
    ({"num_experts": 0}, ValueError, "num_experts must be an int >= 1"),
    ({"hidden": True}, TypeError, "hidden must be an int >= 1, got bool"),
    ({"seed": "a"}, TypeError, "seed must be an int or None"),
])
def test_bad_arguments_are_refused(kwargs: dict, error: type, words: str) -> None:
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        MixtureOfExperts(2, 1, **kwargs)


def test_bad_input_is_refused_and_changes_nothing() -> None:
    moe = MixtureOfExperts(2, 1, seed=0)
    moe(X)
    routing = moe.last_routing
    with pytest.raises(ValueError, match="MixtureOfExperts: x must be a list of 2"):
        moe([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"MixtureOfExperts: x\[0\] must be a real number"):
        moe([True, 1.0])
    assert moe.last_routing == routing


def test_safetensors_round_trip_with_torch_names(tmp_path: Path) -> None:
    # safetensors comes with the interop extra, which make test installs
    from weightgrad.nn import save_safetensors
    from weightgrad.nn.safetensors_io import read_safetensors

    moe = MixtureOfExperts(2, 2, num_experts=2, hidden=3, seed=4)
    save_safetensors(moe, tmp_path / "moe.safetensors")
    tensors, _ = read_safetensors(tmp_path / "moe.safetensors")
    # torch.nn.Sequential numbering inside each expert: Linear, ReLU, Linear -> 0, 2
    assert {"gate.weight", "gate.bias", "experts.1.0.weight", "experts.1.2.bias"} <= set(tensors)
    assert load_model(tmp_path / "moe.safetensors").state_dict() == moe.state_dict()
