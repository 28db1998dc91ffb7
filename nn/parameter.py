"""`Parameter`: a Value that is a model's weight or bias, as torch.nn.Parameter is a tensor.

It adds one flag, `requires_grad`. `Module.freeze()` clears it; every optimizer in `nn.optim`
then leaves the parameter exactly as it is (weight decay included). Backprop still fills its
`.grad`, so a frozen weight's gradient stays visible in pictures and explanations.
Intermediate nodes stay plain Values, so the flag costs nothing per graph node.
"""

from __future__ import annotations

from engine import Value


class Parameter(Value):
    """A trainable Value: a weight or a bias. `requires_grad=False` means frozen."""

    __slots__ = ("requires_grad",)

    def __init__(self, data: float, label: str = "", requires_grad: bool = True) -> None:
        super().__init__(data, label)
        self.requires_grad = requires_grad

    def __repr__(self) -> str:
        frozen = ", frozen" if not self.requires_grad else ""
        return super().__repr__().replace("Value(", "Parameter(", 1)[:-1] + frozen + ")"


def is_trainable(p: Value) -> bool:
    """True unless `p` is a frozen Parameter; plain Values are always trainable."""
    return getattr(p, "requires_grad", True)
