"""`Sequential` and `Flatten`: modules in a row, named as torch.nn.Sequential names them.

    model = Sequential(Linear(64, 32, seed=0), ReLU(), Linear(32, 10, seed=1))
    model(x)                       # Linear, then ReLU, then Linear
    model[0].weight                # the first Linear's rows; model[-1], model[1:], len(model)
    dict(model.named_parameters())["2.bias.3"]

The submodules are named by their position, "0", "1", ..., so parameters are named as in
PyTorch's state_dict: `0.weight`, `0.bias`, `2.weight` (position 1, the ReLU, has none); the
scalar names add the row and column (`0.weight.3.5`). Every weight tool reads a Sequential
through its modules' weight groups, and the layer-by-layer ones (draw_network, flow_stats)
take one made of dense layers: each Linear, optionally followed by one activation module
(`dense_steps`), with Flatten allowed anywhere (it leaves a flat vector as it is).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, overload

from weightgrad.engine import Value

from . import checks
from .activation_modules import ActivationModule, Nested, map_nested
from .linear import Linear
from .module import Module, check_module
from .weight_groups import WeightGroup


class Flatten(Module):
    """A nested list (channels × positions, an image's rows) as one flat list, row-major.

    torch.nn.Flatten keeps a batch dimension (start_dim=1); weightgrad's modules take one
    example at a time, so this flattens everything. A flat list passes through as it is.
    """

    def __call__(self, x: Nested) -> list[Value | float]:
        if not isinstance(x, (list, tuple)):
            raise checks.wrong_type("Flatten", "x", f"a (nested) list of {checks.NUMBERS}", x)
        flat: list[Value | float] = []
        map_nested("Flatten", x, flat.append)  # depth first, left to right: row-major
        return flat

    def __repr__(self) -> str:
        return "Flatten()"


class DenseStep(NamedTuple):
    """One dense layer of a Sequential as draw_network and flow_stats see it: a Linear and the
    activation module right after it (None: linear), like one Layer of an MLP."""

    linear: Linear
    act: ActivationModule | None

    @property
    def activation(self) -> str:
        return "linear" if self.act is None else self.act.activation

    def weight_groups(self) -> Iterator[tuple[str, WeightGroup]]:
        return self.linear.weight_groups()

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        out = self.linear(x)
        return out if self.act is None else self.act(out)


class Sequential(Module):
    """Modules applied one after the other, as torch.nn.Sequential: `model(x)` is
    `modules[-1](...(modules[0](x)))`. Indexing, slicing (a new Sequential sharing the same
    modules), `len` and iteration work as in PyTorch."""

    def __init__(self, *modules: Module) -> None:
        seen: dict[int, int] = {}
        for i, m in enumerate(modules):
            check_module(m, "Sequential", f"modules[{i}]")
            if not callable(m):
                raise checks.wrong_type("Sequential", f"modules[{i}]",
                                        "a callable nn.Module (a layer)", m)
            # The same layer twice would list its parameters twice (and an optimizer would
            # step them twice); a parameter-free module such as ReLU() may repeat.
            if m.parameters() and id(m) in seen:
                raise checks.wrong_value("Sequential", f"modules[{i}]",
                                         "a module not already in the Sequential", m,
                                         f"modules[{seen[id(m)]}] again")
            seen.setdefault(id(m), i)
        self._modules = list(modules)
        # Graphs and explain name parameters by their labels: the Sequential's names, as
        # MLP labels its own. A slice shares the modules and keeps these labels.
        self.label_parameters()

    def _children(self) -> Iterator[tuple[str, Module]]:
        for i, m in enumerate(self._modules):
            yield str(i), m

    def __call__(self, x: Any) -> Any:
        for m in self._modules:
            x = m(x)  # type: ignore[operator]
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules)

    @overload
    def __getitem__(self, i: int) -> Module: ...
    @overload
    def __getitem__(self, i: slice) -> Sequential: ...

    def __getitem__(self, i: int | slice) -> Module | Sequential:
        if isinstance(i, slice):
            part = Sequential.__new__(Sequential)  # the modules are checked and labelled
            part._modules = self._modules[i]
            return part
        n = len(self._modules)
        if isinstance(i, bool) or not isinstance(i, int):
            raise checks.wrong_type("Sequential", "index", "an int or a slice", i)
        if not -n <= i < n:  # IndexError, as for a list: it ends a for loop over indices
            raise IndexError(f"Sequential: index must be an int in [{-n}, {n - 1}], got {i}")
        return self._modules[i]

    def dense_steps(self) -> list[tuple[str, DenseStep]] | None:
        """This Sequential as dense layers in sequence, each named by its Linear's position;
        None unless it is made of Linears, each followed by at most one activation module,
        and Flattens, with every Linear taking as many inputs as the one before gives."""
        steps: list[tuple[str, DenseStep]] = []
        mods = [(i, m) for i, m in enumerate(self._modules) if not isinstance(m, Flatten)]
        k = 0
        while k < len(mods):
            i, m = mods[k]
            if not isinstance(m, Linear):
                return None
            after = mods[k + 1][1] if k + 1 < len(mods) else None
            act = after if isinstance(after, ActivationModule) else None
            if steps and steps[-1][1].linear.out_features != m.in_features:
                return None
            steps.append((str(i), DenseStep(m, act)))
            k += 2 if act is not None else 1
        return steps or None

    def config(self) -> dict[str, Any]:
        return {"modules": [{"type": type(m).__name__, "config": m.config()}
                            for m in self._modules]}

    def __repr__(self) -> str:
        lines = [f"  ({i}): {m!r}" for i, m in enumerate(self._modules)]
        return "Sequential(\n" + "\n".join(lines) + "\n)" if lines else "Sequential()"
