"""The catalogue of operations: every op the engine knows, in one place.

An op is three things: how to compute its value from its parents' values, a symbol to
draw it with, and its local derivatives (d out / d parent, one per parent), stated from the
parents' values and the output value. `Value` records the parents; backprop multiplies each
local derivative by the output's gradient. Adding an op means adding one entry here (and one
line in tests/engine/test_ops.py's catalogue): `register` puts it in the registry, and
everything else reads it from there: `Value`'s methods, the expression language and the
command line's help (the ops with `function=True`), nn's activations (the ops with a `gain`),
explain's words and the drawings (`formula`, `symbol`), and the tests' guard.

From user code, `define` adds a function op in one call (the README's "Adding an op"):

    softplus = ops.define("softplus", lambda x: ops.log(1.0 + ops.exp(x)),
                          lambda out, x: (ops.sigmoid(x),), ("σ({a})",))
    Value(1.0).softplus()   # and softplus(x) in `weightgrad explain`

An `Op` that is not registered works too, through `weightgrad.engine.apply(op, x)`.

Numbers at the edges follow IEEE 754, as PyTorch does, instead of Python's exceptions
(`engine.floats`: 1/0 is inf, log(-1) is nan, exp(1000) is inf). Gradients follow the same
rules (d log(x)/dx at 0 is inf), so a bad value is never hidden behind a plausible
gradient: it shows up as inf or nan, where `engine.detect_anomaly` can find it.
"""

from __future__ import annotations

import functools
import math
from numbers import Real

from .floats import div, exp, log, log1p, power, sigmoid
from .op import Op, js_number
from .registry import (  # noqa: F401  (the catalogue's API: ops.register, ops.define, ...)
    _builtin,
    define,
    functions,
    register,
    registry,
    subscribe,
    unregister,
)


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


# An op factory makes one shared Op per parameter value (`typed`: True never stands for 1.0);
# each member names the factory as its `family`.
_family = functools.lru_cache(maxsize=256, typed=True)


def _real(what: str, x: object) -> float:
    """`x` as a float: TypeError for a bool or a non-number, ValueError for inf or nan."""
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} must be a real number, got {type(x).__name__}: {x!r:.60}")
    try:
        f = float(x)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f):
        raise ValueError(f"{what} must be finite, got {x!r:.60}")
    return f


# -- the catalogue -------------------------------------------------------------------------

ADD = _builtin(Op("add", "+", lambda a, b: a + b, lambda out, a, b: (1.0, 1.0), ("1", "1"),
                  js=("a + b", "1", "1")))
SUB = _builtin(Op("sub", "-", lambda a, b: a - b, lambda out, a, b: (1.0, -1.0),
                  ("1", "(-1)"), js=("a - b", "1", "-1")))
MUL = _builtin(Op("mul", "*", lambda a, b: a * b, lambda out, a, b: (b, a), ("{b}", "{a}"),
                  js=("a * b", "b", "a")))
DIV = _builtin(Op("div", "/", div, lambda out, a, b: (1.0, -out),
                  ("(1/{b})", "(-{out}/{b})"), over=(1, 1), js=("a / b", "1", "-out")))
NEG = _builtin(Op("neg", "-", lambda a: -a, lambda out, a: (-1.0,), ("(-1)",),
                  js=("-a", "-1")))
POW = _builtin(Op("pow", "**", power,
                  lambda out, a, b: (_pow_base_grad(a, b), _pow_exponent_grad(out, a, b)),
                  ("{b}·{a}**({b}-1)", "{out}·ln({a})"),
                  js=("pow(a, b)", "powBaseGrad(a, b)", "powExponentGrad(out, a, b)")))


@_family
def powc(exponent: float) -> Op:
    """a ** c for a plain-number exponent c: one parent, local derivative c * a ** (c - 1)."""
    return Op("powc", f"**{exponent:g}", lambda a: power(a, exponent),
              lambda out, a: (_pow_base_grad(a, exponent),),
              (f"{exponent:g}·{{a}}**{exponent - 1:g}",), template=f"{{a}}**{exponent:g}",
              family=powc, js=(f"pow(a, {js_number(exponent)})",
                               f"powBaseGrad(a, {js_number(exponent)})"))


