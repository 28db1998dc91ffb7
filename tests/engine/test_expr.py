"""engine.expr: the allow-list parser behind `weightgrad explain` and the graphs it builds.

Expected numbers are worked by hand (Python's own precedence rules, the chain rule), never
copied from the implementation's output.
"""

from __future__ import annotations

import ast
import builtins
import math
import re
import time

import pytest

from weightgrad.engine import ops
from weightgrad.engine.expr import (
    MAX_DEPTH,
    Binary,
    Call,
    ExprError,
    Name,
    Num,
    Unary,
    build,
    evaluate,
    names,
    parse,
)


def value_of(text: str, **values: float) -> float:
    return evaluate(text, values)[0].data


@pytest.mark.parametrize(("text", "values", "expected"), [
    ("2**3**2", {}, 512.0),            # right-associative: 2 ** 9
    ("(2**3)**2", {}, 64.0),
    ("-x**2", {"x": 3}, -9.0),          # ** binds tighter than the sign on its left
    ("(-x)**2", {"x": 3}, 9.0),
    ("-2**2", {}, -4.0),
    ("2**-1", {}, 0.5),                 # a signed exponent
    ("2**-x", {"x": 2}, 0.25),
    ("1 - 2 - 3", {}, -4.0),            # left-associative: (1 - 2) - 3
    ("8/4/2", {}, 1.0),                 # (8 / 4) / 2
    ("2 + 3 * 4", {}, 14.0),
    ("(2 + 3) * 4", {}, 20.0),
    ("2 * x ** 2", {"x": 3}, 18.0),
    ("-x * 2", {"x": 3}, -6.0),
    ("2 * -3", {}, -6.0),
    ("--2", {}, 2.0),
    ("+x", {"x": 4}, 4.0),
    ("x - -y", {"x": 1, "y": 2}, 3.0),
    ("1.5e1 + .5 + 2.", {}, 17.5),
    ("10 / 4", {}, 2.5),
])
def test_precedence_and_associativity(text: str, values: dict, expected: float) -> None:
    assert value_of(text, **values) == expected


def test_syntax_trees() -> None:
    assert parse("-x**2") == Unary("-", Binary("**", Name("x"), Num(2.0)))
    assert parse("1 - 2 - 3") == Binary("-", Binary("-", Num(1.0), Num(2.0)), Num(3.0))
    assert parse("2**3**2") == Binary("**", Num(2.0), Binary("**", Num(3.0), Num(2.0)))
    assert parse("2**-1") == Binary("**", Num(2.0), Num(-1.0))  # a signed number is a number
    assert parse("-x") == Unary("-", Name("x"))
    assert parse("relu((w))") == Call("relu", Name("w"))
    assert parse("max(x, -y)") == Call("max", Name("x"), Unary("-", Name("y")))
    assert parse(" x\t*\ny ") == Binary("*", Name("x"), Name("y"))


def test_the_design_example_gives_5_1_and_its_gradients() -> None:
    values = {"x1": 5, "w1": 0.7, "x2": 2, "w2": 0.3, "b": 1}
    out, leaves = evaluate("x1*w1 + x2*w2 + b", values)
    assert out.data == pytest.approx(5.1)  # 3.5 + 0.6 + 1: the quoted 4.9 is off by 0.2
    assert out.data != pytest.approx(4.9)
    out.backward()
    grads = {name: leaf.grad for name, leaf in leaves.items()}
    assert grads == pytest.approx({"w1": 5, "w2": 2, "b": 1, "x1": 0.7, "x2": 0.3})
    assert list(leaves) == ["x1", "w1", "x2", "w2", "b"]
    assert all(leaf.label == name for name, leaf in leaves.items())
    assert out.label == "out"


def test_a_repeated_name_is_one_leaf_whose_gradient_accumulates() -> None:
    out, leaves = evaluate("x*x", {"x": 3})
    out.backward()
    assert list(leaves) == ["x"]
    assert out.parents[0] is out.parents[1] is leaves["x"]
    assert leaves["x"].grad == 6.0  # d(x^2)/dx = 2x
    out, leaves = evaluate("x*x + x", {"x": 3})
    out.backward()
    assert leaves["x"].grad == 7.0  # 2x + 1


