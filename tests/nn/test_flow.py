"""nn.flow: per-layer activation and gradient statistics, checked against plain-float
computations written here (by hand for a tiny tanh net, by central differences for a sigmoid
net), crafted saturated and dead units, and refusals that leave the gradients untouched."""

from __future__ import annotations

import math
import statistics

import pytest

from weightgrad.engine import Value, no_grad
from weightgrad.nn import MLP, mse_loss
from weightgrad.nn.flow import flow_stats, forward_with_activations, is_saturated

X = [[1.0, 2.0], [-0.5, 0.25], [0.3, -1.2]]


def set_weights(model: MLP, layers: list[list[tuple[list[float], float]]]) -> None:
    for layer, neurons in zip(model.layers, layers):
        for neuron, (w, b) in zip(layer.neurons, neurons):
            for p, x in zip(neuron.w, w):
                p.data = x
            neuron.b.data = b


def test_tiny_tanh_net_matches_hand_computed_activations_and_gradients() -> None:
    w0, b0 = [[0.5, -0.3], [-0.8, 0.2]], [0.1, -0.2]
    w1, b1 = [1.5, -0.7], 0.3
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    set_weights(model, [[(w0[0], b0[0]), (w0[1], b0[1])], [(w1, b1)]])
    stats = flow_stats(model, X)

    # Plain floats: h = tanh(W0 x + b0), y = w1·h + b1, loss = mean_b y².
    n = len(X)
    h = [[math.tanh(b0[j] + w0[j][0] * x[0] + w0[j][1] * x[1]) for j in range(2)] for x in X]
    y = [b1 + w1[0] * hb[0] + w1[1] * hb[1] for hb in h]
    dy = [2 * yb / n for yb in y]
    g1 = [sum(dy[b] * h[b][j] for b in range(n)) for j in range(2)]
    dz = [[dy[b] * w1[j] * (1 - h[b][j] ** 2) for j in range(2)] for b in range(n)]
    g0 = [sum(dz[b][j] * X[b][k] for b in range(n)) for j in range(2) for k in range(2)]

    first, last = stats
    assert (first.name, first.activation, last.name, last.activation) == (
        "layers.0", "tanh", "layers.1", "linear")
    flat_w0 = [w for row in w0 for w in row]
    assert first.weight_mean == pytest.approx(statistics.fmean(flat_w0), rel=1e-12)
    assert first.weight_std == pytest.approx(statistics.pstdev(flat_w0), rel=1e-12)
    acts = [a for hb in h for a in hb]
    assert first.act_mean == pytest.approx(statistics.fmean(acts), rel=1e-12)
    assert first.act_std == pytest.approx(statistics.pstdev(acts), rel=1e-12)
    assert last.act_mean == pytest.approx(statistics.fmean(y), rel=1e-12)
    assert last.act_std == pytest.approx(statistics.pstdev(y), rel=1e-12)
    assert first.grad_norm == pytest.approx(math.hypot(*g0), rel=1e-12)
    assert last.grad_norm == pytest.approx(math.hypot(*g1), rel=1e-12)
    assert first.grad_to_weight == pytest.approx(math.hypot(*g0) / math.hypot(*flat_w0),
                                                 rel=1e-12)
    assert last.grad_to_weight == pytest.approx(math.hypot(*g1) / math.hypot(*w1), rel=1e-12)
    assert first.saturated == 0.0 and first.dead_units == 0.0  # every |h| < 0.99 here
    assert max(abs(a) for a in acts) < 0.99


