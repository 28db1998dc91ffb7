"""One input policy for nn: what counts as a number, a list of inputs, a size, a seed, a choice
among names and a hyper-parameter, and the one shape every refusal takes.

Every nn entry point checks its arguments here, before it changes anything, and refuses with

    {who}: {name} must be {requirement}, got {what came}

`who` is the function or class that was called, `name` the argument (with an index for one
element: `x[1]`), `requirement` everything the argument must be, the same words whichever way
it is wrong. A wrong *type* is a TypeError and the tail names the type and the value, as the
engine's own refusals do (`Value("a")`: "got str: 'a'"):

    MLP: nin must be an int >= 1, got bool: True
    Layer: x[1] must be a real number or a Value, got str: 'a'

A wrong *value* of an accepted type is a ValueError and the tail is the value, or a list's
length: `MLP: nin must be an int >= 1, got 0`, `MLP: x must be a list of 2 real numbers or
Values, got list of length 3`.

`bool` is refused wherever nn takes a number: inputs, targets, labels, sizes, seeds, indices
and hyper-parameters. Python counts True as 1, but a bool where a number is meant is almost
always a bug: a mask or a comparison (`x > 0`) passed where a feature was meant, a flag passed
one position too early where a size or a learning rate was meant. PyTorch refuses `True` as a
layer size (its sizes are ints, and a bool is not one), and torch.nn.Linear refuses a bool
tensor as input with a dtype error; weightgrad refuses at the door, naming the argument. Mean
0/1 on purpose with `float(b)`. A `Value` is always accepted as an input or a target (that is
how gradients reach inputs); sizes, seeds and hyper-parameters are plain Python numbers. The
engine itself keeps Python's arithmetic (`Value(True)` is 1.0): this is nn's policy, not the
core's.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence, Set
from numbers import Integral, Real
from typing import Any, TypeVar

from weightgrad.engine import Value

from .parameter import Parameter

T = TypeVar("T")

NUMBER = "a real number or a Value"
NUMBERS = "real numbers or Values"
# The types a list of inputs usually holds: one set lookup per list instead of one isinstance
# per element on the hot path (bool is not here: type(True) is bool, not int).
_PLAIN = frozenset({float, int, Value, Parameter})


def _show(x: object) -> str:
    r = repr(x)
    return r if len(r) <= 60 else r[:57] + "..."  # a message stays one short line


def wrong_type(who: str, name: str, requirement: str, x: object) -> TypeError:
    """The TypeError for `x` of the wrong type: `who: name must be requirement, got T: x`."""
    return TypeError(f"{who}: {name} must be {requirement}, got {type(x).__name__}: {_show(x)}")


def wrong_value(who: str, name: str, requirement: str, x: object, got: str | None = None
                ) -> ValueError:
    """The ValueError for `x` of the right type but a wrong value (`got` overrides the tail)."""
    return ValueError(f"{who}: {name} must be {requirement}, got {got or _show(x)}")


def is_number(x: object) -> bool:
    """A real number that is not a bool (int, float, Fraction, numpy's floats and ints...)."""
    return isinstance(x, Real) and not isinstance(x, bool)


def number(who: str, name: str, x: T) -> T:
    """An input value or a target: a real number (not a bool) or a Value; `x` unchanged."""
    if isinstance(x, Value) or is_number(x):
        return x
    raise wrong_type(who, name, NUMBER, x)


def sequence(who: str, name: str, xs: Any, n: int | None = None, *, of: str,
             nonempty: bool = False) -> Sequence[Any]:
    """`xs` as a sequence of `n` (if given) items described by `of`; no check of the items.

    Lists, tuples and anything indexable with a length are taken as they are; any other
    iterable (a generator) is read into a list. A str, a dict or a set is refused: their
    items are characters, keys, or in no fixed order.
    """
    # A list or a tuple (the hot path: every forward call) skips the slower ABC checks.
    if type(xs) is not list and type(xs) is not tuple:
        if isinstance(xs, (str, bytes, bytearray, Mapping, Set)) or not isinstance(xs, Iterable):
            raise wrong_type(who, name, _list_of(n, of, nonempty), xs)
        if not (hasattr(xs, "__len__") and hasattr(xs, "__getitem__")):
            xs = list(xs)
    if (n is not None and len(xs) != n) or (nonempty and len(xs) == 0):
        raise wrong_value(who, name, _list_of(n, of, nonempty), xs,
                          f"{type(xs).__name__} of length {len(xs)}")
    return xs


def _list_of(n: int | None, of: str, nonempty: bool) -> str:
    if n is not None:
        return f"a list of {n} {of}"
    return f"a {'non-empty ' if nonempty else ''}list of {of}"


def numbers(who: str, name: str, xs: Any, n: int | None = None, *, nonempty: bool = False
            ) -> Sequence[Any]:
    """A vector of inputs (or targets): `n` (if given) real numbers or Values, no bool."""
    xs = sequence(who, name, xs, n, of=NUMBERS, nonempty=nonempty)
    if not _PLAIN.issuperset(map(type, xs)):
        for i, x in enumerate(xs):
            number(who, f"{name}[{i}]", x)
    return xs


def values(who: str, name: str, xs: Any, n: int | None = None, *, nonempty: bool = False
           ) -> list[Value]:
    """`numbers(...)`, then as Values: each number becomes a constant leaf, once."""
    return [x if isinstance(x, Value) else Value(x)
            for x in numbers(who, name, xs, n, nonempty=nonempty)]


def _integer(who: str, name: str, x: object, requirement: str, low: int,
             high: int | None = None) -> int:
    if isinstance(x, bool) or not isinstance(x, Integral):
        raise wrong_type(who, name, requirement, x)
    if x < low or (high is not None and x > high):
        raise wrong_value(who, name, requirement, x)
    return int(x)


def size(who: str, name: str, n: object, low: int = 1) -> int:
    """A size (features, neurons, channels, a kernel, a stride, padding): an int >= `low`."""
    return _integer(who, name, n, f"an int >= {low}", low)


def pair(who: str, name: str, n: object, low: int = 1) -> tuple[int, int]:
    """A size for both dimensions of an image, (height, width): one int >= `low` for both, or a
    pair (tuple or list) of them, as torch.nn's Conv2d and MaxPool2d take (`_pair`)."""
    requirement = f"an int >= {low} or a pair of them"
    if type(n) is tuple or type(n) is list:
        if len(n) != 2:
            raise wrong_value(who, name, requirement, n, f"{type(n).__name__} of length {len(n)}")
        return size(who, f"{name}[0]", n[0], low), size(who, f"{name}[1]", n[1], low)
    k = _integer(who, name, n, requirement, low)
    return k, k


def index(who: str, name: str, i: object, n: int) -> int:
    """A class index among `n` classes: an int in [0, n - 1] (a bool is not a class)."""
    return _integer(who, name, i, f"a class index, an int in [0, {n - 1}]", 0, n - 1)


def seed(who: str, x: object, name: str = "seed") -> int | None:
    """A seed for `random.Random`: an int or None (None: a fresh, unseeded generator)."""
    if x is None or (isinstance(x, Integral) and not isinstance(x, bool)):
        return x  # type: ignore[return-value]
    raise wrong_type(who, name, "an int or None", x)


def rng(who: str, x: object, name: str = "rng", optional: bool = True) -> random.Random | None:
    """A random number generator: a `random.Random` (or None where `optional`)."""
    if isinstance(x, random.Random) or (optional and x is None):
        return x
    raise wrong_type(who, name, "a random.Random" + (" or None" if optional else ""), x)


def choice(who: str, name: str, x: object, choices: Iterable[str]) -> str:
    """One of the names in `choices` (a str; anything else is a TypeError)."""
    names = list(choices)
    requirement = f"one of {', '.join(names)}"
    if not isinstance(x, str):
        raise wrong_type(who, name, requirement, x)
    if x not in names:
        raise wrong_value(who, name, requirement, x)
    return x


def _bounds(low: float | None, high: float | None, high_open: bool) -> str:
    if low is not None and high is not None:
        return f" in [{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f" >= {low:g}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high:g}"
    return ""


