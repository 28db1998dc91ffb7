"""IEEE 754 float arithmetic for the ops: the results PyTorch gives where Python raises.

1/0 is inf, 0/0 and log(-1) are nan, log(0) is -inf, exp(1000) is inf, 0 ** -1 is inf and
(-8) ** (1/3) is nan (never complex). The op catalogue (`engine.ops`) is built from these, and
re-exports them for ops defined in user code (`ops.exp`, `ops.log`, `ops.sigmoid`).
"""

from __future__ import annotations

import math

INF = math.inf
NAN = math.nan


def div(a: float, b: float) -> float:
    """a / b with IEEE results for b == 0: ±inf, or nan for 0/0."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def digits(n: int) -> int:
    """How many decimal digits |n| has, without converting it to text (which Python refuses
    past 4300 digits): for messages about integers too large for a float."""
    n = abs(n)
    d = max(1, int(n.bit_length() * 0.30102999566398120))  # log10(2)
    while 10 ** d <= n:
        d += 1
    while d > 1 and 10 ** (d - 1) > n:
        d -= 1
    return d


def exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def log(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    return -INF if x == 0.0 else NAN  # also nan for nan


def log1p(x: float) -> float:
    """log(1 + x), exact for tiny x where 1 + x rounds; -inf at -1, nan below (IEEE)."""
    if x > -1.0:
        return math.log1p(x)
    return -INF if x == -1.0 else NAN  # also nan for nan


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

