"""The catalogue of operations: every op the engine knows, in one place.

An op is three things: how to compute its value from its parents' values, a symbol to
draw it with, and its local derivatives (d out / d parent, one per parent), stated from the
parents' values and the output value. `Value` records the parents; backprop multiplies each
local derivative by the output's gradient. Adding an op means adding one entry here (and one
line in tests/engine/test_ops.py's catalogue).

Numbers at the edges follow IEEE 754, as PyTorch does, instead of Python's exceptions:
1/0 is inf, 0/0 and log(-1) are nan, log(0) is -inf, exp(1000) is inf. Gradients follow the
same rules (d log(x)/dx at 0 is inf), so a bad value is never hidden behind a plausible
gradient: it shows up as inf or nan, where `engine.detect_anomaly` can find it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

INF = math.inf
NAN = math.nan


@dataclass(frozen=True, eq=False)
class Op:
    """One operation. `local(out, *parents)` returns d out / d parent for each parent.

    `formula` says the same local derivatives in words for `explain`: one template per
    parent, with {a} and {b} standing for the parents' names and {out} for the result's
    (or a function of (parent names, out name) for ops of any arity).

    `over` marks local derivatives that are quotients: for parent i, `over[i]` is the index
    of the operand it is divided by (None: not a quotient), and `local` gives the numerator.
    The chain rule then divides the incoming gradient first, g / b, instead of multiplying
    by 1 / b, which overflows for |b| < 1e-308 where the true gradient is finite.
    """

    name: str
    symbol: str
    forward: Callable[..., float]
    local: Callable[..., tuple[float, ...]]
    formula: tuple[str, ...] | Callable[[list[str], str], list[str]] = ()
    over: tuple[int | None, ...] = ()

    def derivatives(self, out: float, *args: float) -> tuple[float, ...]:
        """d out / d parent for each parent, as numbers (quotients divided out)."""
        local = self.local(out, *args)
        if not self.over:
            return local
        return tuple([d if k is None else div(d, args[k]) for d, k in zip(local, self.over)])

    def chain(self, g: float, out: float, *args: float) -> tuple[float, ...]:
        """What each parent's gradient gains from this node's gradient `g`: g · d out/d parent,
        computed as (g / divisor) · numerator for a quotient (see `over`)."""
        local = self.local(out, *args)
        if not self.over:
            return tuple([d * g for d in local])
        return tuple([d * g if k is None else div(g, args[k]) * d
                      for d, k in zip(local, self.over)])

    def chain_text(self, g: float, out: float, *args: float, fmt: Callable[[float], str]
                   ) -> list[str]:
        """The arithmetic of `chain` for each parent, in words: `2 * 0.5` or `2 / 4 * (-3)`."""
        local = self.local(out, *args)
        over = self.over or (None,) * len(local)
        return [f"{fmt(g)} * {fmt(d)}" if k is None
                else f"{fmt(g)} / {fmt(args[k])}" if d == 1.0
                else f"{fmt(g)} / {fmt(args[k])} * {_paren(fmt(d))}"
                for d, k in zip(local, over)]

    def __repr__(self) -> str:
        return f"Op({self.name})"

    def expression(self, names: list[str]) -> str:
        """How the forward computation reads: `x1 * w1`, `tanh(n)`, `x**2`."""
        if self.name == "wsum":
            n = (len(names) - 1) // 2
            return " + ".join([names[-1], *(f"{w}·{x}" for w, x in zip(names[:n],
                                                                     names[n:2 * n]))])
        if len(names) == 2:
            return f"{names[0]} {self.symbol} {names[1]}"
        if self.symbol.startswith("**"):
            return f"{names[0]}{self.symbol}"
        return f"{self.symbol}({names[0]})"

    def local_text(self, names: list[str], out: str) -> list[str]:
        """The local derivative d out / d parent for each parent, as readable formulas."""
        if callable(self.formula):
            return self.formula(names, out)
        fields = {"a": names[0], "b": names[1] if len(names) > 1 else "", "out": out}
        return [t.format(**fields) for t in self.formula]


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


# -- IEEE-style float helpers (Python raises where IEEE 754 gives inf or nan) --------------

def div(a: float, b: float) -> float:
    """a / b with IEEE results for b == 0: ±inf, or nan for 0/0."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def log(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    return -INF if x == 0.0 else NAN  # also nan for nan


def power(a: float, b: float) -> float:
    """a ** b as IEEE pow does: 0 ** -1 is inf, (-8) ** (1/3) is nan, never complex."""
    try:
        return math.pow(a, b)
    except OverflowError:
        # |a| > 1 with large b, or |a| < 1 with very negative b; odd integer b keeps a's sign
        odd = b == int(b) and int(b) % 2 == 1
        return -INF if a < 0 and odd else INF
    except ValueError:
        # math.pow refuses 0 ** negative (IEEE: inf, keeping the sign of -0 for odd
        # integer exponents) and negative ** non-integer (IEEE: nan)
        if a == 0.0:
            odd = b == int(b) and int(b) % 2 == 1
            return math.copysign(INF, a) if odd else INF
        return NAN


