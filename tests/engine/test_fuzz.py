"""Fuzzing with hypothesis: the expression language against a reference, the parser against
hostile text, and algebraic identities of the ops (values and gradients).

(a) Random expressions of `weightgrad explain`'s language, written as TEXT, are evaluated by
    `engine.expr.evaluate` and by a reference written here: its own parser (Python's grammar
    for these operators) and its own IEEE-754 float arithmetic on `math`, with each function
    of the op catalogue and its float reference taken from the test catalogue
    (tests/engine/test_ops.py). They must agree, or both refuse. Gradients are checked
    against central differences where the function is smooth (away from kinks and poles).
(b) Any text given to the parser gives a tree or an `ExprError`, never anything else.
(c) Identities (a+b == b+a, exp(log x) == x, ...) hold for values and gradients.

Each test counts the examples it ran; the last test prints the counts and checks them.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.engine import test_ops as catalogue
from weightgrad.engine import Value, ops
from weightgrad.engine.expr import MAX_DEPTH, ExprError, build, evaluate, names, parse

INF, NAN = math.inf, math.nan
NAMES = ("x", "y", "z", "w")
RUNS: Counter[str] = Counter()  # examples run, per test (and per outcome)
MINIMUM: dict[str, int] = {}  # per test: the examples it must have run


def fuzz(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """@settings with `examples` and a note of how many must run; counted via `count()`."""
    def wrap(test: Callable[..., None]) -> Callable[..., None]:
        MINIMUM[test.__name__] = examples
        return settings(max_examples=examples, suppress_health_check=[HealthCheck.too_slow])(
            test)
    return wrap


def count(test: str, outcome: str | None = None) -> None:
    """One more example run by `test`, or one more with this `outcome`."""
    RUNS[test if outcome is None else f"{test}: {outcome}"] += 1


# -- the reference: IEEE 754 float arithmetic, as PyTorch (and the README) state it -----------

def _odd_integer(b: float) -> bool:
    return math.isfinite(b) and b == math.floor(b) and abs(math.fmod(b, 2.0)) == 1.0


def r_div(a: float, b: float) -> float:
    if b != 0.0:
        return a / b  # Python raises only for a zero divisor
    if a == 0.0 or a != a:
        return NAN
    return math.copysign(INF, a) * math.copysign(1.0, b)


def r_pow(a: float, b: float) -> float:
    """C99 / IEEE pow, real results only (negative ** non-integer is nan, never complex)."""
    if b == 0.0 or a == 1.0:
        return 1.0
    if a != a or b != b:
        return NAN
    if a == 0.0:  # ±0: a pole for b < 0; an odd integer exponent keeps the sign of zero
        if b < 0.0:
            return math.copysign(INF, a) if _odd_integer(b) else INF
        return a if _odd_integer(b) else 0.0
    if math.isinf(b):
        if a == -1.0:
            return 1.0
        return (INF if b > 0.0 else 0.0) if abs(a) > 1.0 else (0.0 if b > 0.0 else INF)
    if math.isinf(a):
        if a > 0.0:
            return INF if b > 0.0 else 0.0
        if b > 0.0:
            return -INF if _odd_integer(b) else INF
        return -0.0 if _odd_integer(b) else 0.0
    if a < 0.0 and b != math.floor(b):
        return NAN
    try:
        return a ** b  # finite, a != 0, a real result
    except OverflowError:
        return -INF if a < 0.0 and _odd_integer(b) else INF


# The functions: every function op of the catalogue, each with the float reference of its
# line in the test catalogue (tests/engine/test_ops.py), which is named after it. A line that
# keeps its inputs away from 0 marks a kink or a pole there, kept away from here too; a
# two-argument function (max) has its kink where the two arguments tie.
_LINES = {case.name: case for case in catalogue.CATALOGUE}
FUNCTIONS: dict[str, Callable[..., float]] = {
    name: _LINES[name].ref for name in ops.functions() if name in _LINES}
ARITY = {name: ops.functions()[name].arity for name in FUNCTIONS}
FUNCS = tuple(FUNCTIONS)
SINGULAR_AT_0 = {name for name in FUNCS
                 if ARITY[name] == 1 and _LINES[name].args != (catalogue.ANY,)}
BINARY: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": r_div,
    "**": r_pow,
}

# A tree is a tuple: ("num", text), ("name", n), ("neg", t), ("pos", t), ("call", f, t...),
# ("bin", op, left, right).
Tree = tuple


class Hazards:
    """The smallest distance to a kink or pole met while evaluating (relu, log, /, **), and
    the largest magnitude of any number met: beside 1e300 a step of 1e-5 is lost to rounding
    (1e300 - (1e300 + x) does not move with x), so no difference quotient can see it."""

    def __init__(self) -> None:
        self.margin = INF
        self.largest = 0.0

    def near(self, distance: float) -> None:
        self.margin = min(self.margin, distance)


def r_eval(tree: Tree, env: dict[str, float], hazards: Hazards | None = None) -> float:
    value = _r_eval(tree, env, hazards)
    if hazards is not None:
        hazards.largest = max(hazards.largest, abs(value))
    return value


def _r_eval(tree: Tree, env: dict[str, float], hazards: Hazards | None) -> float:
    kind = tree[0]
    if kind == "num":
        return float(tree[1])
    if kind == "name":
        return env[tree[1]]
    if kind in ("neg", "pos"):
        v = r_eval(tree[1], env, hazards)
        return -v if kind == "neg" else v
    if kind == "call":
        args = [r_eval(t, env, hazards) for t in tree[2:]]
        if hazards is not None and tree[1] in SINGULAR_AT_0:
            hazards.near(abs(args[0]))
        if hazards is not None and len(args) == 2:
            hazards.near(abs(args[0] - args[1]))
        return FUNCTIONS[tree[1]](*args)
    a, b = r_eval(tree[2], env, hazards), r_eval(tree[3], env, hazards)
    if hazards is not None and tree[1] == "/":
        hazards.near(abs(b))
    if hazards is not None and tree[1] == "**":
        hazards.near(abs(a))
    return BINARY[tree[1]](a, b)


def depth(tree: Tree) -> int:
    return 1 + max((depth(t) for t in tree[1:] if isinstance(t, tuple)), default=0)


def names_in(tree: Tree) -> set[str]:
    if tree[0] == "name":
        return {tree[1]}
    return set().union(*(names_in(t) for t in tree[1:] if isinstance(t, tuple)))


# -- the reference parser: Python's grammar for these operators -------------------------------
#   expr := term (('+'|'-') term)* ; term := factor (('*'|'/') factor)*
#   factor := ('+'|'-') factor | power ; power := primary ['**' factor]
#   primary := NUMBER | NAME | FUNC '(' expr (',' expr)* ')' | '(' expr ')'

class RefSyntaxError(Exception):
    pass


_REF_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
                        r"|([A-Za-z_]\w*)|(\*\*|[-+*/(),]))", re.ASCII)


def ref_tokens(text: str) -> list[str]:
    tokens, pos = [], 0
    while text[pos:].strip():
        m = _REF_TOKEN.match(text, pos)
        if m is None:
            raise RefSyntaxError(f"bad character at {pos}")
        if m.group(1) and re.match(r"[\w.]", text[m.end():m.end() + 1], re.ASCII):
            raise RefSyntaxError("a number glued to a name or a dot")  # 2x, 1.5.5: as Python
        tokens.append(m.group(m.lastindex or 0))
        pos = m.end()
    return tokens


def ref_parse(text: str) -> Tree:
    tokens = [*ref_tokens(text), ""]
    pos = 0

    def peek() -> str:
        return tokens[pos]

    def take(expected: str | None = None) -> str:
        nonlocal pos
        token = tokens[pos]
        if token == "" or (expected is not None and token != expected):
            raise RefSyntaxError(f"unexpected {token!r}")
        pos += 1
        return token

    def expr() -> Tree:
        left = term()
        while peek() in ("+", "-"):
            op = take()
            left = ("bin", op, left, term())
        return left

    def term() -> Tree:
        left = factor()
        while peek() in ("*", "/"):
            op = take()
            left = ("bin", op, left, factor())
        return left

    def factor() -> Tree:
        if peek() in ("+", "-"):
            return ("neg" if take() == "-" else "pos", factor())
        base = primary()
        if peek() == "**":
            take()
            return ("bin", "**", base, factor())
        return base

    def primary() -> Tree:
        token = take()
        if token[0].isdigit() or token[0] == ".":
            return ("num", token)
        if token == "(":
            inner = expr()
            take(")")
            return inner
        if token[0].isalpha() or token[0] == "_":
            if peek() == "(":
                if token not in FUNCS:
                    raise RefSyntaxError(f"unknown function {token}")
                take("(")
                args = [expr()]
                while peek() == ",":
                    take(",")
                    args.append(expr())
                take(")")
                if len(args) != ARITY[token]:
                    raise RefSyntaxError(f"{token} takes {ARITY[token]} arguments")
                return ("call", token, *args)
            if token in FUNCS:
                raise RefSyntaxError("a function without its call")
            return ("name", token)
        raise RefSyntaxError(f"unexpected {token!r}")

    tree = expr()
    if peek() != "":
        raise RefSyntaxError(f"unexpected {peek()!r} after the expression")
    return tree


# -- strategies: expressions as trees, and the trees written as text --------------------------

NUMBER_TEXT = st.one_of(
    st.integers(0, 12).map(str),
    st.sampled_from(["0.5", ".5", "2.", "1e-3", "1.5E+2", "3.25", "1e2", "0.1", "700", "1e300"]),
    st.floats(0.0, 50.0).map(repr),
)
LEAF = st.one_of(NUMBER_TEXT.map(lambda t: ("num", t)), st.sampled_from(NAMES).map(
    lambda n: ("name", n)))


def _extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.tuples(st.just("bin"), st.sampled_from(["+", "-", "*", "/", "**"]), children,
                  children),
        st.tuples(st.sampled_from(["neg", "pos"]), children),
        st.tuples(st.just("call"), st.sampled_from([f for f in FUNCS if ARITY[f] == 1]),
                  children),
        st.tuples(st.just("call"), st.sampled_from([f for f in FUNCS if ARITY[f] == 2]),
                  children, children),
    )


TREES = st.recursive(LEAF, _extend, max_leaves=10).filter(lambda t: depth(t) <= 30)

# Binding strength of what a tree is written as, and what each slot needs without parentheses.
_LEVEL = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}
_NEEDS = {"+": (1, 2), "-": (1, 2), "*": (2, 3), "/": (2, 3), "**": (5, 3)}  # (left, right)


def level(tree: Tree) -> int:
    if tree[0] == "bin":
        return _LEVEL[tree[1]]
    return 3 if tree[0] in ("neg", "pos") else 5


SPACES = ["", "", "", " ", " ", "  ", "\t", "\n"]


def written(tree: Tree, rng: random.Random, need: int = 1) -> str:
    """`tree` as text: parentheses where the grammar needs them (and, one time in ten, where
    it does not), random spacing. Relies on the language's rules: ** right-associative,
    binding tighter than a sign on its left (-x**2 is -(x**2)) and taking one on its right
    (2**-1). Spacing and extra parentheses come from `rng` (seeded by hypothesis): one draw
    per expression instead of one per token keeps generation cheap."""
    kind, space = tree[0], lambda: rng.choice(SPACES)
    if kind in ("num", "name"):
        text = tree[1]
    elif kind in ("neg", "pos"):
        text = ("-" if kind == "neg" else "+") + space() + written(tree[1], rng, 3)
    elif kind == "call":
        args = f"{space()},{space()}".join(written(t, rng) for t in tree[2:])
        text = f"{tree[1]}{space()}({space()}{args}{space()})"
    else:
        left_need, right_need = _NEEDS[tree[1]]
        text = (f"{written(tree[2], rng, left_need)}{space()}{tree[1]}{space()}"
                f"{written(tree[3], rng, right_need)}")
    if level(tree) < need or rng.random() < 0.1:
        text = f"({text})"
    return text


SEEDS = st.integers(0, 2**32 - 1)
VALUE = st.one_of(st.sampled_from([0.0, 1.0, -1.0, 2.0, -0.5, 3.0]), st.floats(-4.0, 4.0))


@st.composite
def expressions(draw: st.DrawFn, value: st.SearchStrategy[float] = VALUE
                ) -> tuple[str, Tree, dict[str, float]]:
    tree = draw(TREES)
    text = written(tree, random.Random(draw(SEEDS)))
    values = {n: draw(value, label=n) for n in sorted(names_in(tree))}
    return text, tree, values


def agree(got: float, expected: float) -> bool:
    if expected != expected:
        return got != got
    if math.isinf(expected):
        return got == expected
    return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9)


# -- (a) the language against the reference ------------------------------------------------

@fuzz(1000)
@given(expressions())
def test_expressions_agree_with_the_reference(case: tuple[str, Tree, dict[str, float]]) -> None:
    count("test_expressions_agree_with_the_reference")
    text, tree, values = case
    assert ref_parse(text) == tree  # the reference parser reads the text as it was built
    expected = r_eval(tree, values)
    out, _ = evaluate(text, values)
    assert agree(out.data, expected), (text, values, out.data, expected)
    count("test_expressions_agree_with_the_reference",
          "finite" if math.isfinite(expected) else "inf or nan")


EDGE_CASES = [
    "-x**2", "(-x)**2", "-2**2", "2**-1", "2**3**2", "(2**3)**2", "2**-x**2", "--x", "+-+x",
    "x - -y", "1 - 2 - 3", "8/4/2", "2*-3", "x**-2", "x ** -(2)", "x**(1+1)", "(-8)**(1/3)",
    "(-8)**3", "0**-1", "(-0)**-1", "(-0)**-2", "1/-0", "-0/0", "x/0", "0*exp(1000)",
    "exp(1000) - exp(1000)", "log(0)", "log(-1)", "log(-0)", "relu(log(-1))", "sigmoid(-1000)",
    "sigmoid(1000)", "tanh(exp(1000))", "(-10)**401", "10**400", "(-0.1)**-401", "2**exp(1000)",
    "0**-exp(1000)", "0**exp(1000)", "(-2)**exp(1000)", "(-0.5)**-exp(1000)", "1**(0/0)",
    "(0/0)**0", "0**0", "exp(-1000)**-1", "-(0)**3", "1/(-(0)**3)", "sigmoid(0/0)", "relu(-0)",
    "abs(-0)", "abs(log(0))", "abs(0/0)", "1/abs(-0)", "leaky_relu(-0)", "1/leaky_relu(-0)",
    "leaky_relu(-exp(1000))", "leaky_relu(0/0)", "leaky_relu(-1e300)",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_agree_with_the_reference(text: str) -> None:
    """Fixed cases next to the random ones: precedence, and every IEEE edge of the ops."""
    tree = ref_parse(text)
    values = {n: v for n, v in (("x", 3.0), ("y", -2.0)) if n in names_in(tree)}
    out, _ = evaluate(text, values)
    expected = r_eval(tree, values)
    assert agree(out.data, expected), (out.data, expected)
    if expected == 0.0 or math.isinf(expected):
        assert math.copysign(1.0, out.data) == math.copysign(1.0, expected)  # -0 and -inf


TOKENS = [*NAMES, *FUNCS, "+", "-", "*", "/", "**", "(", ")", ",", "0", "2", ".5", "1e2",
          "3.25"]


@st.composite
def token_soup(draw: st.DrawFn) -> str:
    """A third random tokens, the rest a valid expression with one or two tokens deleted,
    inserted, duplicated or swapped (near misses); joined with or without spaces, so tokens
    also glue ("2" "x" is "2x", "*" "*" is "**")."""
    rng = random.Random(draw(SEEDS))
    if rng.random() < 1 / 3:
        tokens = [rng.choice(TOKENS) for _ in range(rng.randint(1, 25))]
    else:
        tokens = ref_tokens(written(draw(TREES), rng))
        for _ in range(rng.randint(1, 2)):
            i = rng.randrange(len(tokens) + 1)
            edit = rng.choice(["delete", "insert", "duplicate", "swap"])
            if edit == "insert" or not tokens:
                tokens.insert(i, rng.choice(TOKENS))
            elif edit == "delete":
                del tokens[min(i, len(tokens) - 1)]
            elif edit == "duplicate":
                j = min(i, len(tokens) - 1)
                tokens.insert(j, tokens[j])
            elif len(tokens) > 1:
                j = min(i, len(tokens) - 2)
                tokens[j], tokens[j + 1] = tokens[j + 1], tokens[j]
    return "".join(t + rng.choice(["", " ", " "]) for t in tokens)


@fuzz(1000)
@given(token_soup(), st.data())
def test_token_soup_agrees_with_the_reference_or_both_refuse(text: str, data: st.DataObject
                                                             ) -> None:
    test = "test_token_soup_agrees_with_the_reference_or_both_refuse"
    count(test)
    try:
        tree = ref_parse(text)
    except RefSyntaxError:
        with pytest.raises(ExprError):
            parse(text)
        count(test, "both refused")
        return
    values = {n: data.draw(VALUE, label=n) for n in sorted(names_in(tree))}
    out, _ = evaluate(text, values)
    expected = r_eval(tree, values)
    assert agree(out.data, expected), (text, values, out.data, expected)
    count(test, "both read it")


def central_difference(tree: Tree, values: dict[str, float], name: str, h: float) -> float:
    up, down = dict(values), dict(values)
    up[name] += h
    down[name] -= h
    return (r_eval(tree, up) - r_eval(tree, down)) / (2 * h)


@fuzz(300)
@given(expressions(st.one_of(st.floats(-3.0, -0.1), st.floats(0.1, 3.0))))
def test_gradients_match_central_differences_where_smooth(
        case: tuple[str, Tree, dict[str, float]]) -> None:
    test = "test_gradients_match_central_differences_where_smooth"
    count(test)
    text, tree, values = case
    hazards = Hazards()
    value = r_eval(tree, values, hazards)
    assume(values and math.isfinite(value) and abs(value) < 1e6)
    assume(hazards.margin > 1e-2)  # away from kinks (relu, abs, ...) and poles (log, /, **)
    assume(hazards.largest < 1e6)  # every intermediate as moderate as the value itself
    out, leaves = evaluate(text, values)
    out.backward()
    for name, leaf in leaves.items():
        g = leaf.grad
        assume(math.isfinite(g) and abs(g) < 1e6)
        h = 1e-5 * max(1.0, abs(values[name]))
        coarse, fine = (central_difference(tree, values, name, s) for s in (h, h / 2))
        # two step sizes that disagree mean curvature or cancellation too strong to compare
        assume(math.isclose(coarse, fine, rel_tol=1e-4, abs_tol=1e-6))
        assert math.isclose(g, fine, rel_tol=1e-4, abs_tol=1e-5), (text, values, name, g, fine)
    count(test, "gradients compared")


# -- (b) the parser against any text ----------------------------------------------------------

ALPHABET = "0123456789.eE+-*/() xyzw_expogtanhrlusigmd\t\n'\"[]{},;:=<>!&|^%~@#$\\`\x00é٣²１ｘ"
FRAGMENTS = [
    "__import__", "('os')", ".system", "('touch CANARY')", "lambda", ":", "[0]", "x.__class__",
    "().__class__.__bases__[0].__subclasses__()", "exec", "eval", "open", "globals()", "f\"{x}\"",
    "'a'", "+", "**", "--", "(", ")", "((((", "))))", "exp(", "log", "relu", "sigmoid", "tanh",
    "1e999", "9" * 400, "1_000", "0x1F", "1j", "1e", ".", "..", "2.5.1", "nan", "inf", "True",
    "None", "if", "else", "for", "in", "import", "os", ";", "\n", "\\", "#", " ", "x", "y", ",",
    "-" * 150, "(" * 120, ")" * 120, "2**" * 60, "\u202e", "\ufeff", "ｅｘｐ", "ℯ", "∞",
]


def refuses_or_parses(text: str) -> str:
    """'tree' or 'refused'; anything but ExprError propagates (and fails the test)."""
    try:
        parse(text)
    except ExprError as e:
        assert "\n" not in str(e) and str(e)  # one line, never empty
        return "refused"
    return "tree"


@fuzz(1500)
@given(st.text())
def test_any_text_parses_or_is_refused_with_expr_error(text: str) -> None:
    count("test_any_text_parses_or_is_refused_with_expr_error")
    count("test_any_text_parses_or_is_refused_with_expr_error", refuses_or_parses(text))


@fuzz(1500)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(ALPHABET, max_size=8)),
                max_size=20).map("".join), st.data())
def test_language_like_and_injection_text_parses_or_is_refused(text: str, data: st.DataObject
                                                               ) -> None:
    test = "test_language_like_and_injection_text_parses_or_is_refused"
    count(test)
    outcome = refuses_or_parses(text)
    count(test, outcome)
    if outcome == "tree":  # what parses also builds and backpropagates, whatever the numbers
        tree = parse(text)
        values = {n: data.draw(st.floats(), label=n) for n in names(tree)}
        out, _ = build(tree, values)
        out.backward()


def test_hostile_shapes_are_refused_without_recursion_errors() -> None:
    """Fixed worst cases next to the random ones: each nesting kind just past the limit."""
    n = MAX_DEPTH + 1
    for text in ("(" * n + "x" + ")" * n, "-" * n + "x", "2**" * n + "2", "exp(" * n + "x"
                 + ")" * n, "+(-" * n + "x" + ")" * n, "x" + "**-x" * n):
        with pytest.raises(ExprError, match="nested too deeply"):
            parse(text)


# -- (c) identities of the ops, values and gradients ---------------------------------------

FINITE = st.floats(allow_nan=False, allow_infinity=False)
SMALL = st.floats(-20.0, 20.0)
POSITIVE = st.floats(1e-3, 50.0)
AWAY_FROM_ZERO = st.one_of(st.floats(-20.0, -1e-3), st.floats(1e-3, 20.0))


def grads(f: Callable[..., Value], *xs: float) -> tuple[float, list[float]]:
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return out.data, [v.grad for v in leaves]


def close(a: float, b: float, tol: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


@fuzz(500)
@given(FINITE, FINITE)
def test_add_and_mul_commute(a: float, b: float) -> None:
    count("test_add_and_mul_commute")
    assert grads(lambda p, q: p + q, a, b) == grads(lambda p, q: q + p, a, b) == (
        a + b, [1.0, 1.0])
    assert grads(lambda p, q: p * q, a, b) == grads(lambda p, q: q * p, a, b) == (a * b, [b, a])


@fuzz(500)
@given(SMALL, SMALL, SMALL)
def test_add_associates_within_rounding(a: float, b: float, c: float) -> None:
    count("test_add_associates_within_rounding")
    left, gl = grads(lambda p, q, r: (p + q) + r, a, b, c)
    right, gr = grads(lambda p, q, r: p + (q + r), a, b, c)
    assert math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-12 * (abs(a) + abs(b) + abs(c)))
    assert gl == gr == [1.0, 1.0, 1.0]


@fuzz(500)
@given(FINITE)
def test_a_minus_a_is_zero_with_gradient_zero(a: float) -> None:
    count("test_a_minus_a_is_zero_with_gradient_zero")
    assert grads(lambda p: p - p, a) == (0.0, [0.0])


@fuzz(500)
@given(AWAY_FROM_ZERO)
def test_a_over_a_is_one_with_gradient_zero(a: float) -> None:
    count("test_a_over_a_is_one_with_gradient_zero")
    value, (g,) = grads(lambda p: p / p, a)
    assert value == 1.0 and close(g, 0.0)


@fuzz(500)
@given(POSITIVE)
def test_exp_undoes_log_with_gradient_one(x: float) -> None:
    count("test_exp_undoes_log_with_gradient_one")
    value, (g,) = grads(lambda p: p.log().exp(), x)
    assert close(value, x) and close(g, 1.0)


@fuzz(500)
@given(SMALL)
def test_tanh_is_odd(x: float) -> None:
    count("test_tanh_is_odd")
    v1, g1 = grads(lambda p: (-p).tanh(), x)
    v2, g2 = grads(lambda p: -p.tanh(), x)
    assert close(v1, v2) and close(g1[0], g2[0])


@fuzz(500)
@given(SMALL)
def test_sigmoid_of_x_and_minus_x_sum_to_one(x: float) -> None:
    count("test_sigmoid_of_x_and_minus_x_sum_to_one")
    value, (g,) = grads(lambda p: p.sigmoid() + (-p).sigmoid(), x)
    assert close(value, 1.0) and close(g, 0.0)
    # and the two halves have the same slope: d/dx s(x) == d/dx (1 - s(-x))
    _, (g1,) = grads(lambda p: p.sigmoid(), x)
    _, (g2,) = grads(lambda p: 1 - (-p).sigmoid(), x)
    assert close(g1, g2)


@fuzz(500)
@given(AWAY_FROM_ZERO)
def test_relu_of_x_minus_relu_of_minus_x_is_x(x: float) -> None:
    count("test_relu_of_x_minus_relu_of_minus_x_is_x")
    assert grads(lambda p: p.relu() - (-p).relu(), x) == (x, [1.0])


@fuzz(500)
@given(AWAY_FROM_ZERO)
def test_abs_is_relu_of_x_plus_relu_of_minus_x(x: float) -> None:
    count("test_abs_is_relu_of_x_plus_relu_of_minus_x")
    assert grads(lambda p: p.abs(), x) == grads(lambda p: p.relu() + (-p).relu(), x)


@fuzz(500)
@given(AWAY_FROM_ZERO, st.floats(0.0, 1.0))
def test_leaky_relu_is_relu_of_x_minus_slope_times_relu_of_minus_x(x: float, s: float
                                                                  ) -> None:
    count("test_leaky_relu_is_relu_of_x_minus_slope_times_relu_of_minus_x")
    value, g = grads(lambda p: p.leaky_relu(s), x)
    expected, g_expected = grads(lambda p: p.relu() - s * (-p).relu(), x)
    assert close(value, expected) and close(g[0], g_expected[0])


@fuzz(500)
@given(st.floats(-1e150, 1e150))
def test_square_is_x_times_x_with_gradient_2x(x: float) -> None:
    count("test_square_is_x_times_x_with_gradient_2x")
    v1, g1 = grads(lambda p: p ** 2, x)
    v2, g2 = grads(lambda p: p * p, x)
    assert close(v1, v2, 1e-15) and g1 == g2 == [2 * x]


# -- the count ---------------------------------------------------------------------------

def test_zz_every_fuzz_test_ran_its_examples(capsys: pytest.CaptureFixture[str]) -> None:
    """Last in the file: how many examples each fuzz test above ran (those selected)."""
    ran = {name: RUNS[name] for name in MINIMUM if RUNS[name]}
    if not ran:
        pytest.skip("no fuzz test ran before this one")
    for name, n in ran.items():
        assert n >= MINIMUM[name], f"{name} ran {n} examples, expected at least {MINIMUM[name]}"
    lines = [f"fuzz examples run: {sum(ran.values())} in {len(ran)} tests"]
    lines += [f"  {n:5d}  {name}" for name, n in RUNS.items()]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
