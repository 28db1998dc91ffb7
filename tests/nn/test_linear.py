"""nn.Linear and the activation modules: PyTorch's names, shapes, init and numbers, checked
against hand-computed values and against the formulas of torch.nn.Linear's documentation."""

from __future__ import annotations

import math
import random

import pytest

from weightgrad.engine import Value
from weightgrad.nn import Flatten, LeakyReLU, Linear, ReLU, Sigmoid, Tanh, init
from weightgrad.nn.activation_modules import ActivationModule
from weightgrad.nn.activations import ACTIVATIONS


def _set(layer: Linear, weight: list[list[float]], bias: list[float] | None) -> None:
    for row, numbers in zip(layer.weight, weight, strict=True):
        for p, x in zip(row, numbers, strict=True):
            p.data = x
    if bias is not None:
        for p, x in zip(layer.bias, bias, strict=True):
            p.data = x


def test_names_and_shapes_are_pytorchs() -> None:
    layer = Linear(3, 2, seed=0)
    assert [n for n, _ in layer.named_parameters()] == [
        "weight.0.0", "weight.0.1", "weight.0.2", "weight.1.0", "weight.1.1", "weight.1.2",
        "bias.0", "bias.1"]
    assert list(layer.state_dict()) == ["weight.0", "weight.1", "bias"]
    assert [len(row) for row in layer.weight] == [3, 3]  # (out_features, in_features)
    assert [p.label for p in layer.parameters()] == [n for n, _ in layer.named_parameters()]
    bare = Linear(3, 2, bias=False, seed=0)
    assert bare.bias is None
    assert [n for n, _ in bare.named_parameters()][-1] == "weight.1.2"
    assert len(bare.parameters()) == 6
    assert repr(bare) == "Linear(in_features=3, out_features=2, bias=False)"


def test_init_is_pytorchs_reset_parameters_drawn_from_the_seed() -> None:
    # torch.nn.Linear: kaiming_uniform(a=√5) = U(-1/√in, 1/√in) for the weight, row by row,
    # then U(-1/√in, 1/√in) for the bias; here from random.Random(seed), in that order.
    layer = Linear(4, 3, seed=7)
    rng = random.Random(7)
    bound = 1 / math.sqrt(4)
    expected = [-bound + 2 * bound * rng.random() for _ in range(4 * 3 + 3)]
    assert [p.data for p in layer.parameters()] == pytest.approx(expected, rel=1e-12)
    assert max(abs(p.data) for p in layer.parameters()) <= bound
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) * math.sqrt(3 / 4) == (
        pytest.approx(bound, rel=1e-15))  # the a = √5 bound is 1/√fan_in
    assert Linear(4, 3, seed=7).state_dict() == layer.state_dict()
    assert Linear(4, 3, seed=8).state_dict() != layer.state_dict()


