"""Module: zero_grad, freeze, summary, and state dicts that refuse without changing anything."""

from __future__ import annotations

import json
import math

import pytest

from weightgrad.nn import MLP, Neuron
from weightgrad.nn.optim import SGD, AdamW


def model() -> MLP:
    return MLP(2, [3, 1], seed=0)


def weights(m: MLP) -> list[float]:
    return [p.data for p in m.parameters()]


def test_zero_grad() -> None:
    m = model()
    m([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad == 0.0 for p in m.parameters())


def test_frozen_layer_is_bit_identical_after_optimizer_steps_with_weight_decay() -> None:
    m = model()
    m.layers[0].freeze()
    frozen_before = [p.data for p in m.layers[0].parameters()]
    head_before = [p.data for p in m.layers[1].parameters()]
    for opt in (SGD(m.parameters(), lr=0.1, momentum=0.9, weight_decay=0.1),
                AdamW(m.parameters(), lr=0.1, weight_decay=0.1)):
        for _ in range(5):
            m.zero_grad()
            (m([1.0, -2.0]) - 3.0).__pow__(2).backward()
            opt.step()
    assert [p.data for p in m.layers[0].parameters()] == frozen_before
    assert [p.data for p in m.layers[1].parameters()] != head_before
    assert any(p.grad != 0 for p in m.layers[0].parameters())  # still visible
    m.unfreeze()
    assert all(p.requires_grad for p in m.parameters())


def test_state_dict_is_json_and_round_trips() -> None:
    a, b = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
    sd = json.loads(json.dumps(a.state_dict()))
    assert sd["layers.0.neurons.2.w"] == [p.data for p in a.layers[0].neurons[2].w]
    assert sd["layers.1.neurons.0.b"] == a.layers[1].neurons[0].b.data
    b.load_state_dict(sd)
    assert weights(a) == weights(b)


def _refusals() -> list[tuple[str, object, str]]:
    good = model().state_dict()
    missing = {k: v for k, v in good.items() if k != "layers.0.neurons.1.b"}
    extra = {**good, "layers.9.neurons.0.b": 0.0}
    short = {**good, "layers.0.neurons.0.w": [0.1]}
    text = {**good, "layers.1.neurons.0.w": [0.1, "0.2", 0.3]}
    boolean = {**good, "layers.0.neurons.0.b": True}
    nan = {**good, "layers.0.neurons.0.b": math.nan}
    scalar_for_vector = {**good, "layers.0.neurons.0.w": 0.5}
    return [
        ("missing", missing, "missing key(s): layers.0.neurons.1.b"),
        ("unexpected", extra, "unexpected key(s): layers.9.neurons.0.b"),
        ("size", short, "layers.0.neurons.0.w: wrong size: expected 2 numbers, got 1"),
        ("text", text, "layers.1.neurons.0.w.1: expected a number, got str"),
        ("bool", boolean, "layers.0.neurons.0.b: expected a number, got bool"),
        ("nan", nan, "layers.0.neurons.0.b: expected a finite number"),
        ("shape", scalar_for_vector, "layers.0.neurons.0.w: expected a list of 2 numbers"),
        ("type", [1, 2], "state_dict must be a dict"),
    ]


@pytest.mark.parametrize(("case", "sd", "fragment"), _refusals(), ids=lambda x: str(x)[:8])
def test_refused_load_names_the_problem_and_changes_nothing(case, sd, fragment) -> None:  # type: ignore[no-untyped-def]
    m = MLP(2, [3, 1], seed=5)
    before = weights(m)
    with pytest.raises(ValueError) as err:
        m.load_state_dict(sd)  # type: ignore[arg-type]
    assert fragment in str(err.value)
    assert weights(m) == before


def test_non_strict_load_reports_keys() -> None:
    m, src = MLP(2, [3, 1], seed=5), MLP(2, [3, 1], seed=6)
    sd = src.state_dict()
    del sd["layers.1.neurons.0.b"]
    sd["extra"] = 1.0
    result = m.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["layers.1.neurons.0.b"]
    assert result.unexpected_keys == ["extra"]
    assert m.layers[0].neurons[0].w[0].data == src.layers[0].neurons[0].w[0].data
    assert m.layers[1].neurons[0].b.data == 0.0


def test_summary_table() -> None:
    m = MLP(2, [3, 1], seed=0)
    m.layers[0].freeze()
    (m([1.0, 2.0]) * 1.0).backward()
    text = m.summary()
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "in", "→", "out", "activation", "params", "trainable",
                                "weight", "mean", "weight", "std", "grad", "norm"]
    row0 = lines[2].split()
    assert row0[:7] == ["layers.0", "2", "→", "3", "relu", "9", "0"]
    ws = [p.data for row in m.layers[0].weight for p in row]
    mean = sum(ws) / 6
    std = math.sqrt(sum((w - mean) ** 2 for w in ws) / 6)
    assert float(row0[7]) == pytest.approx(mean, abs=1e-4)
    assert float(row0[8]) == pytest.approx(std, abs=1e-4)
    total = lines[-1].split()
    assert total[:3] == ["total", "13", "4"]
    grad_norm = math.sqrt(sum(p.grad ** 2 for p in m.parameters()))
    assert float(total[3]) == pytest.approx(grad_norm, rel=1e-3)
    assert Neuron(2).summary().splitlines()[2].split()[0] == "Neuron"


def test_summary_reads_weights_of_every_kind_of_module() -> None:
    from weightgrad.nn import Conv1d, SelfAttention

    conv = Conv1d(2, 3, 3, seed=0)
    row = conv.summary().splitlines()[2]
    ws = [p.data for name, p in conv.named_parameters() if name.startswith("weight.")]
    assert f"{sum(ws) / len(ws):+.4f}" in row and "nan" not in row
    attention = SelfAttention(2, seed=0).summary()
    assert "nan" not in attention and attention.splitlines()[2].split()[0] == "q"
