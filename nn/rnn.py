"""`RNNCell` and `unroll`: one set of recurrent weights reused at every time step.

h' = tanh(W_ih x + b_ih + W_hh h + b_hh), exactly torch.nn.RNNCell with its default tanh
(https://pytorch.org/docs/stable/generated/torch.nn.RNNCell.html). `unroll` applies the same
cell along a sequence, so the unrolled graph uses each weight once per step, and backprop
through time is nothing but `loss.backward()`: each weight's gradient is the sum of its
contributions at every step, as for any weight used more than once.

Each hidden unit j is one fused Σ node over the concatenated inputs [x..., h...] with the
tuple (w_ih_j..., w_hh_j..., b_ih_j), followed by + b_hh_j and tanh. The tuple is built once,
so every step's Σ node of unit j shares it: the graph holds the weights once, however long
the sequence. Both biases stay Parameters, as in PyTorch (their sum is all that matters to
the output, but a state_dict should load from and compare with PyTorch's).
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


class RNNCell(Module):
    """torch.nn.RNNCell(input_size, hidden_size) with tanh; `cell(x, h)` -> the next h.

    Parameters, in PyTorch's order and with its names, one row per hidden unit j:
    `weight_ih.{j}` (input_size weights), `weight_hh.{j}` (hidden_size weights), then the
    vectors `bias_ih` and `bias_hh` (parameter names `bias_ih.{j}`, `bias_hh.{j}`).
    """

    def __init__(self, input_size: int, hidden_size: int, seed: int | None = None) -> None:
        self.input_size = checks.size("RNNCell", "input_size", input_size)
        self.hidden_size = checks.size("RNNCell", "hidden_size", hidden_size)
        self.seed = checks.seed("RNNCell", seed)
        rng = random.Random(seed)
        self.weight_ih = [[Parameter(0.0) for _ in range(input_size)]
                          for _ in range(hidden_size)]
        self.weight_hh = [[Parameter(0.0) for _ in range(hidden_size)]
                          for _ in range(hidden_size)]
        self.bias_ih = [Parameter(0.0) for _ in range(hidden_size)]
        self.bias_hh = [Parameter(0.0) for _ in range(hidden_size)]
        # PyTorch's RNNBase.reset_parameters: every weight and bias U(-1/sqrt(hidden_size),
        # 1/sqrt(hidden_size)), drawn in parameter order.
        bound = 1.0 / math.sqrt(hidden_size)
        for group in (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh):
            nninit.uniform(group, -bound, bound, rng=rng)
        # Built once: every step's Σ node of unit j shares this tuple.
        self._rows = [(*wi, *wh, b) for wi, wh, b in
                      zip(self.weight_ih, self.weight_hh, self.bias_ih)]
        self.label_parameters()

    def _own_tensors(self) -> Iterator[tuple[str, ParamEntry]]:
        for j, row in enumerate(self.weight_ih):
            yield f"weight_ih.{j}", row
        for j, row in enumerate(self.weight_hh):
            yield f"weight_hh.{j}", row
        yield "bias_ih", self.bias_ih
        yield "bias_hh", self.bias_hh

    def _own_weight_groups(self) -> Iterator[WeightGroup]:
        # torch.nn.RNNCell: weight_ih (hidden, input), weight_hh (hidden, hidden), two biases.
        h = self.hidden_size
        yield WeightGroup.weight("weight_ih", (h, self.input_size), self.weight_ih)
        yield WeightGroup.weight("weight_hh", (h, h), self.weight_hh)
        yield WeightGroup.bias("bias_ih", self.bias_ih)
        yield WeightGroup.bias("bias_hh", self.bias_hh)

    def zero_state(self) -> list[Value]:
        """h0 = 0, PyTorch's default initial hidden state."""
        return [Value(0.0) for _ in range(self.hidden_size)]

    def __call__(self, x: Sequence[Value | float], h: Sequence[Value | float] | None = None
                 ) -> list[Value]:
        xs = checks.values("RNNCell", "x", x, self.input_size)
        hs = self.zero_state() if h is None else checks.values("RNNCell", "h", h,
                                                                self.hidden_size)
        return self._step(xs, hs)

    def _step(self, xs: list[Value], hs: list[Value]) -> list[Value]:
        """One step on checked inputs (`__call__` and `unroll` check them first)."""
        sums = weighted_sums(self._rows, [*xs, *hs])  # b_ih + W_ih x + W_hh h, one node each
        return [(s + b).tanh() for s, b in zip(sums, self.bias_hh)]

    def describe(self) -> tuple[str, str]:
        return f"{self.input_size} + {self.hidden_size} → {self.hidden_size}", "tanh"

    def config(self) -> dict[str, Any]:
        return {"input_size": self.input_size, "hidden_size": self.hidden_size,
                "seed": self.seed}

    def __repr__(self) -> str:
        return (f"RNNCell({self.input_size}, {self.hidden_size}; "
                f"{len(self.parameters())} parameters)")


def unroll(cell: RNNCell, xs: Sequence[Sequence[Value | float]],
           h0: Sequence[Value | float] | None = None) -> list[list[Value]]:
    """The hidden state after each step of `xs` (one input vector per step), h0 = 0 by default.

    The same `cell`, hence the same weights, at every step; call `backward()` on a loss of the
    outputs for backprop through time.
    """
    if not isinstance(cell, RNNCell):
        raise checks.wrong_type("unroll", "cell", "an RNNCell", cell)
    # Every step is checked before the first is computed, each named by its place in xs.
    steps = checks.sequence("unroll", "xs", xs, of="input vectors (one per time step)",
                            nonempty=True)
    steps = [checks.values("unroll", f"xs[{t}]", x, cell.input_size) for t, x in enumerate(steps)]
    h = cell.zero_state() if h0 is None else checks.values("unroll", "h0", h0, cell.hidden_size)
    states = []
    for x in steps:
        h = cell._step(x, h)
        states.append(h)
    return states
