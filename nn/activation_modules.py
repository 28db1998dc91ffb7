"""Activations as modules, as PyTorch has them: `ReLU()`, `Tanh()`, `Sigmoid()`, `LeakyReLU(s)`.

    Sequential(Linear(64, 32), ReLU(), Linear(32, 10))

Each class only says which entry of nn's activation table it is (`nn.activations`, itself read
from the engine's op catalogue): the function, its derivative, its init gain and where it
saturates all come from there, so `ReLU()(x)` builds the very nodes `MLP(..., "relu")` does.
A module applies its function to every number of its input, which may be one number or Value,
a list, or a nested list (a Conv1d's channels, `map_nested`); the result has the same shape,
as PyTorch's elementwise modules keep a tensor's shape. They hold no parameters and state no
weight groups.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from weightgrad.engine import Value

from . import activations, checks
from .module import Module

Nested = Value | float | Sequence[Any]


def map_nested(who: str, x: Nested, fn: Callable[[Any], Any], name: str = "x",
               depth: int | None = None) -> Any:
    """`fn` of every number in `x`, in the shape of `x`: a number or Value, a list of them, or
    a list of such lists, nested to the same depth throughout (a tensor's shape, its rows
    maybe of different lengths). The depth is read down the first items; anything that
    breaks it is refused, naming where."""
    if depth is None:
        depth, first = 0, x
        while isinstance(first, (list, tuple)) and first:
            depth, first = depth + 1, first[0]
    if depth == 0:
        return fn(checks.number(who, name, x))
    if depth == 1:
        return [fn(v) for v in checks.numbers(who, name, x)]
    if not isinstance(x, (list, tuple)):
        raise checks.wrong_type(who, name, f"a list nested {depth} deep", x)
    return [map_nested(who, xi, fn, f"{name}[{i}]", depth - 1) for i, xi in enumerate(x)]


class ActivationModule(Module):
    """An activation of nn's table applied elementwise; subclasses name the entry."""

    function: ClassVar[str]  # a name of nn.activations.ACTIVATIONS

    def __init__(self) -> None:
        self._fn = activations.get(self.function)

    @property
    def activation(self) -> str:
        """The activation's name in nn's table, as Layer.activation gives it."""
        return self.function

    def __call__(self, x: Nested) -> Any:
        return map_nested(type(self).__name__, x, self._fn)  # numbers become constants

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(ActivationModule):
    """max(0, x), as torch.nn.ReLU."""

    function = "relu"


class Tanh(ActivationModule):
    """tanh(x), as torch.nn.Tanh."""

    function = "tanh"


class Sigmoid(ActivationModule):
    """1 / (1 + e^-x), as torch.nn.Sigmoid."""

    function = "sigmoid"


class LeakyReLU(ActivationModule):
    """x for x > 0, negative_slope · x otherwise, as torch.nn.LeakyReLU (default slope 0.01)."""

    function = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = checks.real("LeakyReLU", "negative_slope", negative_slope)
        self._fn = activations.get(self.function, self.negative_slope)

    def config(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope!r})"
