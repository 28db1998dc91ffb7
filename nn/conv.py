"""`Conv1d`: one small kernel of weights slid along a signal, the same weights at every position.

A Layer gives every connection its own weight. A convolution instead *shares* one kernel
(in_channels × kernel_size weights and a bias per output channel) across every position of
the signal, so its parameter count does not depend on the signal's length, and each kernel
weight's gradient is the sum of its contributions at every position where it was used.

Each output value is ONE fused Σ node (`engine.fused.weighted_sums`) over the window under the
kernel. Every node of an output channel is given the very same (w..., b) tuple object, so the
graph holds the kernel once and backprop adds each position's share into the same Parameters.
Shapes, padding, stride and the output length follow torch.nn.Conv1d
(https://pytorch.org/docs/stable/generated/torch.nn.Conv1d.html), without dilation or groups.
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

Signal = Sequence[Value | float]


class Conv1d(Module):
    """torch.nn.Conv1d on lists: `conv(x)` takes `in_channels` equal-length signals and
    returns `out_channels` lists of length floor((L + 2·padding - kernel_size) / stride) + 1.

    Parameters, named as PyTorch's state_dict would hold them row by row:
    `weight.{o}` is output channel o's kernel flattened in (channel, tap) order, so
    `weight.{o}.{c * kernel_size + k}` multiplies input channel c at offset k of the window;
    `bias.{o}` is its bias. All weights come first, then the biases, as in PyTorch. The names
    are PyTorch's (`weight`, `bias`), not Neuron's `w`/`b`, so a state_dict maps onto
    torch's entry for entry: `weight.{o}` is torch's `weight[o].flatten()`.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int = 0, seed: int | None = None) -> None:
        self.in_channels = checks.size("Conv1d", "in_channels", in_channels)
        self.out_channels = checks.size("Conv1d", "out_channels", out_channels)
        self.kernel_size = checks.size("Conv1d", "kernel_size", kernel_size)
        self.stride = checks.size("Conv1d", "stride", stride)
        self.padding = checks.size("Conv1d", "padding", padding, low=0)
        self.seed = checks.seed("Conv1d", seed)
        rng = random.Random(seed)
        fan_in = in_channels * kernel_size
        weight = [[Parameter(0.0) for _ in range(fan_in)] for _ in range(out_channels)]
        bias = [Parameter(0.0) for _ in range(out_channels)]
        # PyTorch's _ConvNd.reset_parameters: kaiming_uniform(a=sqrt(5)), which comes to
        # U(-1/sqrt(fan_in), 1/sqrt(fan_in)), then the bias from the same range.
        nninit.kaiming_uniform(weight, a=math.sqrt(5.0), rng=rng)
        bound = 1.0 / math.sqrt(fan_in)
        nninit.uniform(bias, -bound, bound, rng=rng)
        # One tuple (w..., b) per output channel, fixed for the layer's life: every Σ node of
        # that channel shares it, which is what makes the kernel one set of weights.
        self._wb = [(*w, b) for w, b in zip(weight, bias)]
        self.label_parameters()

    @property
    def weight(self) -> list[tuple[Parameter, ...]]:
        """One row per output channel, its kernel in (channel, tap) order: the (out, in·k)
        layout nn.init expects. Read-only: set `weight[o][i].data`."""
        return [wb[:-1] for wb in self._wb]

    @property
    def bias(self) -> list[Parameter]:
        return [wb[-1] for wb in self._wb]

    def kernel(self, o: int) -> list[list[Parameter]]:
        """Output channel o's kernel as rows: kernel(o)[c][k]."""
        w, k = self._wb[o], self.kernel_size
        return [list(w[c * k:(c + 1) * k]) for c in range(self.in_channels)]

    def _own_tensors(self) -> Iterator[tuple[str, ParamEntry]]:
        for o, wb in enumerate(self._wb):
            yield f"weight.{o}", list(wb[:-1])
        yield "bias", self.bias

    def _own_weight_groups(self) -> Iterator[WeightGroup]:
        # torch.nn.Conv1d: weight (out_channels, in_channels, kernel_size), bias (out,); each
        # row's (channel, tap) order is that shape's row-major order.
        yield WeightGroup.weight(
            "weight", (self.out_channels, self.in_channels, self.kernel_size), self.weight)
        yield WeightGroup.bias("bias", self.bias)

    def output_length(self, length: int) -> int:
        """PyTorch's L_out for an input of `length` (dilation 1)."""
        return (length + 2 * self.padding - self.kernel_size) // self.stride + 1

    def _channels(self, x: object) -> list[list[Value]]:
        """The input checked (nn.checks): in_channels signals of one length, long enough for
        the kernel once padded; as Values."""
        x = checks.sequence("Conv1d", "x", x, self.in_channels,
                            of=f"channels (lists of {checks.NUMBERS})")
        first = checks.values("Conv1d", "x[0]", x[0])
        # PyTorch's L_out >= 1 needs L + 2·padding >= kernel_size, and a signal is never empty.
        need = max(1, self.kernel_size - 2 * self.padding)
        if len(first) < need:
            raise checks.wrong_value(
                "Conv1d", "x[0]", f"a list of at least {need} {checks.NUMBERS} (kernel_size "
                f"{self.kernel_size}, padding {self.padding})", x[0],
                f"{type(x[0]).__name__} of length {len(first)}")
        return [first, *[checks.values("Conv1d", f"x[{c}]", ch, len(first))
                         for c, ch in enumerate(x) if c > 0]]

    def forward(self, x: Sequence[Signal]) -> list[list[Value]]:
        channels = self._channels(x)
        if self.padding:
            # Zero padding: one constant 0 on each side, shared by every padded slot.
            pad = [Value(0.0)] * self.padding
            channels = [pad + ch + pad for ch in channels]
        k = self.kernel_size
        out: list[list[Value]] = [[] for _ in range(self.out_channels)]
        for start in range(0, len(channels[0]) - k + 1, self.stride):
            # The window in (channel, tap) order, matching each kernel tuple's order.
            window = [v for ch in channels for v in ch[start:start + k]]
            for o, node in enumerate(weighted_sums(self._wb, window)):
                out[o].append(node)
        return out

    def __call__(self, x: Sequence[Signal]) -> list[list[Value]]:
        return self.forward(x)

    def describe(self) -> tuple[str, str]:
        return f"{self.in_channels} → {self.out_channels} ch, k={self.kernel_size}", "linear"

    def config(self) -> dict[str, Any]:
        return {"in_channels": self.in_channels, "out_channels": self.out_channels,
                "kernel_size": self.kernel_size, "stride": self.stride,
                "padding": self.padding, "seed": self.seed}

    def __repr__(self) -> str:
        return (f"Conv1d({self.in_channels}, {self.out_channels}, kernel_size="
                f"{self.kernel_size}, stride={self.stride}, padding={self.padding}; "
                f"{len(self.parameters())} parameters)")
