"""`Conv2d`: one small kernel of weights slid over an image, the same weights at every position.

Conv1d's idea in two dimensions. An output channel is one kernel, in_channels × kh × kw weights
and a bias, applied at every position of the image: the parameter count does not depend on the
image's size, a filter that finds a stroke finds it wherever it is, and each kernel weight's
gradient is the sum of its contributions at every position.

Each output value is ONE fused Σ node (`engine.fused.weighted_sums`) over the window under the
kernel, and every node of an output channel is given the very same (w..., b) tuple object, so
the graph holds the kernel once. Shapes, padding, stride, the output size and the init follow
torch.nn.Conv2d (https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html), without
dilation or groups; an image is a list of channels, each a list of rows of numbers (torch's
(C, H, W) without the batch), and so is the output: `out[o][row][column]`.
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

Image = Sequence[Sequence[Sequence[Value | float]]]
Pair = int | tuple[int, int]


def image(who: str, x: object, channels: int | None, need: tuple[int, int], why: str
          ) -> list[list[list[Value]]]:
    """An image checked (nn.checks): `channels` channels (at least one if None), each the
    same number of rows, every row the same number of numbers, at least `need` = (rows,
    columns); as Values. `why` says where `need` comes from, for the message."""
    of = f"channels (lists of rows of {checks.NUMBERS})"
    x = checks.sequence(who, "x", x, channels, of=of, nonempty=True)
    first = checks.sequence(who, "x[0]", x[0], None, of=f"rows (lists of {checks.NUMBERS})",
                            nonempty=True)
    if len(first) < need[0]:
        raise checks.wrong_value(who, "x[0]", f"a list of at least {need[0]} rows ({why})",
                                 x[0], f"{type(x[0]).__name__} of length {len(first)}")
    top = checks.values(who, "x[0][0]", first[0])
    if len(top) < need[1]:
        raise checks.wrong_value(who, "x[0][0]", f"a list of at least {need[1]} "
                                 f"{checks.NUMBERS} ({why})", first[0],
                                 f"{type(first[0]).__name__} of length {len(top)}")
    out = []
    for c, ch in enumerate(x):
        rows = first if c == 0 else checks.sequence(
            who, f"x[{c}]", ch, len(first), of=f"rows (lists of {checks.NUMBERS})")
        out.append([top if c == r == 0 else checks.values(who, f"x[{c}][{r}]", row, len(top))
                    for r, row in enumerate(rows)])
    return out


def output_size(size: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int],
                padding: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """PyTorch's (H_out, W_out): floor((H + 2·padding - kernel) / stride) + 1 (dilation 1)."""
    (h, w), (kh, kw), (sh, sw), (ph, pw) = size, kernel, stride, padding
    return (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1


class Conv2d(Module):
    """torch.nn.Conv2d on lists: `conv(x)` takes `in_channels` images of one size (lists of
    rows) and returns `out_channels` of them, each of PyTorch's size (`output_size`).

    `kernel_size`, `stride` and `padding` are an int or a pair (height, width), as in PyTorch.
    Parameters are named as PyTorch's state_dict holds them, row by row: `weight.{o}` is output
    channel o's kernel flattened in (channel, row, column) order, torch's `weight[o].flatten()`,
    so `weight.{o}.{(c·kh + i)·kw + j}` multiplies input channel c at offset (i, j) of the
    window; `bias.{o}` is its bias (none with bias=False). Weights first, then the biases.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Pair,
                 stride: Pair = 1, padding: Pair = 0, bias: bool = True,
                 seed: int | None = None) -> None:
        self.in_channels = checks.size("Conv2d", "in_channels", in_channels)
        self.out_channels = checks.size("Conv2d", "out_channels", out_channels)
        self.kernel_size = checks.pair("Conv2d", "kernel_size", kernel_size)
        self.stride = checks.pair("Conv2d", "stride", stride)
        self.padding = checks.pair("Conv2d", "padding", padding, low=0)
        has_bias = bool(bias)  # a flag, read as Linear's
        self.seed = checks.seed("Conv2d", seed)
        fan_in = in_channels * self.kernel_size[0] * self.kernel_size[1]
        weight = [[Parameter(0.0) for _ in range(fan_in)] for _ in range(out_channels)]
        biases = [Parameter(0.0) for _ in range(out_channels)] if has_bias else None
        # PyTorch's _ConvNd.reset_parameters: kaiming_uniform(a=sqrt(5)) over fan_in = in·kh·kw,
        # which comes to U(-1/sqrt(fan_in), 1/sqrt(fan_in)), then the bias from the same range.
        rng = random.Random(seed)
        nninit.kaiming_uniform(weight, a=math.sqrt(5.0), rng=rng)
        if biases is not None:
            bound = 1.0 / math.sqrt(fan_in)
            nninit.uniform(biases, -bound, bound, rng=rng)
        # One tuple (w..., b) per output channel for the layer's life: every Σ node of the
        # channel shares it. Without a bias the slot holds one constant 0 (not a Parameter).
        zero = Value(0.0)
        self._wb = [(*w, biases[o] if biases else zero) for o, w in enumerate(weight)]
        self._has_bias = has_bias
        self.label_parameters()

    @property
    def weight(self) -> list[tuple[Parameter, ...]]:
        """One row per output channel, its kernel flattened in (channel, row, column) order:
        the (out, in·kh·kw) layout nn.init expects. Read-only: set `weight[o][i].data`."""
        return [wb[:-1] for wb in self._wb]

    @property
    def bias(self) -> list[Parameter] | None:
        return [wb[-1] for wb in self._wb] if self._has_bias else None

    def kernel(self, o: int) -> list[list[list[Parameter]]]:
        """Output channel o's kernel as kernel(o)[c][i][j]: channel, row, column."""
        (kh, kw), w = self.kernel_size, self._wb[o]
        return [[list(w[(c * kh + i) * kw:(c * kh + i + 1) * kw]) for i in range(kh)]
                for c in range(self.in_channels)]

    def _own_tensors(self) -> Iterator[tuple[str, ParamEntry]]:
        for o, row in enumerate(self.weight):
            yield f"weight.{o}", list(row)
        if self.bias is not None:
            yield "bias", self.bias

    def _own_weight_groups(self) -> Iterator[WeightGroup]:
        # torch.nn.Conv2d: weight (out_channels, in_channels, kh, kw), bias (out_channels,);
        # each row's (channel, row, column) order is that shape's row-major order.
        yield WeightGroup.weight("weight", (self.out_channels, self.in_channels,
                                            *self.kernel_size), self.weight)
        if self.bias is not None:
            yield WeightGroup.bias("bias", self.bias)

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """PyTorch's (H_out, W_out) for an input of height × width."""
        return output_size((height, width), self.kernel_size, self.stride, self.padding)

    def forward(self, x: Image) -> list[list[list[Value]]]:
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        # PyTorch's output size is >= 1 when the padded image holds the kernel once.
        channels = image("Conv2d", x, self.in_channels, (max(1, kh - 2 * ph), max(1, kw - 2 * pw)),
                         f"kernel_size {self.kernel_size}, padding {self.padding}")
        if ph or pw:
            zero = Value(0.0)  # zero padding: one constant, shared by every padded slot
            width = len(channels[0][0]) + 2 * pw
            channels = [[[zero] * width] * ph + [[zero] * pw + row + [zero] * pw for row in ch]
                        + [[zero] * width] * ph for ch in channels]
        height, width = len(channels[0]), len(channels[0][0])
        out: list[list[list[Value]]] = [[] for _ in range(self.out_channels)]
        for r in range(0, height - kh + 1, sh):
            for row in out:
                row.append([])
            for c in range(0, width - kw + 1, sw):
                # The window in (channel, row, column) order, each kernel tuple's order.
                window = [v for ch in channels for line in ch[r:r + kh] for v in line[c:c + kw]]
                for o, node in enumerate(weighted_sums(self._wb, window)):
                    out[o][-1].append(node)
        return out

    def __call__(self, x: Image) -> list[list[list[Value]]]:
        return self.forward(x)

    def describe(self) -> tuple[str, str]:
        (kh, kw) = self.kernel_size
        return f"{self.in_channels} → {self.out_channels} ch, k={kh}×{kw}", "linear"

    def config(self) -> dict[str, Any]:
        return {"in_channels": self.in_channels, "out_channels": self.out_channels,
                "kernel_size": list(self.kernel_size), "stride": list(self.stride),
                "padding": list(self.padding), "bias": self._has_bias, "seed": self.seed}

    def __repr__(self) -> str:  # torch's: padding and bias only when not the default
        return (f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size="
                f"{self.kernel_size}, stride={self.stride}"
                + (f", padding={self.padding}" if self.padding != (0, 0) else "")
                + ("" if self._has_bias else ", bias=False") + ")")