def test_forward_and_backward_by_hand() -> None:
    layer = Linear(3, 2, seed=0)
    _set(layer, [[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], [0.5, -1.0])
    x = [Value(1.0), Value(-2.0), Value(0.5)]
    y = layer(x)
    # y0 = 1·1 + 2·(-2) + 3·0.5 + 0.5 = -1; y1 = -1·1 + 0.5·(-2) + 2·0.5 - 1 = -2
    assert [v.data for v in y] == [-1.0, -2.0]
    (y[0] + y[1]).backward()
    # d/dW[i][j] = x[j]; d/db[i] = 1; d/dx[j] = Σ_i W[i][j]
    assert [[p.grad for p in row] for row in layer.weight] == [[1.0, -2.0, 0.5]] * 2
    assert [p.grad for p in layer.bias] == [1.0, 1.0]
    assert [v.grad for v in x] == [0.0, 2.5, 5.0]


def test_without_a_bias_it_is_w_times_x() -> None:
    layer = Linear(2, 2, bias=False, seed=0)
    _set(layer, [[2.0, -1.0], [0.25, 4.0]], None)
    assert [v.data for v in layer([3.0, 1.0])] == [5.0, 4.75]
    assert layer.config() == {"in_features": 2, "out_features": 2, "bias": False, "seed": 0}


def test_a_linear_with_one_output_still_returns_a_list() -> None:
    out = Linear(2, 1, seed=0)([1.0, 1.0])
    assert isinstance(out, list) and len(out) == 1  # PyTorch gives a tensor of shape (1,)


# -- the activation modules ----------------------------------------------------------------

MODULES = [(ReLU(), lambda x: max(x, 0.0)), (Tanh(), math.tanh),
           (Sigmoid(), lambda x: 1 / (1 + math.exp(-x))),
           (LeakyReLU(), lambda x: x if x > 0 else 0.01 * x),
           (LeakyReLU(0.2), lambda x: x if x > 0 else 0.2 * x)]


@pytest.mark.parametrize(("module", "f"), MODULES, ids=repr)
def test_activation_modules_compute_their_function_elementwise(module: ActivationModule,
                                                               f: object) -> None:
    xs = [-2.0, -0.5, 0.0, 0.75, 3.0]
    assert [v.data for v in module(xs)] == pytest.approx([f(x) for x in xs], rel=1e-15)
    nested = module([[xs[0], xs[1]], [xs[4]]])  # a nested list keeps its shape
    assert [len(row) for row in nested] == [2, 1]
    assert [v.data for row in nested for v in row] == pytest.approx(
        [f(xs[0]), f(xs[1]), f(xs[4])], rel=1e-15)
    one = module(Value(0.75))
    assert isinstance(one, Value)
    assert one.data == pytest.approx(f(0.75), rel=1e-15)
    assert module.parameters() == [] and list(module.weight_groups()) == []


@pytest.mark.parametrize(("module", "f"), MODULES, ids=repr)
def test_activation_modules_are_entries_of_the_table(module: ActivationModule,
                                                     f: object) -> None:
    # The module names the table's entry; its derivative is the op catalogue's.
    assert module.activation in ACTIVATIONS
    h = 1e-6
    for x0 in (-1.3, 0.4, 2.0):
        x = Value(x0)
        module(x).backward()
        central = (f(x0 + h) - f(x0 - h)) / (2 * h)
        assert x.grad == pytest.approx(central, rel=1e-6)


def test_leaky_relu_slope_and_repr() -> None:
    assert LeakyReLU(0.3)(-2.0).data == pytest.approx(-0.6, rel=1e-15)
    assert LeakyReLU().negative_slope == 0.01
    assert repr(LeakyReLU(0.3)) == "LeakyReLU(negative_slope=0.3)"
    assert repr(ReLU()) == "ReLU()"


def test_nested_inputs_must_keep_one_depth() -> None:
    with pytest.raises(TypeError, match=r"^ReLU: x\[1\] must be a list of real numbers or "
                                        r"Values, got float: 2.0$"):
        ReLU()([[1.0], 2.0])
    with pytest.raises(TypeError, match=r"^Tanh: x\[0\]\[1\] must be a real number or a Value, "
                                        r"got list: \[2.0\]$"):
        Tanh()([[1.0, [2.0]]])


def test_flatten_reads_rows_in_order() -> None:
    assert Flatten()([[1.0, 2.0], [3.0], [4.0, 5.0]]) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert Flatten()([[[1.0], [2.0]], [[3.0]]]) == [1.0, 2.0, 3.0]
    assert Flatten()([1.0, 2.0]) == [1.0, 2.0]  # already flat: as it is
    v = Value(1.5)
    assert Flatten()([[v]])[0] is v  # Values pass through, so gradients reach them
    with pytest.raises(TypeError, match=r"^Flatten: x must be a \(nested\) list of real "
                                        r"numbers or Values, got float: 1.0$"):
        Flatten()(1.0)