@pytest.mark.parametrize(("text", "x", "value", "grad"), [
    ("exp(x)", 0.0, 1.0, 1.0),
    ("log(x)", 2.0, math.log(2.0), 0.5),
    ("tanh(x)", 0.0, 0.0, 1.0),
    ("relu(x)", -1.0, 0.0, 0.0),
    ("relu(x)", 2.0, 2.0, 1.0),
    ("sigmoid(x)", 0.0, 0.5, 0.25),
    ("abs(x)", -2.0, 2.0, -1.0),
    ("abs(x)", 0.0, 0.0, 0.0),          # sign(0) = 0, as torch.abs
    ("leaky_relu(x)", -3.0, -0.03, 0.01),
    ("leaky_relu(x)", 0.0, 0.0, 0.01),  # PyTorch's slope at 0: the negative one
    ("exp(2*x)", 0.0, 1.0, 2.0),        # chain rule through the call
    ("x**2", 3.0, 9.0, 6.0),
    ("x**-1", 2.0, 0.5, -0.25),
])
def test_functions_and_powers(text: str, x: float, value: float, grad: float) -> None:
    out, leaves = evaluate(text, {"x": x})
    out.backward()
    assert out.data == pytest.approx(value)
    assert leaves["x"].grad == pytest.approx(grad)


def test_a_literal_exponent_is_the_constant_power_op_and_a_name_exponent_a_value() -> None:
    out, leaves = evaluate("x ** 2", {"x": 3})
    assert out.op.symbol == "**2" and out.parents == (leaves["x"],)
    out, leaves = evaluate("x ** -2", {"x": 2})  # a signed literal is still a literal
    assert out.op.symbol == "**-2" and out.parents == (leaves["x"],) and out.data == 0.25
    out, leaves = evaluate("x ** y", {"x": 2, "y": 3})
    assert out.parents == (leaves["x"], leaves["y"])
    out.backward()
    assert out.data == 8.0
    assert leaves["x"].grad == pytest.approx(12.0)  # y * x ** (y - 1)
    assert leaves["y"].grad == pytest.approx(8 * math.log(2))  # x ** y * ln x


@pytest.mark.parametrize(("values", "value", "grads"), [
    ({"x": 3, "y": 1}, 6.0, {"x": 2.0, "y": 0.0}),  # max(3, 2) = 3: d/dx = 1 + x
    ({"x": 1, "y": 2}, 5.0, {"x": 1.0, "y": 2.0}),  # max(1, 4) = 4: d/dy = 2
    ({"x": 2, "y": 1}, 4.0, {"x": 2.0, "y": 0.0}),  # a tie, max(2, 2): all to the first
])
def test_max_takes_two_arguments(values: dict, value: float, grads: dict) -> None:
    out, leaves = evaluate("max(x, 2*y) + x", values)
    out.backward()
    assert out.data == value
    assert {name: leaf.grad for name, leaf in leaves.items()} == grads


def test_names_in_order_of_first_appearance() -> None:
    assert names(parse("b + a*b + exp(c) + a")) == ["b", "a", "c"]
    assert names(parse("2 + 3")) == []


def test_a_single_name_keeps_its_label() -> None:
    for text in ("x", "(x)", "+x"):
        out, leaves = evaluate(text, {"x": 1.5})
        assert out is leaves["x"] and out.label == "x"
    assert evaluate("2", {})[0].label == "out"


def test_a_long_flat_sum_builds_without_recursion() -> None:
    out, leaves = evaluate("+".join(["x"] * 4000), {"x": 1})  # a tree 4000 levels deep
    out.backward()
    assert out.data == 4000.0 and leaves["x"].grad == 4000.0


