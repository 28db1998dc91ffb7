"""The op catalogue: every op's value against a float reference and its gradient against
central differences. Inputs stay away from poles (log 0, 1/0) and kinks (relu at 0).
Adding an op to engine/ops.py means adding one line to CATALOGUE.

A function op's line is named after it and calls its Value method; its reference is exact
IEEE 754 float arithmetic (exp(1000) is inf, log(0) is -inf), and its inputs say where it is
smooth: ANY, or away from 0 (POSITIVE, AWAY_FROM_ZERO) for a pole or kink there. The fuzz
test (test_fuzz.py) reads both, so the expression language is fuzzed with every function.
Below the catalogue: the registry, ops defined from user code, and the README's list."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weightgrad.engine import Value, apply, gradcheck
from weightgrad.engine import ops as O
from weightgrad.engine.fused import weighted_sum

ANY = st.floats(-4.0, 4.0)
POSITIVE = st.floats(0.1, 4.0)
AWAY_FROM_ZERO = st.one_of(st.floats(-4.0, -0.1), st.floats(0.1, 4.0))
NEGATIVE = st.floats(-4.0, -0.1)  # with POSITIVE: two operands that never tie (max's kink)


def r_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def r_log(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    return -math.inf if x == 0.0 else math.nan


def r_log1p(x: float) -> float:
    if x > -1.0:
        return math.log1p(x)
    return -math.inf if x == -1.0 else math.nan


def r_sigmoid(x: float) -> float:
    return 1.0 / (1.0 + r_exp(-x))  # the textbook form; the engine splits by sign instead


def r_max(a: float, b: float) -> float:
    # torch.maximum: nan if either operand is nan, else the larger (Python's max keeps the
    # first of equals, and would pass max(1, nan) as 1)
    return math.nan if math.isnan(a) or math.isnan(b) else max(a, b)


@dataclass
class Case:
    name: str
    f: Callable[..., Value]  # on Values
    ref: Callable[..., float]  # the same on floats, with Python's math
    args: tuple[st.SearchStrategy[float], ...]


CATALOGUE = [
    Case("add", lambda a, b: a + b, lambda a, b: a + b, (ANY, ANY)),
    Case("add number", lambda a: 2.5 + a, lambda a: 2.5 + a, (ANY,)),
    Case("sub", lambda a, b: a - b, lambda a, b: a - b, (ANY, ANY)),
    Case("sub from number", lambda a: 1.5 - a, lambda a: 1.5 - a, (ANY,)),
    Case("mul", lambda a, b: a * b, lambda a, b: a * b, (ANY, ANY)),
    Case("mul number", lambda a: a * -3, lambda a: a * -3, (ANY,)),
    Case("div", lambda a, b: a / b, lambda a, b: a / b, (ANY, AWAY_FROM_ZERO)),
    Case("number div", lambda a: 2 / a, lambda a: 2 / a, (AWAY_FROM_ZERO,)),
    Case("neg", lambda a: -a, lambda a: -a, (ANY,)),
    Case("pow Value", lambda a, b: a ** b, lambda a, b: a ** b, (POSITIVE, ANY)),
    Case("pow 2", lambda a: a ** 2, lambda a: a ** 2, (ANY,)),
    Case("pow 3", lambda a: a ** 3, lambda a: a ** 3, (ANY,)),
    Case("pow -1", lambda a: a ** -1, lambda a: a ** -1, (AWAY_FROM_ZERO,)),
    Case("pow 0.5", lambda a: a ** 0.5, lambda a: a ** 0.5, (POSITIVE,)),
    Case("number pow", lambda a: 2 ** a, lambda a: 2 ** a, (ANY,)),
    Case("exp", lambda a: a.exp(), r_exp, (ANY,)),
    Case("log", lambda a: a.log(), r_log, (POSITIVE,)),
    Case("tanh", lambda a: a.tanh(), math.tanh, (ANY,)),
    Case("relu", lambda a: a.relu(), lambda a: 0.0 if a <= 0.0 else a, (AWAY_FROM_ZERO,)),
    Case("sigmoid", lambda a: a.sigmoid(), r_sigmoid, (ANY,)),
    Case("abs", lambda a: a.abs(), abs, (AWAY_FROM_ZERO,)),
    Case("leaky_relu", lambda a: a.leaky_relu(), lambda a: a if a > 0 else 0.01 * a,
         (AWAY_FROM_ZERO,)),
    Case("max", lambda a, b: a.max(b), r_max, (POSITIVE, NEGATIVE)),
    Case("max second", lambda a, b: a.max(b), r_max, (NEGATIVE, POSITIVE)),
    Case("log1p", lambda a: a.log1p(), r_log1p, (st.floats(-0.9, 4.0),)),
    Case("wsum", lambda w1, w2, x1, x2, b: apply(O.WSUM, w1, w2, x1, x2, b),
         lambda w1, w2, x1, x2, b: b + w1 * x1 + w2 * x2, (ANY,) * 5),
    Case("wsumc", lambda w1, w2, b: weighted_sum([w1, w2], [0.5, -3.0], b),
         lambda w1, w2, b: b + w1 * 0.5 + w2 * -3.0, (ANY,) * 3),
]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.name)
def test_value_matches_float_reference(case: Case) -> None:
    @given(st.tuples(*case.args))
    def check(xs: tuple[float, ...]) -> None:
        got = case.f(*[Value(x) for x in xs]).data
        assert close(got, case.ref(*xs)), (xs, got, case.ref(*xs))

    check()


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.name)
def test_gradient_matches_central_differences(case: Case) -> None:
    @given(st.tuples(*case.args))
    def check(xs: tuple[float, ...]) -> None:
        assert gradcheck(case.f, list(xs))

    check()


def test_every_op_in_the_catalogue_is_tested() -> None:
    tested = {case.f(*[Value(0.5)] * len(case.args)).op.name for case in CATALOGUE}
    defined = set(O.registry())  # factories' ops too: powc, leaky_relu
    assert {"powc", "leaky_relu", "abs"} <= defined
    assert defined <= tested, f"ops without a catalogue line: {defined - tested}"


def test_every_function_has_a_line_named_after_it_that_calls_its_method() -> None:
    lines = {case.name: case for case in CATALOGUE}
    for name, op in O.functions().items():
        assert name in lines, f"function op {name!r} has no catalogue line named {name!r}"
        assert lines[name].f(*[Value(0.5)] * op.arity).op is op
        assert len(lines[name].args) == op.arity


# -- quotients: the incoming gradient is divided, never multiplied by an overflowed 1/b -------

def test_log_of_a_subnormal_with_a_small_gradient_is_finite() -> None:
    # The review's case: 1/x overflows for x = 1e-310, but 1e-20 / x = 1e290 (PyTorch's too).
    x = Value(1e-310, "x")
    (x.log() * 1e-20).backward()
    assert x.grad == 1e-20 / 1e-310
    assert math.isclose(x.grad, 1e290, rel_tol=1e-9)


def test_both_gradients_of_a_quotient_by_a_subnormal_are_finite() -> None:
    a, b = Value(1e-300, "a"), Value(1e-310, "b")
    out = a / b  # 1e10
    (out * 1e-20).backward()
    assert math.isclose(a.grad, 1e290, rel_tol=1e-9)  # 1e-20 / b; 1 / b alone is inf
    assert math.isclose(b.grad, -1e300, rel_tol=1e-9)  # -1e-20 · a / b²; out / b is inf


def test_explain_and_anomaly_mode_divide_the_same_way() -> None:
    from weightgrad.engine import detect_anomaly
    from weightgrad.engine.explain import explain

    a, b = Value(1e-300, "a"), Value(1e-310, "b")
    story = explain(a / b * 1e-20)
    with detect_anomaly():
        (a / b * 1e-20).backward()  # no AnomalyError: every gradient is finite
    assert story.grads[id(a)] == a.grad and story.grads[id(b)] == b.grad
    assert math.isclose(a.grad, 1e290, rel_tol=1e-9)
    assert "n2.grad / b" not in str(story)  # the words name the formula, then the arithmetic
    assert "= 1e-20 / 1e-310 = 1e+290" in str(story)


ORDINARY = st.one_of(st.floats(-1e6, -1e-6), st.floats(1e-6, 1e6))


@given(ORDINARY, ORDINARY, ORDINARY)
def test_quotients_give_the_numbers_they_gave_before_at_ordinary_magnitudes(
        a: float, b: float, g: float) -> None:
    # Before: g * (1/b) and g * (-out/b), g * (1/a) for log; now g / b first. Within 1e-15.
    out = a / b
    got = O.DIV.chain(g, out, a, b)
    assert math.isclose(got[0], g * (1.0 / b), rel_tol=1e-15)
    assert math.isclose(got[1], g * (-out / b), rel_tol=1e-15)
    if a > 0:
        assert math.isclose(O.LOG.chain(g, math.log(a), a)[0], g * (1.0 / a), rel_tol=1e-15)


# -- abs and leaky_relu: PyTorch's choices at the kink ----------------------------------------

@pytest.mark.parametrize(("x", "value", "grad"), [
    (-2.0, 2.0, -1.0), (3.0, 3.0, 1.0),
    (0.0, 0.0, 0.0), (-0.0, 0.0, 0.0),  # d|x|/dx = sign(x), 0 at 0 (torch.abs)
])
def test_abs_value_and_gradient(x: float, value: float, grad: float) -> None:
    v = Value(x)
    out = v.abs()
    out.backward()
    assert out.data == value and math.copysign(1.0, out.data) == 1.0 and v.grad == grad


@pytest.mark.parametrize("slope", [0.01, 0.1, 0.2, 0, -0.5, 3])
@pytest.mark.parametrize("x", [-3.0, -0.5, 0.0, 2.0])
def test_leaky_relu_is_x_above_0_else_slope_times_x_with_slope_gradient_at_0(
        slope: float, x: float) -> None:
    # torch.nn.functional.leaky_relu: x > 0 ? x : x * s, and backward x > 0 ? g : g * s
    v = Value(x)
    out = v.leaky_relu(slope) * 3.0
    out.backward()
    assert out.data == 3.0 * (x if x > 0 else x * slope)
    assert v.grad == 3.0 * (1.0 if x > 0 else slope)
    assert Value(x).leaky_relu(negative_slope=slope).data == (x if x > 0 else x * slope)


def test_leaky_relu_default_slope_is_0_01_and_members_are_shared() -> None:
    assert Value(-2.0).leaky_relu().data == -0.02
    assert Value(-2.0).leaky_relu().op is O.registry()["leaky_relu"]
    assert Value(1.0).leaky_relu(0.1).op is Value(2.0).leaky_relu(negative_slope=0.1).op
    assert Value(1.0).leaky_relu(0.01).op is Value(1.0).leaky_relu().op
    assert Value(1.0).leaky_relu(0.1).op is not Value(1.0).leaky_relu(0.2).op


@pytest.mark.parametrize(("bad", "error"), [
    (True, TypeError), ("0.1", TypeError), (None, TypeError), ([0.1], TypeError),
    (math.nan, ValueError), (-math.inf, ValueError), (10 ** 400, ValueError),
])
def test_leaky_relu_refuses_a_slope_that_is_not_a_finite_number(bad: object, error: type
                                                                ) -> None:
    with pytest.raises(error, match="leaky_relu: negative_slope must be"):
        Value(1.0).leaky_relu(bad)  # type: ignore[arg-type]


def test_abs_and_leaky_relu_in_explain_and_drawings() -> None:
    from tests.svg import parse
    from weightgrad.engine import draw_graph, render_svg
    from weightgrad.engine.explain import explain

    x, y = Value(-2.0, "x"), Value(-3.0, "y")
    out = x.abs() * y.leaky_relu(0.1)
    text = str(explain(out))
    assert "= abs(x) = abs(-2) = 2" in text
    assert "= leaky_relu(y, 0.1) = leaky_relu(-3, 0.1) = -0.3" in text
    assert "x.grad += n1.grad * sign(x) = " in text
    assert "y.grad += n2.grad * (1 if y > 0 else 0.1) = 2 * 0.1 = 0.2" in text
    ops_drawn = [e.texts for name, e in parse(render_svg(draw_graph(out))).nodes.items()
                 if name.endswith("op")]
    assert sorted(t for texts in ops_drawn for t in texts) == ["*", "abs", "leaky_relu"]


# -- max: the whole gradient to the operand that is the result, the first on a tie -----------

def same(a: float, b: float) -> bool:
    return math.copysign(1.0, a) == math.copysign(1.0, b) and (a == b or (a != a and b != b))


@pytest.mark.parametrize(("a", "b", "value", "grads"), [
    (3.0, 1.0, 3.0, (1.0, 0.0)), (1.0, 3.0, 3.0, (0.0, 1.0)), (-math.inf, 2.0, 2.0, (0.0, 1.0)),
    (2.0, 2.0, 2.0, (1.0, 0.0)),  # a tie: the first, as max_pool2d's argmax (first largest)
    (0.0, -0.0, 0.0, (1.0, 0.0)), (-0.0, 0.0, -0.0, (1.0, 0.0)),  # ±0 tie: the first, sign too
    (math.nan, 1.0, math.nan, (1.0, 0.0)), (1.0, math.nan, math.nan, (0.0, 1.0)),  # nan wins
])
def test_max_value_and_gradient(a: float, b: float, value: float,
                                grads: tuple[float, float]) -> None:
    x, y = Value(a), Value(b)
    out = x.max(y)
    (out * 3.0).backward()
    assert same(out.data, value)
    assert (x.grad, y.grad) == (3.0 * grads[0], 3.0 * grads[1])


def test_max_takes_a_number_and_refuses_anything_else() -> None:
    x = Value(1.0)
    out = x.max(2.5)
    out.backward()
    assert out.data == 2.5 and x.grad == 0.0 and out.parents[1].is_leaf
    with pytest.raises(TypeError, match="max: operands must be Values or real numbers, got str"):
        x.max("2")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        x.max()  # type: ignore[call-arg]


def test_max_in_explain_and_drawings() -> None:
    from tests.svg import parse
    from weightgrad.engine import draw_graph, render_svg
    from weightgrad.engine.explain import explain

    x, y = Value(2.0, "x"), Value(2.0, "y")
    out = x.max(y) * 3.0
    text = str(explain(out))
    assert "= max(x, y) = max(2, 2) = 2" in text
    assert "x.grad += n1.grad * [x >= y] = 3 * 1 = 3" in text
    assert "y.grad += n1.grad * [x < y] = 3 * 0 = 0" in text
    ops_drawn = [e.texts for name, e in parse(render_svg(draw_graph(out))).nodes.items()
                 if name.endswith("op")]
    assert sorted(t for texts in ops_drawn for t in texts) == ["*", "max"]


# -- the registry ------------------------------------------------------------------------

def test_the_registry_is_in_catalogue_order_and_functions_are_its_named_ops() -> None:
    names = list(O.registry())
    assert names[:7] == ["add", "sub", "mul", "div", "neg", "pow", "powc"]
    assert list(O.functions()) == ["exp", "log", "tanh", "relu", "sigmoid", "abs",
                                   "leaky_relu", "max", "log1p"]
    for name, op in O.functions().items():
        assert getattr(Value, name).__name__ == name  # a method, generated from the entry
        assert Value(0.5).__getattribute__(name)(*[0.5] * (op.arity - 1)).op is op


@pytest.mark.parametrize(("op", "error", "match"), [
    ("relu", TypeError, "register expects an Op"),
    (O.Op("relu", "r", abs, lambda out, a: (1.0,)), ValueError, "built-in"),
    (O.Op("2x", "r", abs, lambda out, a: (1.0,)), ValueError, "identifier"),
    (O.Op("_x", "r", abs, lambda out, a: (1.0,)), ValueError, "identifier"),
    (O.Op("data", "d", abs, lambda out, a: (1.0,), function=True), ValueError, "Value.data"),
    (O.Op("backward", "b", abs, lambda out, a: (1.0,), function=True), ValueError,
     "Value.backward"),
])
def test_register_refuses_bad_ops_and_changes_nothing(op: object, error: type, match: str
                                                      ) -> None:
    before, method = O.registry(), Value.__dict__.get(getattr(op, "name", ""))
    with pytest.raises(error, match=match):
        O.register(op)  # type: ignore[arg-type]
    assert O.registry() == before and Value.__dict__.get(getattr(op, "name", "")) is method


def test_built_in_ops_cannot_be_removed_and_unknown_ones_are_named() -> None:
    with pytest.raises(ValueError, match="built-in"):
        O.unregister("relu")
    with pytest.raises(KeyError, match="softplus"):
        O.unregister("softplus")


# -- an op from user code -----------------------------------------------------------------

def softplus_forward(x: float) -> float:
    return O.log(1.0 + O.exp(x))


@pytest.fixture
def softplus() -> Iterator[O.Op]:
    # PyTorch's Softplus (beta 1): log(1 + e^x), whose derivative is sigmoid(x).
    op = O.define("softplus", softplus_forward, lambda out, x: (O.sigmoid(x),), ("σ({a})",))
    try:
        yield op
    finally:
        if "softplus" in O.registry():  # a test may have removed it
            O.unregister("softplus")


def test_a_defined_op_is_a_method_with_a_gradient_that_passes_gradcheck(softplus: O.Op
                                                                        ) -> None:
    x = Value(0.0)
    out = x.softplus()
    out.backward()
    assert out.op is softplus and out.data == math.log(2.0) and x.grad == 0.5
    for point in (-3.0, -0.2, 0.7, 4.0):
        assert gradcheck(lambda v: v.softplus() * v, [point])
    assert apply(softplus, 1.0).data == math.log(1.0 + math.e)  # apply takes numbers too


def test_a_defined_op_is_explained_and_usable_in_expressions(softplus: O.Op) -> None:
    from weightgrad.engine.cli import main
    from weightgrad.engine.explain import explain
    from weightgrad.engine.expr import evaluate

    text = str(explain(Value(0.0, "x").softplus()))
    assert "= softplus(x) = softplus(0) = 0.693147" in text
    assert "x.grad += n1.grad * σ(x) = 1 * 0.5 = 0.5" in text
    out, leaves = evaluate("2 * softplus(x)", {"x": 0.0})
    out.backward()
    assert out.data == 2 * math.log(2.0) and leaves["x"].grad == 1.0
    assert main(["explain", "--json", "softplus(x)", "x=0"]) == 0


def test_an_unregistered_op_leaves_no_method_or_function(softplus: O.Op) -> None:
    from weightgrad.engine.expr import ExprError, parse

    O.unregister("softplus")
    assert not hasattr(Value, "softplus") and "softplus" not in O.registry()
    with pytest.raises(ExprError, match="unknown function 'softplus'"):
        parse("softplus(x)")


def test_defining_a_user_op_again_replaces_it(softplus: O.Op) -> None:
    again = O.define("softplus", softplus_forward, lambda out, x: (O.sigmoid(x),))
    assert again is not softplus and Value(1.0).softplus().op is again


def test_an_op_that_is_not_registered_works_through_apply() -> None:
    cube = O.Op("cube", "³", lambda a: a ** 3, lambda out, a: (3 * a * a,), ("3·{a}²",))
    assert gradcheck(lambda v: apply(cube, v), [1.5])
    assert "cube" not in O.registry() and not hasattr(Value, "cube")


# -- the README lists every function of the catalogue ----------------------------------------

def test_readme_engine_paragraph_lists_every_function_op() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## The engine\n", 1)[1]
    paragraph = section.strip().split("\n\n", 1)[0]
    spans = re.findall(r"`((?:\w+\(\) ?)+)`", paragraph)
    assert len(spans) == 1, f"expected one `f() g() ...` list in {paragraph!r}"
    assert re.findall(r"(\w+)\(\)", spans[0]) == list(O.functions())


def test_readme_adding_an_op_example_runs_and_its_op_works() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n### Adding an op\n", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    try:
        exec(code, {})  # the README's own lines, as a reader would paste them
        x = Value(0.0)
        x.softplus().backward()
        assert x.grad == 0.5  # sigmoid(0)
        assert gradcheck(lambda v: v.softplus(), [0.5])
    finally:
        O.unregister("softplus")
