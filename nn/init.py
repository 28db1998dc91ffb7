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

T = TypeVar("T", bound=Iterable)

# Gains that need no parameter, as in torch.nn.init.calculate_gain's table.
_LINEAR = ("linear", "identity", "conv1d", "conv2d", "conv3d",
           "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain that keeps activations' variance steady through `nonlinearity` (PyTorch's table).

    `param` is leaky_relu's negative slope (default 0.01); other nonlinearities ignore it.
    """
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0  # PyTorch's value: tanh shrinks variance; a gain > 1 offsets it
    if nonlinearity == "relu":
        return math.sqrt(2.0)  # relu zeroes half its inputs, halving the second moment (He 2015)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"negative_slope {param!r} not a valid number")
        # He et al. 2015 (their PReLU case): variance is kept when gain² (1 + slope²) / 2 = 1.
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0  # found empirically by PyTorch (pytorch/pytorch#50664)
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}")


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


def _fan(matrix: Sequence[Sequence[Value]], mode: str) -> int:
    mode = mode.lower()  # PyTorch accepts any case
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode!r} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = calculate_fan_in_and_fan_out(matrix)
    return fan_in if mode == "fan_in" else fan_out


def uniform(values: T, a: float = 0.0, b: float = 1.0, rng: random.Random | None = None) -> T:
    """Fill with draws from U(a, b)."""
    if a > b:
        raise ValueError(f"uniform expects a <= b, got a={a}, b={b}")
    rng = rng if rng is not None else random.Random()
    for v in _flatten(values):
        v.data = rng.uniform(a, b)
    return values


def normal(values: T, mean: float = 0.0, std: float = 1.0,
           rng: random.Random | None = None) -> T:
    """Fill with draws from N(mean, std²)."""
    if std < 0:
        raise ValueError(f"normal expects std >= 0, got std={std}")
    rng = rng if rng is not None else random.Random()
    for v in _flatten(values):
        v.data = rng.gauss(mean, std)
    return values


def constant(values: T, val: float) -> T:
    """Fill with `val`."""
    val = float(val)
    for v in _flatten(values):
        v.data = val
    return values


def zeros(values: T) -> T:
    """Fill with 0.0 (biases, as micrograd and most layers start them)."""
    return constant(values, 0.0)


def xavier_uniform(matrix: T, gain: float = 1.0, rng: random.Random | None = None) -> T:
    """Glorot & Bengio (2010) "Understanding the difficulty of training deep feedforward neural
    networks": U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(matrix)
    # Averaging fan_in and fan_out keeps the variance of both the forward activations and the
    # backward gradients near constant from layer to layer (the paper's compromise).
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # U(-b, b) has variance b²/3
    return uniform(matrix, -bound, bound, rng)


def xavier_normal(matrix: T, gain: float = 1.0, rng: random.Random | None = None) -> T:
    """Glorot & Bengio (2010): N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(matrix)
    return normal(matrix, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def _kaiming_std(matrix: Sequence[Sequence[Value]], a: float, mode: str,
                 nonlinearity: str) -> float:
    # He et al. (2015) "Delving deep into rectifiers": Var[w] = gain² / fan keeps the variance of
    # activations (fan_in) or of gradients (fan_out) constant through rectifier layers.
    fan = _fan(matrix, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform(matrix: T, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", rng: random.Random | None = None) -> T:
    """He et al. (2015): U(-bound, bound) with bound = gain * sqrt(3 / fan).

    `a` is the negative slope of the leaky_relu after this layer. PyTorch's Linear default,
    a=sqrt(5), gives bound = 1 / sqrt(fan_in).
    """
    bound = math.sqrt(3.0) * _kaiming_std(matrix, a, mode, nonlinearity)
    return uniform(matrix, -bound, bound, rng)


def kaiming_normal(matrix: T, a: float = 0.0, mode: str = "fan_in",
                   nonlinearity: str = "leaky_relu", rng: random.Random | None = None) -> T:
    """He et al. (2015): N(0, std²) with std = gain / sqrt(fan)."""
    return normal(matrix, 0.0, _kaiming_std(matrix, a, mode, nonlinearity), rng)