def test_nesting_at_the_limit_parses_and_one_more_level_is_refused() -> None:
    # the costliest shape per level (operators on both sides of each parenthesis)
    deepest = "a+b*(" * MAX_DEPTH + "c" + ")" * MAX_DEPTH
    assert names(parse(deepest)) == ["a", "b", "c"]
    with pytest.raises(ExprError, match=rf"nested too deeply .*limit {MAX_DEPTH} levels"):
        parse("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))


@pytest.mark.parametrize(("text", "fragment"), [
    ("__import__('os').system('touch CANARY')", "'__import__' at column 1"),
    ("x.real", "unexpected character '.' at column 2"),
    ("x[0]", "unexpected character '[' at column 2"),
    ("lambda: 1", "'lambda' at column 1"),
    ("[x for x in y]", "unexpected character '[' at column 1"),
    ('f"{x}"', "unexpected character '\"' at column 2"),
    ("'a'", "unexpected character \"'\" at column 1"),
    ("1,2", "unexpected ',' at column 2"),
    ("(1, 2)", "expected ')' at column 3 to close the '(' at column 1, got ','"),
    ("exp(1, 2)", "function 'exp' at column 1 takes 1 argument, got 2"),
    ("max(x)", "function 'max' at column 1 takes 2 arguments, got 1"),
    ("max(1, 2, 3)", "function 'max' at column 1 takes 2 arguments, got 3"),
    ("max(1 2)", "expected ',' or ')' at column 7 in the call of 'max' at column 1, got number 2"),
    ("max(1,)", "expected a number, a name or '(' at column 7, got ')'"),
    ("sin(x)", f"unknown function 'sin' at column 1 (known: {', '.join(ops.functions())})"),
    ("x + open(f)", "unknown function 'open' at column 5"),
    ("exp + 1", "function 'exp' at column 1 needs parentheses"),
    ("1e999", "number too large: 1e999"),
    ("", "empty expression"),
    ("   ", "empty expression"),
    ("2 +", "at column 4, got end of expression"),
    (")", "at column 1, got ')'"),
    ("(x", "expected ')' at column 3"),
    ("exp()", "at column 5, got ')'"),
    ("x y", "unexpected name 'y' at column 3"),
    ("2x", "malformed number '2x' at column 1"),
    ("1.2.3", "malformed number '1.2.3'"),
    ("x^2", "use ** for powers"),
    ("x // 2", "at column 4, got '/'"),
    ("x if y else z", "'if' at column 3 is not allowed"),
    ("x = 1", "unexpected character '=' at column 3"),
    ("True", "'True' at column 1"),
    ("x;y", "unexpected character ';'"),
    ("é", "unexpected character 'é' at column 1"),
])
def test_refusals_name_the_problem_and_its_column(text: str, fragment: str) -> None:
    with pytest.raises(ExprError) as caught:
        parse(text)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_python_code_never_runs(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the expression reached Python")

    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as patch:  # undone before pytest needs them again
        for name in ("eval", "exec", "compile"):
            patch.setattr(builtins, name, refuse)
        patch.setattr(ast, "parse", refuse)
        for text in ("__import__('os').system('touch CANARY')",
                     "exp(__import__('os').system('touch CANARY'))"):
            with pytest.raises(ExprError):
                evaluate(text, {})
        out = evaluate("x * 2", {"x": 3})[0]  # and the parser works without them
    assert not (tmp_path / "CANARY").exists()
    assert out.data == 6.0


@pytest.mark.parametrize(("text", "fragment"), [
    ("(" * 10000 + "x" + ")" * 10000, "too long: 20001 characters (limit 10000)"),
    ("x" * 1_000_000, "too long: 1000000 characters (limit 10000)"),
    ("(" * 4999 + "x" + ")" * 4999, "nested too deeply"),
    ("-" * 9999 + "x", "nested too deeply"),
    ("2**" * 3000 + "2", "nested too deeply"),
])
def test_hostile_sizes_fail_fast(text: str, fragment: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ExprError, match=re.escape(fragment)):
        parse(text)
    assert time.perf_counter() - start < 1.0


def test_missing_and_unused_values_are_refused() -> None:
    with pytest.raises(ExprError, match=r"missing value for x2$"):
        evaluate("x1*w1 + x2", {"x1": 1, "w1": 2})
    with pytest.raises(ExprError, match="missing values for a, b"):
        evaluate("a + b", {})
    with pytest.raises(ExprError, match=r"unknown name 'z' \(not in the expression, which uses x"):
        evaluate("x", {"x": 1, "z": 2})
    with pytest.raises(ExprError, match=r"'W1'.*uses x1, w1"):  # a typo names both spellings
        evaluate("x1*w1", {"x1": 1, "W1": 2})
    with pytest.raises(ExprError, match="uses no names"):
        evaluate("2 + 3", {"a": 1})


def test_build_takes_a_tree_and_ignores_extra_values() -> None:
    out, leaves = build(parse("a * 2"), {"a": 4, "unused": 1})
    assert out.data == 8.0 and list(leaves) == ["a"]
    with pytest.raises(ExprError, match="missing value for a"):
        build(parse("a * 2"), {})


def test_expr_error_is_a_value_error() -> None:
    assert issubclass(ExprError, ValueError)
