"""Weight initializers: PyTorch's `torch.nn.init` formulas, applied to engine Values.

Each function writes `.data` of the Values it is given, in place, and returns its argument,
like PyTorch's `kaiming_uniform_` and friends (the names drop the trailing underscore).
The Value objects themselves are never replaced, so a model's parameters stay the same objects.

`values` is a flat sequence of Values or a matrix (a sequence of rows of Values); a `matrix`
has one row per output neuron holding that neuron's incoming weights, the layout of PyTorch's
Linear weight of shape (fan_out, fan_in). Draws are made in row-major order from `rng`, a
`random.Random`, never from the global `random` functions, so a seed reproduces a model exactly
and initializing one never disturbs another's random stream.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from typing import TypeVar

from weightgrad.engine import Value

from . import activations, checks

T = TypeVar("T", bound=Iterable)

# PyTorch's names for layers with no nonlinearity after them: their gain is linear's, 1.
_LINEAR_ALIASES = ("identity", "conv1d", "conv2d", "conv3d",
                   "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain that keeps activations' variance steady through `nonlinearity` (PyTorch's table).

    The activations' gains (linear 1, tanh 5/3, relu √2, sigmoid 1, leaky_relu √(2/(1+s²)))
    are the op catalogue's, through `nn.activations`. `param` is leaky_relu's negative slope
    (default 0.01); other nonlinearities ignore it, as in PyTorch.
    """
    if nonlinearity in _LINEAR_ALIASES:
        nonlinearity = "linear"
    if nonlinearity == "selu":  # not an op here; PyTorch's table has it
        return 3.0 / 4.0  # found empirically by PyTorch (pytorch/pytorch#50664)
    try:
        act = activations.get(nonlinearity)
    except ValueError:
        raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}") from None
    if param is not None and act.op is not None and act.op.family is not None:
        act = activations.get(nonlinearity, checks.real("calculate_gain", "param", param))
    return act.gain


def _flatten(values: Iterable) -> list[Value]:
    """Every Value in a flat sequence or in a sequence of rows, in row-major order."""
    out: list[Value] = []
    for item in values:
        if isinstance(item, Value):
            out.append(item)
        elif isinstance(item, Iterable) and not isinstance(item, (str, bytes)):
            for v in item:
                if not isinstance(v, Value):
                    raise TypeError(f"expected Values, got {type(v).__name__}: {v!r}")
                out.append(v)
        else:
            raise TypeError(f"expected Values or rows of Values, got {type(item).__name__}: "
                            f"{item!r}")
    return out


def calculate_fan_in_and_fan_out(matrix: Sequence[Sequence[Value]]) -> tuple[int, int]:
    """(fan_in, fan_out) = (length of a row, number of rows), as for a (fan_out, fan_in) weight."""
    rows = list(matrix)
    if any(isinstance(r, Value) for r in rows):
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than "
                         "2 dimensions (got a flat sequence of Values, expected rows)")
    if not rows:
        raise ValueError("cannot compute fan in and fan out of an empty matrix (no rows)")
    widths = [len(r) for r in rows]
    for i, w in enumerate(widths):
        if w != widths[0]:
            raise ValueError(f"ragged matrix: row {i} has {w} values but row 0 has {widths[0]}")
    if widths[0] == 0:
        raise ValueError("cannot compute fan in and fan out of an empty matrix (rows are empty)")
    return widths[0], len(rows)


def _fan(matrix: Sequence[Sequence[Value]], mode: str, who: str) -> int:
    modes = ("fan_in", "fan_out")
    if not (isinstance(mode, str) and mode.lower() in modes):  # PyTorch accepts any case
        checks.choice(who, "mode", mode, modes)  # refuses it, naming what came
    mode = mode.lower()
    fan_in, fan_out = calculate_fan_in_and_fan_out(matrix)
    return fan_in if mode == "fan_in" else fan_out


def uniform(values: T, a: float = 0.0, b: float = 1.0, rng: random.Random | None = None) -> T:
    """Fill with draws from U(a, b)."""
    a, b = checks.real("uniform", "a", a), checks.real("uniform", "b", b)
    if a > b:
        raise checks.wrong_value("uniform", "a", f"a finite number <= b ({b!r})", a)
    rng = checks.rng("uniform", rng) or random.Random()
    for v in _flatten(values):
        v.data = rng.uniform(a, b)
    return values


def normal(values: T, mean: float = 0.0, std: float = 1.0,
           rng: random.Random | None = None) -> T:
    """Fill with draws from N(mean, std²)."""
    mean, std = checks.real("normal", "mean", mean), checks.real("normal", "std", std, 0.0)
    rng = checks.rng("normal", rng) or random.Random()
    for v in _flatten(values):
        v.data = rng.gauss(mean, std)
    return values


def constant(values: T, val: float) -> T:
    """Fill with `val`."""
    val = checks.real("constant", "val", val)
    for v in _flatten(values):
        v.data = val
    return values


def zeros(values: T) -> T:
    """Fill with 0.0 (biases, as micrograd and most layers start them)."""
    return constant(values, 0.0)


def xavier_uniform(matrix: T, gain: float = 1.0, rng: random.Random | None = None) -> T:
    """Glorot & Bengio (2010) "Understanding the difficulty of training deep feedforward neural
    networks": U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out))."""
    gain, rng = checks.real("xavier_uniform", "gain", gain), checks.rng("xavier_uniform", rng)
    fan_in, fan_out = calculate_fan_in_and_fan_out(matrix)
    # Averaging fan_in and fan_out keeps the variance of both the forward activations and the
    # backward gradients near constant from layer to layer (the paper's compromise).
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # U(-b, b) has variance b²/3
    return uniform(matrix, -bound, bound, rng)


def xavier_normal(matrix: T, gain: float = 1.0, rng: random.Random | None = None) -> T:
    """Glorot & Bengio (2010): N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    gain, rng = checks.real("xavier_normal", "gain", gain), checks.rng("xavier_normal", rng)
    fan_in, fan_out = calculate_fan_in_and_fan_out(matrix)
    return normal(matrix, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def _kaiming_std(matrix: Sequence[Sequence[Value]], a: float, mode: str,
                 nonlinearity: str, rng: object, who: str) -> float:
    # He et al. (2015) "Delving deep into rectifiers": Var[w] = gain² / fan keeps the variance of
    # activations (fan_in) or of gradients (fan_out) constant through rectifier layers.
    a = checks.real(who, "a", a)
    checks.rng(who, rng)
    fan = _fan(matrix, mode, who)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform(matrix: T, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", rng: random.Random | None = None) -> T:
    """He et al. (2015): U(-bound, bound) with bound = gain * sqrt(3 / fan).

    `a` is the negative slope of the leaky_relu after this layer. PyTorch's Linear default,
    a=sqrt(5), gives bound = 1 / sqrt(fan_in).
    """
    bound = math.sqrt(3.0) * _kaiming_std(matrix, a, mode, nonlinearity, rng, "kaiming_uniform")
    return uniform(matrix, -bound, bound, rng)


def kaiming_normal(matrix: T, a: float = 0.0, mode: str = "fan_in",
                   nonlinearity: str = "leaky_relu", rng: random.Random | None = None) -> T:
    """He et al. (2015): N(0, std²) with std = gain / sqrt(fan)."""
    std = _kaiming_std(matrix, a, mode, nonlinearity, rng, "kaiming_normal")
    return normal(matrix, 0.0, std, rng)
