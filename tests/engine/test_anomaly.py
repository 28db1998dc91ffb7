"""engine.anomaly: under detect_anomaly(), backward() names the first non-finite value or
gradient; without it the same graphs give IEEE numbers and raise nothing.

Each graph has one known first culprit, worked out by hand; messages are compared whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

import weightgrad.engine as engine
from weightgrad.engine import (
    AnomalyError,
    Value,
    detect_anomaly,
    find_nonfinite,
    is_anomaly_enabled,
)
from weightgrad.engine.autograd import topological_order
from weightgrad.engine.names import node_names
from weightgrad.nn import MLP, hinge_loss, l2_penalty, make_moons

INF, NAN = math.inf, math.nan
Graph = Callable[[], tuple[Value, dict[str, Value]]]


def same(a: float, b: float) -> bool:
    """Equal, or both nan."""
    return a == b or (a != a and b != b)


# -- the cases: a graph, its first culprit, and what plain IEEE backprop gives ---------------

def log_of_zero() -> tuple[Value, dict[str, Value]]:
    x = Value(0.0, "x")
    return x.log() * 2, {"x": x}


def zero_over_zero() -> tuple[Value, dict[str, Value]]:
    a, b = Value(0.0, "a"), Value(0.0, "b")
    return a / b + 1, {"a": a, "b": b}


def exp_overflow() -> tuple[Value, dict[str, Value]]:
    # exp(1000) - exp(1000) is inf - inf = nan at the root, but the source is the first exp
    x = Value(1000.0, "x")
    return x.exp() - x.exp(), {"x": x}


def inf_minus_inf_inputs() -> tuple[Value, dict[str, Value]]:
    a, b = Value(INF, "a"), Value(INF, "b")
    return (a - b) * 3, {"a": a, "b": b}


def subtraction_overflow() -> tuple[Value, dict[str, Value]]:
    a, b = Value(1e308, "a"), Value(-1e308, "b")
    return (a - b).tanh(), {"a": a, "b": b}


def nan_input() -> tuple[Value, dict[str, Value]]:
    x, w = Value(NAN, "x"), Value(2.0, "w")
    return (w * 3 + x * w).relu(), {"x": x, "w": w}  # relu(nan) is nan, as in PyTorch


def nan_constant() -> tuple[Value, dict[str, Value]]:
    x = Value(1.0, "x")
    return x * NAN + x, {"x": x}


def sqrt_at_zero() -> tuple[Value, dict[str, Value]]:
    x = Value(0.0, "x")
    return x ** 0.5, {"x": x}  # 0 forward, d/dx = 0.5 * 0 ** -0.5 = inf backward


def log_of_subnormal() -> tuple[Value, dict[str, Value]]:
    x = Value(1e-320, "x")
    return x.log(), {"x": x}  # log is -736.8 (finite); 1/x overflows to inf


def product_overflow_backward() -> tuple[Value, dict[str, Value]]:
    a, b, c = Value(1e200, "a"), Value(1e-200, "b"), Value(1e200, "c")
    return a * b * c, {"a": a, "b": b, "c": c}  # every value finite; b.grad = a * c = inf


def accumulation_overflow() -> tuple[Value, dict[str, Value]]:
    x = Value(1e-308, "x")
    return x * 1e308 + x * 1e308, {"x": x}  # 2 forward; x.grad = 1e308 + 1e308 = inf


def fan_out_forward() -> tuple[Value, dict[str, Value]]:
    x = Value(0.0, "x")
    return x * 2 + x.exp() + x.log() + x.tanh(), {"x": x}


def fan_out_backward() -> tuple[Value, dict[str, Value]]:
    x = Value(0.0, "x")
    return x * 3 + x ** 0.5 + x.exp(), {"x": x}


CASES = [
    # (graph, phase, message, culprit, root value, {leaf: grad} without the mode)
    (log_of_zero, "forward", "forward: n1 = log(x) gave -inf from x = 0", "n1",
     -INF, {"x": INF}),
    (zero_over_zero, "forward", "forward: n1 = a / b gave nan from a = 0, b = 0", "n1",
     NAN, {"a": INF, "b": NAN}),
    (exp_overflow, "forward", "forward: n1 = exp(x) gave inf from x = 1000", "n1",
     NAN, {"x": NAN}),
    (inf_minus_inf_inputs, "forward", "forward: input a is inf (used by n1 = a - b)", "a",
     NAN, {"a": 3.0, "b": -3.0}),
    (subtraction_overflow, "forward",
     "forward: n1 = a - b gave inf from a = 1e+308, b = -1e+308", "n1", 1.0, {"a": 0.0, "b": 0.0}),
    (nan_input, "forward", "forward: input x is nan (used by n2 = x * w)", "x",
     NAN, {"x": 0.0, "w": NAN}),  # w.grad: 0 * x = 0 * nan
    (nan_constant, "forward", "forward: a constant is nan (used by n1 = x * nan)", "nan",
     NAN, {"x": NAN}),
    (sqrt_at_zero, "backward",
     "backward: x.grad became inf from n1.grad * 0.5·x**-0.5 = 1 * inf at node n1 = x**0.5",
     "x", 0.0, {"x": INF}),
    (log_of_subnormal, "backward",
     "backward: x.grad became inf from n1.grad * (1/x) = 1 / 9.99989e-321 at node n1 = log(x)",
     "x",
     math.log(1e-320), {"x": INF}),
    (product_overflow_backward, "backward",
     "backward: b.grad became inf from n1.grad * a = 1e+200 * 1e+200 at node n1 = a * b", "b",
     1e200, {"a": 1.0, "b": INF, "c": 1.0}),
    (accumulation_overflow, "backward",
     "backward: x.grad became inf from n1.grad * 1e+308 = 1 * 1e+308 = 1e+308, added to 1e+308 "
     "at node n1 = x * 1e+308", "x", 2.0 - 2 ** -52, {"x": INF}),
    (fan_out_forward, "forward", "forward: n4 = log(x) gave -inf from x = 0", "n4",
     -INF, {"x": INF}),
    (fan_out_backward, "backward",
     "backward: x.grad became inf from n2.grad * 0.5·x**-0.5 = 1 * inf = inf, added to 1 at "
     "node n2 = x**0.5", "x", 1.0, {"x": INF}),
]
IDS = [case[0].__name__ for case in CASES]


def name_of(node: Value, root: Value) -> str:
    return node_names(topological_order(root))[id(node)]


@pytest.mark.parametrize(("graph", "phase", "message", "culprit", "value", "grads"), CASES,
                         ids=IDS)
def test_the_first_culprit_is_named_with_its_op_and_operands(
        graph: Graph, phase: str, message: str, culprit: str, value: float,
        grads: dict[str, float]) -> None:
    out, _ = graph()
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        out.backward()
    assert str(caught.value) == message
    assert caught.value.phase == phase
    assert name_of(caught.value.node, out) == culprit  # the names explain() and pictures use
    assert "\n" not in message


@pytest.mark.parametrize(("graph", "phase", "message", "culprit", "value", "grads"), CASES,
                         ids=IDS)
def test_without_the_mode_the_same_graphs_give_ieee_numbers(
        graph: Graph, phase: str, message: str, culprit: str, value: float,
        grads: dict[str, float]) -> None:
    assert not is_anomaly_enabled()
    out, leaves = graph()
    out.backward()  # no exception
    assert same(out.data, value), out.data
    assert {k: leaves[k].grad for k in grads} == pytest.approx(grads, nan_ok=True)


@pytest.mark.parametrize(("graph", "phase", "message", "culprit", "value", "grads"), CASES,
                         ids=IDS)
def test_find_nonfinite_is_the_forward_scan_alone(
        graph: Graph, phase: str, message: str, culprit: str, value: float,
        grads: dict[str, float]) -> None:
    out, leaves = graph()
    found = find_nonfinite(out)
    assert found == (message if phase == "forward" else None)
    assert all(leaf.grad == 0.0 for leaf in leaves.values())  # it changes nothing


def test_an_anomaly_error_is_an_arithmetic_error_and_exported() -> None:
    assert issubclass(AnomalyError, ArithmeticError)
    assert engine.detect_anomaly is detect_anomaly and engine.AnomalyError is AnomalyError
    assert engine.find_nonfinite is find_nonfinite


def test_the_mode_is_restored_after_an_exception_and_nests() -> None:
    assert not is_anomaly_enabled()
    with pytest.raises(AnomalyError), detect_anomaly():
        assert is_anomaly_enabled()
        log_of_zero()[0].backward()
    assert not is_anomaly_enabled()
    with detect_anomaly():
        with detect_anomaly():
            assert is_anomaly_enabled()
        assert is_anomaly_enabled()  # the inner exit restores the outer mode, not "off"
        with detect_anomaly(enabled=False):
            assert not is_anomaly_enabled()
            out, _ = log_of_zero()
            out.backward()  # off inside: IEEE numbers, no exception
            assert out.data == -INF
        assert is_anomaly_enabled()
        with pytest.raises(ZeroDivisionError), detect_anomaly():
            raise ZeroDivisionError  # any exception, not only an anomaly
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()


def test_detect_anomaly_works_as_a_decorator() -> None:
    @detect_anomaly()
    def train_step() -> None:
        assert is_anomaly_enabled()
        sqrt_at_zero()[0].backward()

    for _ in range(2):  # reusable
        with pytest.raises(AnomalyError, match=r"x\.grad became inf"):
            train_step()
        assert not is_anomaly_enabled()


def test_a_leaf_root() -> None:
    x = Value(2.0, "x")
    with detect_anomaly():
        x.backward()
        x.backward()
    assert x.grad == 2.0  # accumulates, as backward() does on a leaf
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"^forward: input y is nan$"):
        Value(NAN, "y").backward()


def test_a_leaf_gradient_already_non_finite_from_earlier_calls_is_named() -> None:
    x = Value(0.0, "x")
    (x ** 0.5).backward()  # x.grad = inf, no mode
    out = x * 2
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        out.backward()
    assert str(caught.value) == ("backward: x.grad became inf from n1.grad * 2 = 1 * 2 = 2, "
                                 "added to inf already non-finite from earlier backward() calls "
                                 "(leaves accumulate) at node n1 = x * 2")


def test_a_nan_weight_is_named_as_a_parameter() -> None:
    model = MLP(2, [3, 1], seed=0)
    model.label_parameters()
    weight = dict(model.named_parameters())["layers.0.neurons.1.w.0"]
    weight.data = NAN
    loss = model([0.5, -1.0])
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        loss.backward()
    assert str(caught.value).startswith("forward: parameter layers.0.neurons.1.w.0 is nan (used "
                                        "by n")
    assert caught.value.node is weight


def test_a_finite_graph_gives_the_same_gradients_and_raises_nothing() -> None:
    out = (Value(2.0, "x") * Value(-3.0, "w") + 1).tanh()
    assert find_nonfinite(out) is None


def all_grads(root: Value) -> list[float]:
    return [v.grad for v in topological_order(root)]


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unfused"])
def test_a_moons_step_gives_exactly_the_same_gradients_under_the_mode(fused: bool) -> None:
    """Every gradient of the graph, leaves and intermediates, bit for bit (the checked
    backward accumulates in backward()'s order). The step of README's example: hinge loss
    plus an L2 penalty, whose Σ has every weight as both a weight and an input."""
    xs, ys = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0, fused=fused)
    loss = hinge_loss([model(x) for x in xs], ys) + 1e-4 * l2_penalty(model.parameters())
    loss.backward()
    plain = all_grads(loss)
    params = [p.grad for p in model.parameters()]
    for v in topological_order(loss):
        v.grad = 0.0
    with detect_anomaly():
        loss.backward()
    assert all_grads(loss) == plain
    assert [p.grad for p in model.parameters()] == params
    assert any(g != 0.0 for g in params)