_builtin(powc(2.0))  # the family's entry; x**3 and x**-1 are its other members

# Functions: Value methods and the expression language's functions, in this order.
EXP = _builtin(Op("exp", "exp", exp, lambda out, a: (out,), ("{out}",), function=True,
                  js=("exp(a)", "out")))
LOG = _builtin(Op("log", "log", log, lambda out, a: (1.0,), ("(1/{a})",), over=(0,),
                  function=True, js=("log(a)", "1")))
# Activations carry PyTorch's calculate_gain (tanh 5/3, relu √2 from He et al. 2015: relu
# halves the second moment; sigmoid 1) and where nn.flow counts them flat: |tanh| > 0.99
# (slope < 0.02), sigmoid within 0.01 of 0 or 1 (slope < 0.0099), relu at 0 (slope 0).
TANH = _builtin(Op("tanh", "tanh", math.tanh, lambda out, a: (1.0 - out * out,),
                   ("(1 - {out}²)",), function=True, gain=5.0 / 3.0,
                   saturated=lambda out: abs(out) > 0.99, js=("Math.tanh(a)", "1 - out * out")))
# relu'(0) = 0, PyTorch's choice at the kink; relu(nan) is nan, as torch.relu gives.
RELU = _builtin(Op("relu", "relu", lambda a: 0.0 if a <= 0.0 else a,
                   lambda out, a: (1.0 if a > 0.0 else 0.0,), ("[{a} > 0]",), function=True,
                   gain=math.sqrt(2.0), saturated=lambda out: out == 0.0,
                   js=("a <= 0 ? 0 : a", "a > 0 ? 1 : 0")))
SIGMOID = _builtin(Op("sigmoid", "σ", sigmoid, lambda out, a: (out * (1.0 - out),),
                      ("{out}·(1 - {out})",), function=True, gain=1.0,
                      saturated=lambda out: out < 0.01 or out > 0.99,
                      js=("sigmoid(a)", "out * (1 - out)")))
# d|x|/dx = sign(x), 0 at 0 as torch.abs's backward (grad * sgn(x)); 0 for nan too, as
# PyTorch's sign(x) = (0 < x) - (x < 0) gives (the nan is in the value already).
ABS = _builtin(Op("abs", "abs", abs, lambda out, a: (float((a > 0.0) - (a < 0.0)),),
                  ("sign({a})",), function=True, js=("Math.abs(a)", "(a > 0) - (a < 0)")))


def leaky_relu(negative_slope: float = 0.01) -> Op:
    """torch.nn.functional.leaky_relu: x if x > 0 else s·x; slope 1 if x > 0 else s (s at 0
    too, as PyTorch's backward `x > 0 ? g : g*s`). Gain √(2 / (1 + s²)), He et al. 2015's
    PReLU case. Its slope is never 0 (unless s = 0), so nn.flow never counts it saturated."""
    return _leaky_relu(_real("leaky_relu: negative_slope", negative_slope))


@_family
def _leaky_relu(s: float) -> Op:
    return Op("leaky_relu", "leaky_relu", lambda a: a if a > 0.0 else a * s,
              lambda out, a: (1.0 if a > 0.0 else s,), (f"(1 if {{a}} > 0 else {s:g})",),
              function=True, template="leaky_relu({a})" if s == 0.01 else
              f"leaky_relu({{a}}, {s:g})", gain=math.sqrt(2.0 / (1.0 + s * s)),
              saturated=(lambda out: False) if s else (lambda out: out == 0.0),
              family=leaky_relu,
              js=(f"a > 0 ? a : a * {js_number(s)}", f"a > 0 ? 1 : {js_number(s)}"))


LEAKY_RELU = _builtin(leaky_relu(0.01))


