"""`Linear`: y = W x + b, torch.nn.Linear on lists, with PyTorch's names, layout and init.

    from weightgrad.nn import Linear
    layer = Linear(3, 2, seed=0)     # weight (2, 3), bias (2,)
    layer([1.0, 2.0, 3.0])           # [Value, Value]: W x + b, no activation

Parameters are named as PyTorch's state_dict names them: `weight` of shape (out_features,
in_features), row i holding output i's incoming weights, and `bias` (out_features,). Scalar
names follow: `weight.{i}.{j}` is torch's `weight[i, j]`, `bias.{i}` its `bias[i]`; the
state_dict holds `weight.{i}` (row i, a list) and `bias` (a list). Each output is one fused
Σ node (`engine.fused.weighted_sums`), so a Linear is as fast as a fused Layer.

Init is torch.nn.Linear.reset_parameters
(https://pytorch.org/docs/stable/generated/torch.nn.Linear.html): the weight from
kaiming_uniform(a=√5), which comes to U(-1/√in_features, 1/√in_features), then the bias
from U(-1/√in_features, 1/√in_features); every draw, weight rows first, from the layer's own
`random.Random(seed)`. An activation is a module of its own (`nn.ReLU`, ...), as in PyTorch:
`Sequential(Linear(64, 32), ReLU(), Linear(32, 10))`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from typing import Any

from weightgrad.engine import Value
from weightgrad.engine.fused import weighted_sums

from . import checks
from . import init as nninit
from .module import Module, ParamEntry
from .parameter import Parameter
from .weight_groups import WeightGroup


class Linear(Module):
    """y = W x + b with W of shape (out_features, in_features), as torch.nn.Linear.

    Without a bias each row's Σ ends in a shared constant 0 (not a Parameter, so it is not
    trained, saved or counted): weighted_sums needs a bias slot.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 seed: int | None = None) -> None:
        self.in_features = checks.size("Linear", "in_features", in_features)
        self.out_features = checks.size("Linear", "out_features", out_features)
        bias = bool(bias)  # a flag, read as nn's other flags are (SelfAttention's bias)
        self.seed = checks.seed("Linear", seed)
        self.weight = [[Parameter(0.0) for _ in range(in_features)]
                       for _ in range(out_features)]
        self.bias = [Parameter(0.0) for _ in range(out_features)] if bias else None
        zero = Value(0.0)
        # One tuple (w_1, ..., w_n, b) per row, kept for the module's life: every Σ node of a
        # row shares it (what makes a fused layer small). Change numbers through `.data`.
        self._rows = [(*row, self.bias[i] if self.bias else zero)
                      for i, row in enumerate(self.weight)]
        self.reset_parameters(random.Random(seed))
        self.label_parameters()

    def reset_parameters(self, rng: random.Random | None = None) -> None:
        """Draw the weights and biases again, as torch.nn.Linear.reset_parameters."""
        rng = checks.rng("Linear.reset_parameters", rng) or random.Random()
        # kaiming_uniform with a = √5: gain √(2/(1+5)) = √(1/3), bound gain·√(3/fan_in)
        # = 1/√fan_in. PyTorch keeps this (rather than He's a = 0) for backward compatibility
        # (pytorch/pytorch#57109).
        nninit.kaiming_uniform(self.weight, a=math.sqrt(5.0), rng=rng)
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_features)
            nninit.uniform(self.bias, -bound, bound, rng=rng)

    def _own_tensors(self) -> Iterator[tuple[str, ParamEntry]]:
        for i, row in enumerate(self.weight):
            yield f"weight.{i}", row
        if self.bias is not None:
            yield "bias", self.bias

    def _own_weight_groups(self) -> Iterator[WeightGroup]:
        # torch.nn.Linear: weight (out, in), bias (out,) when there is one.
        yield WeightGroup.weight("weight", (self.out_features, self.in_features), self.weight)
        if self.bias is not None:
            yield WeightGroup.bias("bias", self.bias)

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        x = checks.numbers("Linear", "x", x, self.in_features)
        return weighted_sums(self._rows, x)

    def describe(self) -> tuple[str, str]:
        return f"{self.in_features} → {self.out_features}", "linear"

    def config(self) -> dict[str, Any]:
        return {"in_features": self.in_features, "out_features": self.out_features,
                "bias": self.bias is not None, "seed": self.seed}

    def __repr__(self) -> str:
        return (f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None})")
