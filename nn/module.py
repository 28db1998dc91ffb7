"""`Module`: what every model shares — named parameters, gradients, freezing, state dicts.

A module declares its own parameters (`_own_tensors`: a name and either one Parameter or a
list of them) and its submodules (`_children`). Everything else is derived from those two:
dotted names such as `layers.0.neurons.3.w.1`, the parameter order, `state_dict()` and a
`load_state_dict()` that checks everything before it changes anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from . import serialization
from .parameter import Parameter
from .summary import summary_table

Tensor = Parameter | list[Parameter]
StateDict = dict[str, float | list[float]]


class IncompatibleKeys(NamedTuple):
    """What a non-strict `load_state_dict` skipped, as in PyTorch."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class: subclasses override `_own_tensors` and/or `_children`."""

    def _own_tensors(self) -> Iterator[tuple[str, Tensor]]:
        return iter(())

    def _children(self) -> Iterator[tuple[str, Module]]:
        return iter(())

    # -- names and parameters -----------------------------------------------------------

    def named_modules(self, prefix: str = "", stop: Callable[[Module], bool] | None = None
                      ) -> Iterator[tuple[str, Module]]:
        """This module and every submodule, depth first, with dotted names ("" for self).
        Below a module for which `stop` is true, the walk does not go down."""
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            yield name, module
            if stop is not None and stop(module):
                continue
            children = [(f"{name}.{n}" if name else n, m) for n, m in module._children()]
            stack.extend(reversed(children))

    def named_tensors(self) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, Parameter or list of Parameters), in parameter order."""
        for prefix, module in self.named_modules():
            for name, tensor in module._own_tensors():
                yield (f"{prefix}.{name}" if prefix else name), tensor

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Every scalar parameter with a stable dotted name, e.g. `layers.0.neurons.3.w.1`."""
        for name, tensor in self.named_tensors():
            if isinstance(tensor, list):
                for i, p in enumerate(tensor):
                    yield f"{name}.{i}", p
            else:
                yield name, tensor

    def label_parameters(self) -> None:
        """Label every parameter with its dotted name, so graphs and `explain` can name it."""
        for name, p in self.named_parameters():
            p.label = name

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def freeze(self) -> Module:
        """Exclude every parameter from optimizer updates (weight decay included)."""
        for p in self.parameters():
            p.requires_grad = False
        return self

    def unfreeze(self) -> Module:
        for p in self.parameters():
            p.requires_grad = True
        return self

    def summary(self) -> str:
        """A table: each layer's shape, activation, parameters, weight mean/std, grad norm."""
        return summary_table(self)

    # -- state dicts and files ----------------------------------------------------------

    def state_dict(self) -> StateDict:
        """Plain floats by name (a vector as a list): JSON-serialisable as it is."""
        return {name: [p.data for p in t] if isinstance(t, list) else t.data
                for name, t in self.named_tensors()}

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        """Copy numbers into the parameters, or refuse with a ValueError and change nothing."""
        if not isinstance(state_dict, Mapping):
            raise ValueError(f"state_dict must be a dict of names to numbers, "
                             f"got {type(state_dict).__name__}")
        tensors = dict(self.named_tensors())
        missing = [k for k in tensors if k not in state_dict]
        unexpected = [k for k in state_dict if k not in tensors]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(f"missing key(s): {', '.join(missing)}")
            if unexpected:
                parts.append(f"unexpected key(s): {', '.join(map(str, unexpected))}")
            raise ValueError("load_state_dict refused: " + "; ".join(parts))
        updates = []
        for name, tensor in tensors.items():
            if name in state_dict:
                updates.extend(_check_entry(name, tensor, state_dict[name]))
        for p, x in updates:  # only now, with every entry checked
            p.data = x
        return IncompatibleKeys(missing, unexpected)

    def save(self, path: str | Path) -> None:
        """Write the weights as JSON with a format version, atomically (temp file, rename)."""
        serialization.save(path, self.state_dict(), type(self).__name__, self.config())

    def load(self, path: str | Path) -> None:
        """Load weights saved by `save`; on any problem raise and leave the model as it was."""
        self.load_state_dict(serialization.load(path), strict=True)

    def config(self) -> dict[str, Any]:
        """The constructor arguments, recorded in saved files for the reader's benefit."""
        return {}


def _number(name: str, x: object) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"{name}: expected a number, got {type(x).__name__} {x!r}")
    try:
        x = float(x)
    except OverflowError:
        raise ValueError(f"{name}: expected a finite number, got an integer of "
                         f"{len(str(abs(x)))} digits") from None
    if not math.isfinite(x):
        raise ValueError(f"{name}: expected a finite number, got {x!r}")
    return float(x)


def _check_entry(name: str, tensor: Tensor, value: object) -> list[tuple[Parameter, float]]:
    if isinstance(tensor, list):
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{name}: expected a list of {len(tensor)} numbers, "
                             f"got {type(value).__name__}")
        if len(value) != len(tensor):
            raise ValueError(f"{name}: wrong size: expected {len(tensor)} numbers, "
                             f"got {len(value)}")
        return [(p, _number(f"{name}.{i}", x)) for i, (p, x) in enumerate(zip(tensor, value))]
    return [(tensor, _number(name, value))]
