"""nn.activations: nn's activation table is the op catalogue's ops with a gain (plus linear),
and every user of activations reads it: layers (fused and unfused), nn.init's gains and
nn.flow's saturation. Numbers are PyTorch's table and hand-worked forward and backward passes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from weightgrad.engine import Value, gradcheck, ops
from weightgrad.nn import MLP
from weightgrad.nn.activations import ACTIVATIONS, LINEAR, get
from weightgrad.nn.flow import flow_stats, is_saturated
from weightgrad.nn.init import calculate_gain


def test_the_table_is_the_catalogue_ops_with_a_gain_and_linear() -> None:
    with_gain = {name for name, op in ops.registry().items() if op.gain is not None}
    assert set(ACTIVATIONS) == with_gain | {"linear"}
    assert {"relu", "tanh", "sigmoid", "leaky_relu"} <= with_gain
    for name, act in ACTIVATIONS.items():
        assert act.op is (None if name == "linear" else ops.registry()[name])
    assert ACTIVATIONS["linear"] is LINEAR and LINEAR(x := Value(2.0)) is x  # adds no node


@pytest.mark.parametrize(("name", "param", "gain"), [
    ("relu", None, math.sqrt(2.0)),  # PyTorch's calculate_gain table
    ("tanh", None, 5.0 / 3.0),
    ("sigmoid", None, 1.0),
    ("linear", None, 1.0),
    ("leaky_relu", None, math.sqrt(2.0 / (1.0 + 0.01 ** 2))),
    ("leaky_relu", 0.1, math.sqrt(2.0 / (1.0 + 0.1 ** 2))),
    ("leaky_relu", 0.0, math.sqrt(2.0)),
])
def test_gains_are_pytorchs_and_calculate_gain_reads_them(name: str, param: float | None,
                                                          gain: float) -> None:
    assert get(name, param).gain == pytest.approx(gain, rel=1e-15)
    assert calculate_gain(name, param) == get(name, param).gain


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: get("gelu"), ValueError, "unknown activation 'gelu'; choose one of linear, "),
    (lambda: get("relu", 0.1), ValueError, "'relu' takes no parameter"),
    (lambda: get("linear", 0.1), ValueError, "'linear' takes no parameter"),
    (lambda: get("leaky_relu", True), TypeError, "negative_slope"),
    (lambda: get(["relu"]), ValueError, "unknown activation"),  # type: ignore[arg-type]
])
def test_bad_names_and_parameters_are_refused(call, error: type, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("fused", [False, True])
def test_a_leaky_relu_mlp_computes_and_backpropagates_pytorchs_numbers(fused: bool) -> None:
    model = MLP(1, [1, 1], activation="leaky_relu", seed=0, fused=fused)
    hidden, out_neuron = model.layers[0].neurons[0], model.layers[1].neurons[0]
    hidden.w[0].data, hidden.b.data = 2.0, 0.5
    out_neuron.w[0].data, out_neuron.b.data = 3.0, 0.0
    # x = -1: pre-activation 0.5 + 2·(-1) = -1.5, leaky_relu = 0.01·(-1.5), out = 3 · that;
    # d out / d w_hidden = 3 · 0.01 · x, d out / d b_hidden = 3 · 0.01
    out = model([-1.0])
    out.backward()
    assert out.data == 3.0 * (-1.5 * 0.01)
    assert hidden.w[0].grad == 3.0 * 0.01 * -1.0 and hidden.b.grad == 3.0 * 0.01
    assert [layer.activation for layer in model.layers] == ["leaky_relu", "linear"]


def test_fused_and_unfused_leaky_relu_layers_agree_to_the_last_bit() -> None:
    results = []
    for fused in (False, True):
        model = MLP(3, [4, 2], activation="leaky_relu", seed=7, fused=fused)
        outs = model([0.3, -1.2, 0.8])
        (outs[0] * outs[1]).backward()
        results.append(([o.data for o in outs], [p.grad for p in model.parameters()]))
    assert results[0] == results[1]


def test_kaiming_init_of_a_leaky_relu_mlp_uses_its_gain() -> None:
    model = MLP(400, [50, 1], activation="leaky_relu", init="kaiming", seed=1)
    bound = math.sqrt(2.0 / (1.0 + 0.01 ** 2)) * math.sqrt(3.0 / 400)  # gain · √(3 / fan_in)
    weights = [w.data for row in model.layers[0].weight for w in row]
    assert max(map(abs, weights)) <= bound
    assert max(map(abs, weights)) > 0.99 * bound  # 20,000 draws reach the edge of U(-b, b)


def test_a_leaky_relu_is_never_saturated_for_flow() -> None:
    # Its slope is 1 or 0.01, never 0: no flat region, unlike relu at 0.
    assert not any(is_saturated("leaky_relu", a) for a in (0.0, -0.0, -1e-300, -5.0, 3.0))
    assert is_saturated("relu", 0.0)
    model = MLP(2, [3, 1], activation="leaky_relu", seed=0)
    for neuron in model.layers[0].neurons:  # every hidden pre-activation negative
        neuron.w[0].data, neuron.w[1].data, neuron.b.data = -1.0, -1.0, -0.5
    hidden, _ = flow_stats(model, [[1.0, 2.0], [0.5, 0.5]])
    assert hidden.activation == "leaky_relu" and hidden.saturated == 0.0
    assert hidden.dead_units == 0.0
    assert all(w.grad != 0.0 for w in model.layers[0].neurons[0].w)  # gradient still flows


@pytest.fixture
def softsign() -> Iterator[ops.Op]:
    # softsign(x) = x / (1 + |x|) (PyTorch's Softsign), derivative 1 / (1 + |x|)²; flat where
    # |out| > 0.99 (slope (1 - |out|)² < 1e-4), with an illustrative gain of 1.
    op = ops.define("softsign", lambda x: x / (1.0 + abs(x)),
                    lambda out, x: (1.0 / (1.0 + abs(x)) ** 2,), ("1/(1 + |{a}|)²",),
                    gain=1.0, saturated=lambda out: abs(out) > 0.99)
    try:
        yield op
    finally:
        if "softsign" in ops.registry():  # a test may have removed it
            ops.unregister("softsign")


@pytest.mark.parametrize("fused", [False, True])
def test_a_user_defined_op_with_a_gain_is_an_activation_everywhere(softsign: ops.Op,
                                                                   fused: bool) -> None:
    assert ACTIVATIONS["softsign"].op is softsign and calculate_gain("softsign") == 1.0
    model = MLP(2, [3, 1], activation="softsign", seed=0, fused=fused)
    out = model([0.5, -0.25])
    assert any(v.op is softsign for v in _nodes(out))
    assert is_saturated("softsign", 0.995) and not is_saturated("softsign", 0.5)
    assert gradcheck(lambda a, b: MLP(2, [3, 1], activation="softsign", seed=0,
                                      fused=fused)([a, b]), [0.5, -0.25])


def test_an_unregistered_op_is_no_activation_any_more(softsign: ops.Op) -> None:
    ops.unregister("softsign")
    assert "softsign" not in ACTIVATIONS
    with pytest.raises(ValueError, match="softsign"):
        MLP(2, [3, 1], activation="softsign")


def _nodes(root: Value) -> list[Value]:
    from weightgrad.engine import topological_order

    return topological_order(root)