def real(who: str, name: str, x: object, low: float | None = None, high: float | None = None,
         *, high_open: bool = False) -> float:
    """A hyper-parameter (lr, a beta, weight decay, a std...): a finite real number, not a
    bool, in [low, high] (or [low, high) with `high_open`); returned as a float."""
    requirement = "a finite number" + _bounds(low, high, high_open)
    if isinstance(x, bool) or not isinstance(x, Real):
        raise wrong_type(who, name, requirement, x)
    try:
        f = float(x)
    except OverflowError:  # an int too large for a float
        raise wrong_value(who, name, requirement, x) from None
    if not (math.isfinite(f) and (low is None or f >= low)
            and (high is None or (f < high if high_open else f <= high))):
        raise wrong_value(who, name, requirement, x)
    return f


def count_or_fraction(who: str, name: str, x: object) -> int | float:
    """torch.nn.utils.prune's `amount`: an int is a count (>= 0), a float a fraction in [0, 1].

    A bool is refused here above all: True would silently mean "one weight".
    """
    requirement = "a count (an int >= 0) or a fraction (a float in [0, 1])"
    if isinstance(x, bool) or not isinstance(x, Real):
        raise wrong_type(who, name, requirement, x)
    if isinstance(x, Integral):
        return _integer(who, name, x, requirement, 0)
    if not 0.0 <= float(x) <= 1.0:  # also refuses nan
        raise wrong_value(who, name, requirement, x)
    return float(x)
