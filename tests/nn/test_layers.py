"""Neuron, Layer and MLP: micrograd's defaults, names, order, seeds, init choices, errors."""

from __future__ import annotations

import math
import random

import pytest

from weightgrad.engine import Value
from weightgrad.nn import MLP, Layer, Neuron


def test_default_mlp_is_micrograds_network() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    ws = [p for layer in model.layers for n in layer.neurons for p in n.w]
    assert all(-1.0 <= p.data <= 1.0 for p in ws)
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)
    assert len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) == 337


def test_neuron_computes_activation_of_weighted_sum_plus_bias() -> None:
    n = Neuron(2, "tanh", random.Random(0))
    n.w[0].data, n.w[1].data, n.b.data = 0.8, 0.6, 0.2
    out = n([0.5, 0.3])
    assert out.data == pytest.approx(math.tanh(0.78), abs=1e-15)


def test_outputs_value_for_one_neuron_else_list() -> None:
    assert isinstance(MLP(3, [4, 1], seed=1)([1, 2, 3]), Value)
    out = MLP(3, [4, 2], seed=1)([1, 2, 3])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(Layer(2, 1, rng=random.Random(0))([1, 2]), Value)
    assert isinstance(MLP(2, [16, 1, 1], seed=0)([0.5, -0.5]), Value)  # micrograd crashes


def test_parameter_order_and_names() -> None:
    model = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.b", "layers.0.neurons.1.w.0"]
    assert names[-1] == "layers.1.neurons.0.b"
    expected = [p for layer in model.layers for n in layer.neurons for p in [*n.w, n.b]]
    assert [id(p) for p in model.parameters()] == [id(p) for p in expected]
    assert len(set(names)) == len(names)


def test_seed_gives_same_weights_and_leaves_global_random_alone() -> None:
    state = random.getstate()
    a = [p.data for p in MLP(2, [8, 1], seed=42).parameters()]
    b = [p.data for p in MLP(2, [8, 1], seed=42).parameters()]
    c = [p.data for p in MLP(2, [8, 1], seed=43).parameters()]
    assert random.getstate() == state
    assert a == b and a != c


@pytest.mark.parametrize(("init", "bound"), [
    ("xavier", lambda fi, fo, gain: gain * math.sqrt(6 / (fi + fo))),
    ("kaiming", lambda fi, fo, gain: gain * math.sqrt(3 / fi)),
])
def test_init_choices_respect_their_bounds(init, bound) -> None:  # type: ignore[no-untyped-def]
    model = MLP(20, [30, 10], activation="tanh", init=init, seed=3)
    gains = {"tanh": 5 / 3, "linear": 1.0}
    for layer in model.layers:
        limit = bound(layer.nin, layer.nout, gains[layer.activation])
        ws = [p.data for row in layer.weight for p in row]
        assert max(abs(w) for w in ws) <= limit
        assert max(abs(w) for w in ws) > 0.8 * limit  # actually spread, not all tiny
        assert all(b.data == 0.0 for b in layer.bias)


