"""Weight groups: which of a module's Parameters form a weight matrix or kernel and which a bias,
with the shape PyTorch gives them, so that every tool that looks at weights (summary,
draw_network, flow, prune, quantize) reads any Module the same way.

Each module class states its own groups (`Module._own_weight_groups`), built from where it
already keeps its Parameters; `Module.weight_groups()` walks the tree. A group carries the name
PyTorch gives the tensor relative to its module (`weight`, `bias`, `weight_ih`, `bias_hh`) and
torch's shape: (out, in) for torch.nn.Linear, (out, in, kernel_size) for torch.nn.Conv1d,
(hidden, input) and (hidden, hidden) for torch.nn.RNNCell's weight_ih and weight_hh
(https://pytorch.org/docs/stable/generated/torch.nn.RNNCell.html). Its Parameters come in
row-major (C) order, torch's default memory order, so `params[i * n_in + j]` is torch's
`weight[i, j]`: a PyTorch state_dict entry is `f"{module name}.{group.name}"` holding the
numbers reshaped to `shape`, with nothing but a renaming of module names in between
(an MLP's `layers.i` is torch.nn.Sequential's index `2 * i`, the activations in between).
The JSON state_dict keys stay weightgrad's own (`layers.0.neurons.3.w.1`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .parameter import Parameter

KINDS = ("weight", "bias")


@dataclass(frozen=True, eq=False)
class WeightGroup:
    """One weight matrix, kernel or bias: a name (PyTorch's, relative to its module), its kind
    ("weight" or "bias"), its shape in PyTorch's layout, and its Parameters in row-major order."""

    name: str
    kind: str
    shape: tuple[int, ...]
    params: tuple[Parameter, ...]

    def __post_init__(self) -> None:
        # A class that states a wrong group would mislead every tool at once: refuse it here.
        if self.kind not in KINDS:
            raise ValueError(f"weight group {self.name!r}: kind must be one of "
                             f"{', '.join(KINDS)}, got {self.kind!r}")
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                   for n in self.shape):
            raise ValueError(f"weight group {self.name!r}: shape must be sizes >= 0, "
                             f"got {self.shape!r}")
        if math.prod(self.shape) != len(self.params):
            raise ValueError(f"weight group {self.name!r}: shape {self.shape} holds "
                             f"{math.prod(self.shape)} numbers, got {len(self.params)} "
                             f"Parameters")
        if not all(isinstance(p, Parameter) for p in self.params):
            raise TypeError(f"weight group {self.name!r}: every entry must be a Parameter")

    @classmethod
    def weight(cls, name: str, shape: tuple[int, ...], rows: Iterable[Iterable[Parameter]]
               ) -> WeightGroup:
        """A weight matrix or kernel from its rows, one per output (torch's first dimension);
        each row already in row-major order over the remaining dimensions."""
        return cls(name, "weight", tuple(shape), tuple(p for row in rows for p in row))

    @classmethod
    def bias(cls, name: str, params: Sequence[Parameter]) -> WeightGroup:
        """A bias vector, one entry per output."""
        return cls(name, "bias", (len(params),), tuple(params))

    def rows(self) -> list[tuple[Parameter, ...]]:
        """The Parameters split along the first dimension: row o is output o's weights
        (a neuron's incoming weights, a channel's kernel); a bias gives one-entry rows."""
        if not self.shape:
            return [self.params]
        width = math.prod(self.shape[1:])
        return [self.params[o * width:(o + 1) * width] for o in range(self.shape[0])]


def report_name(module_name: str, group: WeightGroup, model: object) -> str:
    """How the weight tools name a group in their tables: its module's dotted name, followed by
    the group's own name unless that is PyTorch's default `weight` (`layers.0`, `q`,
    `weight_ih`, `cell.weight_hh`); the model's class name stands for the model itself."""
    own = "" if group.name == "weight" else group.name
    return ".".join(part for part in (module_name, own) if part) or type(model).__name__