def test_sigmoid_net_gradient_norms_match_central_differences_with_a_given_loss() -> None:
    model = MLP(2, [3, 3, 1], activation="sigmoid", init="xavier", seed=4)
    targets = [1.0, -1.0, 0.5]
    stats = flow_stats(model, X, loss_fn=lambda outs: mse_loss(outs, targets))

    def loss(ws: list[list[list[float]]]) -> float:  # the same net, written with floats
        total = 0.0
        for x, t in zip(X, targets):
            h = x
            for i, layer in enumerate(model.layers):
                z = [n.b.data + sum(w * v for w, v in zip(ws[i][j], h))
                     for j, n in enumerate(layer.neurons)]
                h = z if i == len(model.layers) - 1 else [1 / (1 + math.exp(-v)) for v in z]
            total += (h[0] - t) ** 2
        return total / len(X)

    weights = [[[w.data for w in row] for row in layer.weight] for layer in model.layers]
    eps = 1e-6
    for i, s in enumerate(stats):
        grads = []
        for row in weights[i]:
            for k, w in enumerate(row):
                row[k] = w + eps
                up = loss(weights)
                row[k] = w - eps
                down = loss(weights)
                row[k] = w
                grads.append((up - down) / (2 * eps))
        assert s.grad_norm == pytest.approx(math.hypot(*grads), rel=1e-6), s.name


def test_dead_relu_fraction_on_a_crafted_network() -> None:
    model = MLP(2, [3, 1], activation="relu", seed=0)
    # neuron 0 is negative on every (positive) input: dead. Neuron 1 is always positive.
    # Neuron 2 computes x0 - x1: negative, positive, exactly 0, positive.
    set_weights(model, [[([-1.0, -1.0], -0.5), ([1.0, 1.0], 0.0), ([1.0, -1.0], 0.0)],
                        [([1.0, 1.0, 1.0], 0.0)]])
    inputs = [[1.0, 2.0], [2.0, 1.0], [0.5, 0.5], [3.0, 0.0]]
    hidden, out = flow_stats(model, inputs)
    assert hidden.saturated == (4 + 0 + 2) / 12
    assert hidden.dead_units == 1 / 3
    assert [w.grad for w in model.layers[0].neurons[0].w] == [0.0, 0.0]  # no gradient gets in
    assert out.saturated == 0.0 and out.dead_units == 0.0  # a linear layer never saturates


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_saturation_counts_flat_tanh_and_sigmoid_outputs(activation: str) -> None:
    model = MLP(1, [2, 1], activation=activation, seed=0)
    set_weights(model, [[([10.0], 0.0), ([0.1], 0.0)], [([1.0, 1.0], 0.0)]])
    hidden, _ = flow_stats(model, [[1.0], [-1.0], [0.05]])
    # neuron 0 sees ±10 (flat) and 0.5 (not); neuron 1 sees at most 0.1 (not flat)
    assert hidden.saturated == 2 / 6
    assert hidden.dead_units == 0.0


def test_saturation_thresholds() -> None:
    assert is_saturated("tanh", -0.995) and not is_saturated("tanh", 0.99)
    assert is_saturated("sigmoid", 0.995) and is_saturated("sigmoid", 0.005)
    assert not is_saturated("sigmoid", 0.5) and not is_saturated("sigmoid", 0.989)
    assert is_saturated("relu", 0.0) and not is_saturated("relu", 1e-300)
    assert not is_saturated("linear", 0.0)
    with pytest.raises(ValueError, match="gelu"):
        is_saturated("gelu", 0.0)


def test_grad_norm_is_the_norm_of_this_batchs_weight_grads_only() -> None:
    model = MLP(3, [4, 4, 1], activation="tanh", seed=2)
    inputs = [[0.1, -0.2, 0.3], [1.0, 0.5, -1.5]]
    for p in model.parameters():
        p.grad = 123.0  # stale gradients from elsewhere must not count
    stats = flow_stats(model, inputs)
    for s, layer in zip(stats, model.layers):
        grads = [w.grad for row in layer.weight for w in row]
        assert s.grad_norm == math.sqrt(sum(g * g for g in grads))
    assert flow_stats(model, inputs) == stats  # a second call: the same numbers
    fresh = MLP(3, [4, 4, 1], activation="tanh", seed=2)
    assert flow_stats(fresh, inputs) == stats