@pytest.mark.parametrize(("args", "error", "fragment"), [
    ((0, [4]), ValueError, "MLP: nin must be an int >= 1, got 0"),
    ((2, []), ValueError, "MLP: nouts must be a non-empty list"),
    ((2, [4, 0]), ValueError, "MLP: nouts[1] must be an int >= 1, got 0"),
    ((2, [4, -3]), ValueError, "MLP: nouts[1] must be an int >= 1, got -3"),
    ((2, 4), TypeError, "MLP: nouts must be a non-empty list of layer sizes, got int: 4"),
    ((2.5, [4]), TypeError, "MLP: nin must be an int >= 1, got float: 2.5"),
    ((2, [4.0]), TypeError, "MLP: nouts[0] must be an int >= 1, got float: 4.0"),
])
def test_mlp_refuses_bad_shapes(args, error, fragment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as err:
        MLP(*args)
    assert fragment in str(err.value)


def test_unknown_activation_or_init_and_wrong_input_length() -> None:
    with pytest.raises(ValueError, match=r"^MLP: activation must be one of .*, got 'gelu'$"):
        MLP(2, [3], activation="gelu")
    with pytest.raises(ValueError, match=r"^MLP: init must be one of .*, got 'he'$"):
        MLP(2, [3], init="he")
    with pytest.raises(ValueError, match=r"x must be a list of 2 .*, got list of length 3"):
        MLP(2, [3], seed=0)([1, 2, 3])


def test_reprs() -> None:
    assert repr(MLP(2, [16, 16, 1], seed=0)) == \
        "MLP(2 → 16 relu → 16 relu → 1 linear; 337 parameters)"
    assert repr(Layer(3, 2, "tanh", random.Random(0))) == "Layer(3 → 2, tanh)"


def test_fusion_is_chosen_by_size_and_can_be_overridden() -> None:
    assert not MLP(2, [3, 1], seed=0).fused  # 9 weights: a lesson-sized model
    assert MLP(2, [16, 16, 1], seed=0).fused  # 320 weights
    assert not Neuron(2).fused and Neuron(40).fused
    assert MLP(2, [3, 1], fused=True).layers[0].neurons[0].fused
    assert not MLP(2, [16, 16, 1], fused=False).layers[1].neurons[0].fused


def test_fused_and_unfused_models_give_the_same_numbers() -> None:
    from weightgrad.nn import hinge_loss, l2_penalty, make_moons

    xs, ys = make_moons(40, noise=0.1, seed=1)
    results = []
    for fused in (True, False):
        model = MLP(2, [16, 16, 1], seed=7, fused=fused)
        scores = [model(x) for x in xs]
        loss = hinge_loss(scores, ys) + 1e-4 * l2_penalty(model.parameters())
        loss.backward()
        results.append((loss.data, [p.grad for p in model.parameters()]))
    (loss_f, grads_f), (loss_u, grads_u) = results
    assert loss_f == pytest.approx(loss_u, abs=1e-12)
    assert all(abs(a - b) <= 1e-12 for a, b in zip(grads_f, grads_u))
    assert sum(abs(g) for g in grads_f) > 1.0  # the comparison is not between zeros


def test_fused_neuron_draws_one_sigma_node_and_is_narrated() -> None:
    from tests.svg import parse
    from weightgrad.engine import explain, render_svg
    from weightgrad.engine.draw import draw_graph

    n = Neuron(2, "tanh", random.Random(0), fused=True)
    n.w[0].data, n.w[1].data, n.b.data = 0.8, 0.6, 0.2
    out = n([Value(0.5, "x1"), Value(0.3, "x2")])
    picture = parse(render_svg(draw_graph(out)))
    ops = [node for name, node in picture.nodes.items() if name.endswith("op")]
    assert sorted(node.texts[0] for node in ops) == ["tanh", "Σ"]
    sigma = next(name for name, node in picture.nodes.items() if node.texts == ["Σ"])
    assert sum(e.title.endswith(f"->{sigma}") for e in picture.edges) == 5  # w1 w2 x1 x2 b
    texts = [s.text for s in explain(out).steps]
    assert texts[0] == "n1 = b + w.0·x1 + w.1·x2 = 0.2 + 0.8·0.5 + 0.6·0.3 = 0.78"
    # 1 - tanh(0.78)² = 0.573974
    assert "w.0.grad += n1.grad * x1 = 0.573974 * 0.5 = 0.286987" in texts
    assert "x2.grad += n1.grad * w.1 = 0.573974 * 0.6 = 0.344384" in texts


def test_fused_neuron_on_numbers_draws_weights_and_bias_into_its_sigma() -> None:
    from tests.svg import parse
    from weightgrad.engine import explain, render_svg
    from weightgrad.engine.draw import draw_graph

    n = Neuron(2, "tanh", random.Random(0), fused=True)
    n.w[0].data, n.w[1].data, n.b.data = 0.8, 0.6, 0.2
    out = n([0.5, 0.3])  # numbers: kept in the Σ's op, as PyTorch keeps an input tensor
    picture = parse(render_svg(draw_graph(out)))
    sigma = next(name for name, node in picture.nodes.items() if node.texts == ["Σ"])
    assert sum(e.title.endswith(f"->{sigma}") for e in picture.edges) == 3  # w1 w2 b
    texts = [s.text for s in explain(out).steps]
    assert texts[0] == "n1 = b + w.0·0.5 + w.1·0.3 = 0.2 + 0.8·0.5 + 0.6·0.3 = 0.78"
    assert "w.0.grad += n1.grad * 0.5 = 0.573974 * 0.5 = 0.286987" in texts
    assert not any(t.startswith(("x", "0.5.grad")) for t in texts)


def test_parameters_are_labelled_with_their_names() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert all(p.label == name for name, p in model.named_parameters())


def test_copy_has_the_same_numbers_in_new_parameters() -> None:
    model = MLP(2, [4, 1], activation="tanh", seed=3)
    model.layers[0].neurons[0].w[0].data = 0.123
    twin = model.copy()
    assert twin.config() == model.config()
    assert [p.data for p in twin.parameters()] == [p.data for p in model.parameters()]
    twin.layers[0].neurons[0].w[0].data = 9.0
    assert model.layers[0].neurons[0].w[0].data == 0.123  # no shared Parameter objects