# max(a, b): the whole gradient goes to the operand that is the result, the first on a tie, as
# torch.nn.functional.max_pool2d's backward sends a window's gradient to its argmax, the first
# largest element (torch.maximum splits a tie in half instead); a nan is passed on, as
# torch.maximum does (nan >= b is False: a != a asks for it). nn.MaxPool2d chains these.
MAX = _builtin(Op("max", "max", lambda a, b: a if a >= b or a != a else b,
                  lambda out, a, b: (1.0, 0.0) if a >= b or a != a else (0.0, 1.0),
                  ("[{a} >= {b}]", "[{a} < {b}]"), function=True, template="max({a}, {b})",
                  arity=2, js=("a >= b || a !== a ? a : b", "a >= b || a !== a ? 1 : 0",
                               "a >= b || a !== a ? 0 : 1")))


# log(1 + x) without rounding 1 + x first (torch.log1p): exact where x is tiny, which a stable
# binary cross-entropy needs (log(1 + e^-30) computed as a log of 1 + e^-30 is off by 3e-3).
# d/dx = 1 / (1 + x), finite for every x > -1 (1 + x is then at least 2^-53).
LOG1P = _builtin(Op("log1p", "log1p", log1p, lambda out, a: (div(1.0, 1.0 + a),),
                    ("1/(1 + {a})",), function=True,
                    js=("Math.log1p(a)", "1 / (1 + a)")))


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
# The live page writes its Σ out (b + w1·x1 + ..., then w1, x1, w2, x2, ..., b backward), as
# backward() does: its `js` only says so.
WSUM = _builtin(Op("wsum", "Σ", _wsum_forward, _wsum_local, _wsum_formula,
                   js=("/* written out in engine.playground_eval */",)))


def _wsumc_forward(constants: tuple[float, ...], *wb: float) -> float:
    total = wb[-1]  # b first, then each w_i * c_i in order, as _wsum_forward
    for w, c in zip(wb, constants):
        total += w * c
    return total


def _wsumc_local(constants: tuple[float, ...], out: float, *wb: float) -> tuple[float, ...]:
    return (*constants, 1.0)  # d/dw_i = c_i, d/db = 1


def _wsumc_formula(constants: tuple[float, ...], names: list[str], out: str) -> list[str]:
    return [*(f"{c:.6g}" for c in constants), "1"]


# id(numbers) -> the member holding them, up to 256 (then it starts over): `v.op is v.op`,
# and a layer's Σs share one member. Each member holds its tuple, so an id here is never
# another tuple's.
_MEMBERS: dict[int, Op] = {}


def weighted_sum_of(constants: tuple[float, ...]) -> Op:
    """Σ w_i·c_i + b over plain numbers c (a first layer's inputs): parents (w_1..w_n, b),
    local derivatives c_i and 1. The numbers belong to the op, as a plain exponent belongs to
    powc: they are no nodes and get no gradient, as an input tensor without requires_grad in
    PyTorch. A node records the family's entry, WSUMC, and keeps the numbers in `_b` (a tuple
    shared by its layer: nothing is made per call); `Value.op` asks here for its member. The
    members are kept by the tuple's identity, not its value: a value would take -0.0 for 0.0."""
    op = _MEMBERS.get(id(constants))
    if op is None:
        op = Op("wsumc", "Σ", functools.partial(_wsumc_forward, constants),
                functools.partial(_wsumc_local, constants),
                functools.partial(_wsumc_formula, constants), family=weighted_sum_of,
                constants=constants, js=WSUMC.js)
        if len(_MEMBERS) >= 256:
            _MEMBERS.clear()  # one call: safe while another thread reads or adds
        _MEMBERS[id(constants)] = op
    return op


# The family's entry, recorded by every Σ over numbers; the live page writes it out as WSUM.
WSUMC = _builtin(Op("wsumc", "Σ", functools.partial(_wsumc_forward, (1.0,)),
                    functools.partial(_wsumc_local, (1.0,)),
                    functools.partial(_wsumc_formula, (1.0,)), family=weighted_sum_of,
                    constants=(1.0,), js=("/* written out in engine.playground_eval */",)))
