"""`MaxPool2d`: each window of an image replaced by its largest value, as torch.nn.MaxPool2d.

A pooled value is a chain of the op catalogue's two-operand `max` over its window, in row-major
order: max(max(max(x00, x01), x10), x11) for a 2×2 window. `max` gives its whole gradient to the
operand that is the result, the first on a tie, so the window's gradient reaches one input
only, the first largest: the argmax that torch.nn.functional.max_pool2d's backward uses. Every
other input of the window gets 0 from it, which is why a max pool's picture of gradients is
mostly empty, and why a shift of the image by less than a window often leaves the output as it
was (the argmax moves, the maximum stays): a little translation invariance.

Shapes follow https://pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html without
padding, dilation or ceil_mode: H_out = floor((H - kernel) / stride) + 1, stride defaulting to
the kernel size. Input and output are lists of channels of rows, as Conv2d's.
"""

from __future__ import annotations

from typing import Any

from weightgrad.engine import Value

from . import checks
from .conv2d import Image, Pair, image, output_size
from .module import Module


class MaxPool2d(Module):
    """torch.nn.MaxPool2d(kernel_size, stride=None): the largest value of each window, windows
    `stride` apart (by default side by side, stride = kernel_size). No parameters."""

    def __init__(self, kernel_size: Pair, stride: Pair | None = None) -> None:
        self.kernel_size = checks.pair("MaxPool2d", "kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else checks.pair(
            "MaxPool2d", "stride", stride)

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """PyTorch's (H_out, W_out) for an input of height × width."""
        return output_size((height, width), self.kernel_size, self.stride)

    def __call__(self, x: Image) -> list[list[list[Value]]]:
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        channels = image("MaxPool2d", x, None, self.kernel_size,
                         f"kernel_size {self.kernel_size}")
        height, width = len(channels[0]), len(channels[0][0])
        out = []
        for ch in channels:
            pooled = []
            for r in range(0, height - kh + 1, sh):
                line = []
                for c in range(0, width - kw + 1, sw):
                    window = [v for row in ch[r:r + kh] for v in row[c:c + kw]]
                    best = window[0]
                    for v in window[1:]:  # left to right: a tie keeps the earlier one
                        best = best.max(v)
                    line.append(best)
                pooled.append(line)
            out.append(pooled)
        return out

    def config(self) -> dict[str, Any]:
        return {"kernel_size": list(self.kernel_size), "stride": list(self.stride)}

    def __repr__(self) -> str:
        return f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride})"