def test_default_loss_is_mean_of_squares_over_batch_and_output_neurons() -> None:
    model = MLP(2, [2], seed=0)  # one linear layer with two outputs: y = W x + b
    set_weights(model, [[([0.5, -1.0], 0.2), ([2.0, 0.3], -0.1)]])
    (stats,) = flow_stats(model, X)
    w, b = [[0.5, -1.0], [2.0, 0.3]], [0.2, -0.1]
    y = [[b[j] + w[j][0] * x[0] + w[j][1] * x[1] for j in range(2)] for x in X]
    count = 2 * len(X)
    grads = [sum(2 * y[n][j] * X[n][k] for n in range(len(X))) / count
             for j in range(2) for k in range(2)]
    assert stats.grad_norm == pytest.approx(math.hypot(*grads), rel=1e-12)


def test_frozen_layer_still_reports_its_gradient() -> None:
    inputs = [[0.3, -0.7], [1.1, 0.4]]
    frozen = MLP(2, [3, 1], activation="tanh", seed=5)
    frozen.layers[0].freeze()
    assert flow_stats(frozen, inputs) == flow_stats(MLP(2, [3, 1], "tanh", seed=5), inputs)
    assert flow_stats(frozen, inputs)[0].grad_norm > 0


def test_all_zero_weights_give_nan_relative_gradient() -> None:
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    set_weights(model, [[([0.0, 0.0], 0.5), ([0.0, 0.0], -0.5)], [([1.0, 1.0], 0.3)]])
    first, _ = flow_stats(model, X)
    assert first.grad_norm > 0 and math.isnan(first.grad_to_weight)


def test_activations_match_the_models_own_output() -> None:
    model = MLP(3, [4, 4, 1], activation="relu", seed=7)
    x = [0.5, -1.0, 2.0]
    out, acts = forward_with_activations(model, x)
    assert isinstance(out, Value) and out is acts[-1][0]
    assert out.data == model(x).data
    assert [len(a) for a in acts] == [4, 4, 1]
    assert [v.data for v in acts[1]] == [v.data for v in model.layers[1].forward(acts[0])]
    assert all(v.data >= 0 for v in acts[0] + acts[1])  # post-activation: relu'd
    wide = MLP(3, [4, 2], activation="tanh", seed=7)
    outs, acts = forward_with_activations(wide, x)
    assert isinstance(outs, list) and outs == acts[-1]
    assert [v.data for v in outs] == [v.data for v in wide(x)]


def test_bad_input_is_refused_and_changes_no_gradient() -> None:
    model = MLP(2, [3, 1], seed=0)
    for p in model.parameters():
        p.grad = 7.0
    with pytest.raises(TypeError, match=r"^flow_stats: model must be dense layers in sequence "
                                        r"\(an MLP, a Layer, a Neuron, a Linear, or a "
                                        r"Sequential of Linears and activations\), got list: "
                                        r"\[Layer"):
        flow_stats(model.layers, X)
    with pytest.raises(ValueError, match=r"^flow_stats: inputs must be a non-empty list"):
        flow_stats(model, [])
    with pytest.raises(ValueError, match=r"^flow_stats: inputs\[1\] must be a list of 2 real "
                                         r"numbers or Values, got list of length 3$"):
        flow_stats(model, [[1.0, 2.0], [1.0, 2.0, 3.0]])
    with pytest.raises(TypeError, match=r"^flow_stats: inputs\[0\] must be a list of 2 .*, "
                                        r"got str: 'ab'$"):
        flow_stats(model, ["ab"])
    with pytest.raises(TypeError, match=r"^flow_stats: inputs\[0\]\[1\] must be a real number "
                                        r"or a Value, got bool: True$"):
        flow_stats(model, [[1.0, True]])
    with pytest.raises(TypeError, match="loss_fn must return a Value"):
        flow_stats(model, X, loss_fn=lambda outs: 1.0)
    with pytest.raises(ValueError, match=r"MLP: x must be a list of 2 .*, got list of length 1"):
        forward_with_activations(model, [1.0])
    with no_grad(), pytest.raises(RuntimeError, match="no_grad"):
        flow_stats(model, X)
    assert all(p.grad == 7.0 for p in model.parameters())
