"""`to_torch_source(module)`: Python source that defines the same model in PyTorch.

The source has its own imports and, run, defines `model`: a float64 `torch.nn` module whose
state_dict has exactly the names and shapes of `save_safetensors` (nn/torch_names.py), so

    model.load_state_dict(safetensors.torch.load_file("m.safetensors"))   # strict

loads a weightgrad file. How each module is written:
- torch.nn's own classes, which weightgrad mirrors argument for argument (`Linear`, `Conv1d`,
  `RNNCell`, `MultiheadAttention`, the activation modules...): `torch.nn.<same name>(<its
  config>)`, the config being the constructor arguments weightgrad records in saved files, less
  the seed (PyTorch's generator is its own: weights travel by file, not by seed);
- `Sequential`: `torch.nn.Sequential(...)`; `Flatten`: `torch.nn.Flatten(0)`, since a weightgrad
  model takes one example at a time and flattens all of it (torch's default start_dim=1 keeps a
  batch dimension: use `torch.nn.Flatten()` to train on batches);
- `MLP`: `torch.nn.Sequential(Linear, activation, Linear, ..., Linear)`;
- `Layer` and `Neuron`: `torch.nn.Linear`, or with an activation a small `Activated` Linear
  (the names stay `weight` and `bias`);
- `SelfAttention`: a small `SelfAttention` class with Linears `q`, `k`, `v`, `out`.
A module of any other class (a user's own) is refused in one line naming it.
`benchmarks/check_torch.py` runs this source against real PyTorch for every module kind.
"""

from __future__ import annotations

from .activation_modules import ActivationModule
from .attention import SelfAttention
from .layers import MLP, Layer, Neuron
from .module import Module, check_module
from .sequential import Flatten, Sequential

# torch.nn classes that weightgrad's class of the same name mirrors, constructor arguments
# included (the activation modules are added from their base class below).
MIRRORED = frozenset({"Linear", "Conv1d", "Conv2d", "MaxPool2d", "RNNCell",
                      "MultiheadAttention"})

HELPERS = {
    "Activated": '''class Activated(torch.nn.Linear):
    """torch.nn.Linear, then an activation: weightgrad's Layer or Neuron (weight, bias)."""

    def __init__(self, in_features, out_features, activation):
        super().__init__(in_features, out_features)
        self.activation = activation

    def forward(self, x):
        return self.activation(super().forward(x))
''',
    "SelfAttention": '''class SelfAttention(torch.nn.Module):
    """weightgrad.nn.SelfAttention: one head, separate q, k, v and out projections;
    softmax(q k^T / sqrt(d_model)) v (Vaswani et al. 2017, eq. 1). Returns (outputs, weights)."""

    def __init__(self, d_model, bias=True, out_proj=True):
        super().__init__()
        self.q = torch.nn.Linear(d_model, d_model, bias=bias)
        self.k = torch.nn.Linear(d_model, d_model, bias=bias)
        self.v = torch.nn.Linear(d_model, d_model, bias=bias)
        self.out = torch.nn.Linear(d_model, d_model, bias=bias) if out_proj else None

    def forward(self, x, context=None, causal=False):
        c = x if context is None else context
        q, k, v = self.q(x), self.k(c), self.v(c)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        if causal:  # query i sees keys j <= i only
            above = torch.ones(scores.shape[-2:], dtype=torch.bool).triu(1)
            scores = scores.masked_fill(above, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        mixed = weights @ v
        return (mixed if self.out is None else self.out(mixed)), weights
''',
}

# A call: (callee, arguments written out, nested calls one per line) or a finished string.
Node = str | tuple[str, str, list["Node"]]


def to_torch_source(module: Module) -> str:
    """Python source that imports torch and defines `model`, the float64 torch.nn equivalent
    of `module`; its state_dict loads a `save_safetensors` file with strict=True."""
    check_module(module, "to_torch_source", "module")
    helpers: list[str] = []  # the helper classes the model uses, in order of first use
    body = _render(_node(module, "", helpers))
    imports = ["import math"] if "SelfAttention" in helpers else []
    return "\n".join([
        "# The torch.nn model equivalent to a weightgrad model (weightgrad.nn.to_torch_source).",
        *imports, "import torch", "",
        *["\n" + HELPERS[name] for name in helpers],
        f"model = {body}",
        "model = model.double()  # weightgrad computes in float64; torch's default is float32",
        ""])


def _activation_modules() -> dict[str, type[ActivationModule]]:
    """Every activation module class by name (ReLU, Tanh, ...): named as torch.nn names them."""
    found, stack = {}, [ActivationModule]
    while stack:
        for cls in stack.pop().__subclasses__():
            if hasattr(cls, "function"):
                found[cls.__name__] = cls
            stack.append(cls)
    return found


def _call(cls_name: str, config: dict[str, object]) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in config.items() if k != "seed")
    return f"torch.nn.{cls_name}({args})"


def _linear(nin: int, nout: int, activation: str, helpers: list[str]) -> Node:
    if activation == "linear":
        return _call("Linear", {"in_features": nin, "out_features": nout})
    _need(helpers, "Activated")
    return f"Activated({nin}, {nout}, {_activation(activation)})"


def _activation(name: str) -> str:
    """The torch.nn module of one of nn's activations, through its activation module."""
    modules = _activation_modules()
    for cls_name, cls in modules.items():
        if cls.function == name:
            return _call(cls_name, cls().config())
    raise ValueError(f"to_torch_source: activation {name!r} has no torch.nn module here "
                     f"(activation modules: {', '.join(modules)})")


def _need(helpers: list[str], name: str) -> None:
    if name not in helpers:
        helpers.append(name)


def _node(module: Module, where: str, helpers: list[str]) -> Node:
    kind = type(module)
    if kind is Sequential:
        return ("torch.nn.Sequential", "", [_node(m, f"{where}.{i}" if where else str(i),
                                                  helpers) for i, m in enumerate(module)])
    if kind is MLP:
        calls: list[Node] = []
        for layer in module.layers:
            calls.append(_linear(layer.nin, layer.nout, "linear", helpers))
            if layer.activation != "linear":  # torch's index 2i for Linear i (torch_names)
                calls.append(_activation(layer.activation))
        return ("torch.nn.Sequential", "", calls)
    if kind is Layer:
        return _linear(module.nin, module.nout, module.activation, helpers)
    if kind is Neuron:
        return _linear(module.nin, 1, module.activation, helpers)
    if kind is Flatten:
        return "torch.nn.Flatten(0)"
    if kind is SelfAttention:
        _need(helpers, "SelfAttention")
        return (f"SelfAttention({module.d_model}, bias={module.has_bias}, "
                f"out_proj={module.has_out})")
    mirrored = kind.__name__ in MIRRORED or kind.__name__ in _activation_modules()
    if mirrored and kind.__module__.startswith("weightgrad.nn."):
        return _call(kind.__name__, module.config())
    raise ValueError(f"to_torch_source: cannot express {kind.__name__} "
                     f"({where or 'the model itself'}) as torch.nn modules")


def _render(node: Node, depth: int = 0) -> str:
    if isinstance(node, str):
        return node
    callee, args, children = node
    if not children:
        return f"{callee}({args})"
    pad = "    " * (depth + 1)
    inner = "".join(f"{pad}{_render(c, depth + 1)},\n" for c in children)
    return f"{callee}(\n{inner}{'    ' * depth})"