def sigmoid(x: float) -> float:
    # Split by sign so that exp never overflows: for x < 0, 1/(1+e^-x) = e^x / (1 + e^x).
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _pow_base_grad(a: float, b: float) -> float:
    # d(a**b)/da = b * a ** (b - 1); PyTorch makes it 0 for b == 0 (a ** 0 is constant 1),
    # where the formula would give 0 * inf = nan at a == 0.
    return 0.0 if b == 0.0 else b * power(a, b - 1.0)


def _pow_exponent_grad(out: float, a: float, b: float) -> float:
    # d(a**b)/db = a**b * ln a. PyTorch masks it to 0 where a == 0 and b >= 0 (the limit from
    # the right), instead of 0 * -inf = nan; for a < 0 ln a is nan, and so is this gradient.
    if a == 0.0 and b >= 0.0:
        return 0.0
    return out * log(a)


# -- the catalogue -------------------------------------------------------------------------

ADD = Op("add", "+", lambda a, b: a + b, lambda out, a, b: (1.0, 1.0), ("1", "1"))
SUB = Op("sub", "-", lambda a, b: a - b, lambda out, a, b: (1.0, -1.0), ("1", "(-1)"))
MUL = Op("mul", "*", lambda a, b: a * b, lambda out, a, b: (b, a), ("{b}", "{a}"))
DIV = Op("div", "/", div, lambda out, a, b: (1.0, -out), ("(1/{b})", "(-{out}/{b})"),
         over=(1, 1))
NEG = Op("neg", "-", lambda a: -a, lambda out, a: (-1.0,), ("(-1)",))
POW = Op("pow", "**", power,
         lambda out, a, b: (_pow_base_grad(a, b), _pow_exponent_grad(out, a, b)),
         ("{b}·{a}**({b}-1)", "{out}·ln({a})"))
EXP = Op("exp", "exp", exp, lambda out, a: (out,), ("{out}",))
LOG = Op("log", "log", log, lambda out, a: (1.0,), ("(1/{a})",), over=(0,))
TANH = Op("tanh", "tanh", math.tanh, lambda out, a: (1.0 - out * out,), ("(1 - {out}²)",))
# relu'(0) = 0, PyTorch's choice at the kink; relu(nan) is nan, as torch.relu gives.
RELU = Op("relu", "relu", lambda a: 0.0 if a <= 0.0 else a,
          lambda out, a: (1.0 if a > 0.0 else 0.0,), ("[{a} > 0]",))
SIGMOID = Op("sigmoid", "σ", sigmoid, lambda out, a: (out * (1.0 - out),),
             ("{out}·(1 - {out})",))


def _powc(exponent: float) -> Op:
    """a ** c for a plain-number exponent c: one parent, local derivative c * a ** (c - 1)."""
    return Op("pow", f"**{exponent:g}", lambda a: power(a, exponent),
              lambda out, a: (_pow_base_grad(a, exponent),),
              (f"{exponent:g}·{{a}}**{exponent - 1:g}",))


_POWC_CACHE: dict[float, Op] = {}


def powc(exponent: float) -> Op:
    """The op raising to a constant exponent, one shared Op per exponent."""
    op = _POWC_CACHE.get(exponent)
    if op is None:
        op = _POWC_CACHE[exponent] = _powc(exponent)
    return op


def _wsum_forward(*args: float) -> float:
    n = (len(args) - 1) // 2
    # b first, then each w_i * x_i in order: the same float additions as micrograd's
    # `sum((wi * xi for ...), self.b)`, so fused and unfused neurons agree to the last bit.
    total = args[-1]
    for w, x in zip(args[:n], args[n:2 * n]):
        total += w * x
    return total


def _wsum_local(out: float, *args: float) -> tuple[float, ...]:
    n = (len(args) - 1) // 2
    # d/dw_i = x_i, d/dx_i = w_i, d/db = 1
    return (*args[n:2 * n], *args[:n], 1.0)


def _wsum_formula(names: list[str], out: str) -> list[str]:
    n = (len(names) - 1) // 2
    return [*names[n:2 * n], *names[:n], "1"]


# A neuron's pre-activation in one node: Σ w_i x_i + b, parents (w_1..w_n, x_1..x_n, b).
WSUM = Op("wsum", "Σ", _wsum_forward, _wsum_local, _wsum_formula)

UNARY = {"exp": EXP, "log": LOG, "tanh": TANH, "relu": RELU, "sigmoid": SIGMOID}
