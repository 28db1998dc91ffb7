"""nn.Sequential: PyTorch's parameter names (`0.weight`, `2.bias`), numbers equal to the
modules applied by hand, indexing, files, and the layer-by-layer tools (draw_network,
flow_stats) giving what they give for the equivalent MLP."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from tests.svg import parse
from weightgrad.engine import Value, render_svg
from weightgrad.nn import (
    MLP,
    Conv1d,
    Flatten,
    Linear,
    ReLU,
    RNNCell,
    Sequential,
    Tanh,
    draw_network,
    mse_loss,
)
from weightgrad.nn.flow import flow_stats
from weightgrad.nn.optim import Adam


def small() -> Sequential:
    return Sequential(Linear(2, 3, seed=1), ReLU(), Linear(3, 1, seed=2))


def test_parameters_are_named_as_pytorchs_state_dict() -> None:
    model = small()
    assert [n for n, _ in model.named_parameters()] == [
        *(f"0.weight.{i}.{j}" for i in range(3) for j in range(2)), "0.bias.0", "0.bias.1",
        "0.bias.2", "2.weight.0.0", "2.weight.0.1", "2.weight.0.2", "2.bias.0"]
    assert list(model.state_dict()) == ["0.weight.0", "0.weight.1", "0.weight.2", "0.bias",
                                        "2.weight.0", "2.bias"]
    assert [p.label for p in model.parameters()] == [n for n, _ in model.named_parameters()]
    assert [(m, g.name, g.shape) for m, g in model.weight_groups()] == [
        ("0", "weight", (3, 2)), ("0", "bias", (3,)), ("2", "weight", (1, 3)), ("2", "bias", (1,))]


def test_forward_is_the_modules_in_turn_by_hand() -> None:
    model = small()
    for p, x in zip(model.parameters(),
                    [1.0, -1.0, 0.5, 0.5, -2.0, 1.0, 0.0, 1.0, -1.0,  # 0.weight, 0.bias
                     2.0, 3.0, -1.0, 0.25]):  # 2.weight, 2.bias
        p.data = x
    x = [Value(2.0), Value(1.0)]
    out = model(x)
    # hidden = relu([2 - 1 + 0, 1 + 0.5 + 1, -4 + 1 - 1]) = [1, 2.5, 0]
    # out = 2·1 + 3·2.5 - 1·0 + 0.25 = 9.75
    assert [v.data for v in out] == [9.75]
    out[0].backward()
    # d out/d x = Σ_j w2[j] · relu'(h_j) · W1[j] = 2·[1, -1] + 3·[0.5, 0.5] = [3.5, -0.5]
    assert [v.grad for v in x] == [3.5, -0.5]
    assert [p.grad for p in model[2].weight[0]] == [1.0, 2.5, 0.0]


def test_indexing_slicing_len_and_iteration() -> None:
    first, act, last = Linear(2, 3, seed=1), ReLU(), Linear(3, 1, seed=2)
    model = Sequential(first, act, last)
    assert len(model) == 3 and list(model) == [first, act, last]
    assert model[0] is first and model[-1] is last and model[-3] is first
    head = model[:2]
    assert isinstance(head, Sequential) and list(head) == [first, act]
    assert head[0].weight is first.weight  # a slice shares the modules, as in PyTorch
    assert first.weight[0][0].label == "0.weight.0.0" and last.bias[0].label == "2.bias.0"
    assert model[1:][1].bias[0].label == "2.bias.0"  # a slice keeps the model's labels
    with pytest.raises(IndexError, match=r"^Sequential: index must be an int in \[-3, 2\], "
                                         r"got 3$"):
        model[3]
    with pytest.raises(TypeError, match=r"^Sequential: index must be an int or a slice, got "
                                        r"bool: True$"):
        model[True]
    assert len(Sequential()) == 0 and Sequential()([1.0]) == [1.0]


def test_what_a_sequential_refuses() -> None:
    with pytest.raises(TypeError, match=r"^Sequential: modules\[1\] must be an nn.Module"):
        Sequential(Linear(1, 1), lambda x: x)
    layer = Linear(2, 2, seed=0)
    with pytest.raises(ValueError, match=r"^Sequential: modules\[2\] must be a module not "
                                         r"already in the Sequential, got modules\[0\] again$"):
        Sequential(layer, ReLU(), layer)
    act = ReLU()  # a module without parameters may come back: nothing is counted twice
    twice = Sequential(Linear(2, 2, seed=0), act, Linear(2, 2, seed=1), act)
    assert len(twice.parameters()) == 12


def test_save_load_round_trip_and_repr(tmp_path: Path) -> None:
    model = small()
    model.save(tmp_path / "seq.json")
    twin = Sequential(Linear(2, 3, seed=5), ReLU(), Linear(3, 1, seed=6))
    twin.load(tmp_path / "seq.json")
    assert twin.state_dict() == model.state_dict()
    assert model.config()["modules"][1] == {"type": "ReLU", "config": {}}
    assert repr(model).splitlines() == [
        "Sequential(", "  (0): Linear(in_features=2, out_features=3, bias=True)",
        "  (1): ReLU()", "  (2): Linear(in_features=3, out_features=1, bias=True)", ")"]


def test_flatten_conv_and_linear_in_one_sequential() -> None:
    conv = Conv1d(1, 2, 2, seed=0)
    model = Sequential(conv, ReLU(), Flatten(), Linear(6, 1, seed=1))
    x = [[0.5, -1.0, 2.0, 0.0]]  # one channel of length 4 -> 2 channels of length 3
    by_hand = model[3](Flatten()(ReLU()(conv(x))))
    assert [v.data for v in model(x)] == [v.data for v in by_hand]
    assert [m for m, _ in model.weight_groups()] == ["0", "0", "3", "3"]
    assert model.dense_steps() is None  # a convolution is not a dense layer
    with pytest.raises(TypeError, match=r"^draw_network: model must be dense layers"):
        draw_network(model)


def mlp_and_twin(activation: str = "relu") -> tuple[MLP, Sequential]:
    """MLP(2, [4, 3, 2]) and the Sequential that PyTorch would build from it, same weights."""
    mlp = MLP(2, [4, 3, 2], activation=activation, seed=3)
    act = {"relu": ReLU, "tanh": Tanh}[activation]
    seq = Sequential(Flatten(), Linear(2, 4), act(), Linear(4, 3), act(), Linear(3, 2))
    for layer, linear in zip(mlp.layers, (seq[1], seq[3], seq[5])):
        for neuron, row, b in zip(layer.neurons, linear.weight, linear.bias):
            for w, p in zip(neuron.w, row):
                p.data = w.data
            b.data = neuron.b.data + 0.1  # biases that are not 0, the same on both sides
            neuron.b.data = b.data
    return mlp, seq


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_flow_stats_of_a_sequential_are_those_of_the_same_mlp(activation: str) -> None:
    mlp, seq = mlp_and_twin(activation)
    rng = random.Random(0)
    batch = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(5)]
    assert [[v.data for v in seq(x)] for x in batch] == [[v.data for v in mlp(x)]
                                                          for x in batch]
    got, want = flow_stats(seq, batch), flow_stats(mlp, batch)
    assert [s.name for s in got] == ["1", "3", "5"]  # each Linear's position
    assert [s.activation for s in got] == [activation, activation, "linear"]
    for s, t in zip(got, want, strict=True):
        assert replace(s, name=t.name) == t


def test_draw_network_draws_a_sequential_as_its_mlp() -> None:
    mlp, seq = mlp_and_twin()
    ours, theirs = parse(render_svg(draw_network(seq))), parse(render_svg(draw_network(mlp)))
    assert len(ours.edges) == len(theirs.edges) == 2 * 4 + 4 * 3 + 3 * 2
    # the same widths and colours, edge for edge; neurons labelled with their activation
    assert [(e.strokes, e.widths) for e in ours.edges] == [(e.strokes, e.widths)
                                                          for e in theirs.edges]
    labels = sorted(t for n in ours.nodes.values() for t in n.texts if t.startswith("b "))
    assert labels == sorted(t for n in theirs.nodes.values() for t in n.texts
                            if t.startswith("b "))
    assert sum("relu" in n.texts for n in ours.nodes.values()) == 4 + 3


def test_training_a_sequential_is_training_the_same_mlp() -> None:
    mlp, seq = mlp_and_twin("tanh")
    xs = [[x / 4, 1 - x / 8] for x in range(-4, 5)]
    targets = [[x[0] ** 2, x[1]] for x in xs]
    optimizers = [Adam(mlp.parameters(), lr=0.05), Adam(seq.parameters(), lr=0.05)]
    for _ in range(5):
        for model, opt in zip((mlp, seq), optimizers):
            outs = [model(x) for x in xs]
            loss = mse_loss([v for out in outs for v in out], [t for ts in targets for t in ts])
            opt.zero_grad()
            loss.backward()
            opt.step()
    for layer, linear in zip(mlp.layers, (seq[1], seq[3], seq[5])):
        assert [[w.data for w in n.w] for n in layer.neurons] == [
            [p.data for p in row] for row in linear.weight]
        assert [n.b.data for n in layer.neurons] == [b.data for b in linear.bias]


def test_a_sequential_of_other_modules_draws_in_hinton_not_network() -> None:
    model = Sequential(RNNCell(2, 2, seed=0))
    assert [g.name for _, g in model.weight_groups()] == ["weight_ih", "weight_hh", "bias_ih",
                                                          "bias_hh"]
    assert model.dense_steps() is None
