"""`Parameter`: a Value that is a model's weight or bias, as torch.nn.Parameter is a tensor.

It adds two flags. `requires_grad`: `Module.freeze()` clears it. `pruned`: `nn.prune` sets it
on a weight it has zeroed, so the weight stays exactly 0 through training (a mask, as
torch.nn.utils.prune keeps one). Every optimizer in `nn.optim` leaves a frozen or pruned
parameter exactly as it is (weight decay included). Backprop still fills its `.grad`, so
its gradient stays visible in pictures and explanations.
Intermediate nodes stay plain Values, so the flag costs nothing per graph node.
"""

from __future__ import annotations

from weightgrad.engine import Value


class Parameter(Value):
    """A trainable Value: a weight or a bias. `requires_grad=False` means frozen."""

    __slots__ = ("pruned", "requires_grad")

    def __init__(self, data: float, label: str = "", requires_grad: bool = True) -> None:
        super().__init__(data, label)
        self.requires_grad = requires_grad
        self.pruned = False

    def __repr__(self) -> str:
        flags = ("" if self.requires_grad else ", frozen") + (", pruned" if self.pruned else "")
        return super().__repr__().replace("Value(", "Parameter(", 1)[:-1] + flags + ")"


def is_trainable(p: Value) -> bool:
    """False for a frozen or pruned Parameter; plain Values are always trainable."""
    return getattr(p, "requires_grad", True) and not getattr(p, "pruned", False)
