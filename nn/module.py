"""`Module`: what every model shares — named parameters, gradients, freezing, state dicts.

A module declares its own parameters (`_own_tensors`: a name and either one Parameter or a
list of them) and its submodules (`_children`). Everything else is derived from those two:
dotted names such as `layers.0.neurons.3.w.1`, the parameter order, `state_dict()` and a
`load_state_dict()` that checks everything before it changes anything. A module also states its
weight groups (`_own_weight_groups`, see nn/weight_groups.py): which parameters form a weight
matrix or kernel and which a bias, in PyTorch's layout, for every tool that looks at weights.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from . import checks, serialization
from .parameter import Parameter
from .summary import summary_table
from .weight_groups import WeightGroup

# One state-dict entry's parameters: a scalar (a bias) or a vector of them (a neuron's w).
ParamEntry = Parameter | list[Parameter]
StateDict = dict[str, float | list[float]]


class IncompatibleKeys(NamedTuple):
    """What a non-strict `load_state_dict` skipped, as in PyTorch."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class: subclasses override `_own_tensors` and/or `_children`."""

    def _own_tensors(self) -> Iterator[tuple[str, ParamEntry]]:
        return iter(())

    def _children(self) -> Iterator[tuple[str, Module]]:
        return iter(())

    def _own_weight_groups(self) -> Iterator[WeightGroup]:
        """This module's weight matrices, kernels and biases; a module that states any speaks
        for its whole subtree (a Layer for its Neurons)."""
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

    def named_tensors(self) -> Iterator[tuple[str, ParamEntry]]:
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

    def weight_groups(self) -> Iterator[tuple[str, WeightGroup]]:
        """(dotted module name, group) for every weight group in the tree, in module order.

        The walk stops at a module that states groups: those cover everything below it, as
        torch.nn.Linear's `weight` covers what a Layer keeps in its Neurons. Every Parameter
        of the built-in modules is in exactly one group."""
        def states_groups(module: Module) -> bool:
            return next(iter(module._own_weight_groups()), None) is not None

        for name, module in self.named_modules(stop=states_groups):
            for group in module._own_weight_groups():
                yield name, group

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
        """A table: each layer's shape, activation, parameters, weight mean/std, grad norm,
        and under it each of its weight groups with its shape in PyTorch's layout."""
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
                updates.extend(serialization.check_entry(name, tensor, state_dict[name]))
        for p, x in updates:  # only now, with every entry checked
            p.data = x
        return IncompatibleKeys(missing, unexpected)

    def save(self, path: str | Path) -> None:
        """Write the weights as JSON with a format version, atomically (temp file, rename)."""
        serialization.save(path, self.state_dict(), type(self).__name__, self.config())

    def load(self, path: str | Path) -> None:
        """Load weights saved by `save`; on any problem raise and leave the model as it was.

        The file's "model" and the architecture in its "config" must be this model's: a file
        of `MLP(2, [4, 1], activation="tanh")` has the same keys and sizes as one of a relu
        MLP, and would load into it silently. The seed, the init and `fused` are not checked:
        trained weights are free to come from another start, and fused is a speed choice."""
        document = serialization.load_document(path)
        serialization.check_architecture(path, document, type(self).__name__, self.config())
        self.load_state_dict(document["state_dict"], strict=True)

    def config(self) -> dict[str, Any]:
        """The constructor arguments, recorded in saved files for the reader's benefit."""
        return {}


def check_module(model: object, who: str, name: str = "model") -> Module:
    """`model` if it is a Module; TypeError naming `who` and the argument otherwise."""
    if not isinstance(model, Module):
        raise checks.wrong_type(who, name, "an nn.Module (an MLP, a layer, ...)", model)
    return model


def weight_groups_of(model: object, who: str, name: str = "model"
                     ) -> list[tuple[str, WeightGroup]]:
    """`model.weight_groups()` as a list; TypeError naming `who` if `model` is not a Module or
    has no weights (a Module subclass that states no weight groups)."""
    groups = list(check_module(model, who, name).weight_groups())
    if not any(group.kind == "weight" for _, group in groups):
        raise checks.wrong_type(who, name, "a Module with weights (weight groups)",
                                model)
    return groups
