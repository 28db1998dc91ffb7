"""PyTorch's state_dict names for any Module, read from its weight groups.

A weight group already carries the name PyTorch gives the tensor inside its module (`weight`,
`bias_hh`, `in_proj_weight`, `out_proj.bias`), its shape in PyTorch's layout and its
Parameters in row-major order (nn/weight_groups.py). PyTorch's state_dict key is then the
module's dotted name, renamed where torch's module tree differs from weightgrad's, followed by
the group's name. The one renaming: an MLP is `torch.nn.Sequential(Linear, activation,
Linear, ...)`, so its `layers.i` is torch's index `2 * i` (every hidden layer has an
activation; the last layer is linear). Everything else keeps its name: a Sequential's `0`,
`2`, SelfAttention's `q`, `k`, `v`, `out`, MultiheadAttention's `in_proj_weight`.

    torch_state_groups(MLP(2, [3, 1]))   # [("0.weight", group), ("0.bias", ...), ("2.weight", ...)]

The weightgrad JSON state_dict keeps its own keys (`layers.0.neurons.3.w`); only the
safetensors files (nn/safetensors_io.py) and `to_torch_source` speak torch's names.
"""

from __future__ import annotations

from .layers import MLP
from .module import Module, check_module
from .weight_groups import WeightGroup


def torch_child_name(parent: Module, name: str) -> str:
    """The name torch's module tree gives `parent`'s child `name`."""
    if isinstance(parent, MLP) and name.startswith("layers."):
        # torch.nn.Sequential(Linear, act, Linear, act, ..., Linear): Linear i is at 2i.
        return str(2 * int(name.removeprefix("layers.")))
    return name


def torch_module_names(model: Module) -> dict[str, str]:
    """weightgrad's dotted module name -> torch's, for every module of `model`."""
    names = {"": ""}
    for name, module in model.named_modules():  # parents before children
        for child, _ in module._children():
            full = f"{name}.{child}" if name else child
            torch_child = torch_child_name(module, child)
            names[full] = f"{names[name]}.{torch_child}" if names[name] else torch_child
    return names


def torch_state_groups(model: Module, who: str = "torch_state_groups", name: str = "module"
                       ) -> list[tuple[str, WeightGroup]]:
    """(PyTorch state_dict key, weight group) for every tensor of `model`, in module order.

    Refused with a ValueError naming them: Parameters that are in no weight group (a user's
    module that keeps Parameters without stating its groups: PyTorch would have no name for
    them), and two groups that would get the same key."""
    check_module(model, who, name)
    renamed = torch_module_names(model)
    groups = []
    for name, group in model.weight_groups():
        prefix = renamed[name]
        groups.append((f"{prefix}.{group.name}" if prefix else group.name, group))
    covered = {id(p) for _, g in groups for p in g.params}
    loose = [n for n, p in model.named_parameters() if id(p) not in covered]
    if loose:
        shown = ", ".join(loose[:5]) + (f" and {len(loose) - 5} more" if len(loose) > 5 else "")
        raise ValueError(f"{who}: {type(model).__name__} has Parameters in no weight group "
                         f"({shown}); PyTorch's names come from weight groups, so its "
                         f"class must state them (Module._own_weight_groups)")
    seen: set[str] = set()
    for key, _ in groups:
        if key in seen:
            raise ValueError(f"{who}: two weight groups of {type(model).__name__} are both "
                             f"named {key!r} in PyTorch's names")
        seen.add(key)
    return groups
