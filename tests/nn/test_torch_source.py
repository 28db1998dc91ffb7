"""to_torch_source: the source parsed with `ast` (no PyTorch here): the torch.nn modules it
builds, with their sizes, and the state_dict names those modules have under PyTorch's own
naming rules (written out below from PyTorch's documentation), which must be exactly the keys
of the model's safetensors file. benchmarks/check_torch.py runs the source in real PyTorch."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest
import safetensors.numpy

from tests.interop_kinds import KINDS
from weightgrad.nn import (
    MLP,
    Conv1d,
    Flatten,
    LeakyReLU,
    Linear,
    Module,
    MultiheadAttention,
    Neuron,
    Parameter,
    RNNCell,
    SelfAttention,
    Sequential,
    Sigmoid,
    save_safetensors,
    to_torch_source,
)

# The Parameters PyTorch's modules register (torch.nn docs), given their constructor arguments.
TORCH_PARAMS = {
    "Linear": lambda kw: ["weight"] + (["bias"] if kw.get("bias", True) else []),
    "Conv1d": lambda kw: ["weight", "bias"],
    "Conv2d": lambda kw: ["weight", "bias"],
    "RNNCell": lambda kw: ["weight_ih", "weight_hh", "bias_ih", "bias_hh"],
    "MultiheadAttention": lambda kw: (["in_proj_weight", "in_proj_bias", "out_proj.weight",
                                       "out_proj.bias"] if kw.get("bias", True)
                                      else ["in_proj_weight", "out_proj.weight"]),
}


def calls(source: str) -> object:
    """The expression assigned to `model` first, as nested (name, arguments, children)."""
    tree = ast.parse(source)
    first = next(node for node in tree.body if isinstance(node, ast.Assign)
                 and getattr(node.targets[0], "id", None) == "model")
    return _call(first.value)


def _call(node: ast.expr) -> object:
    assert isinstance(node, ast.Call), ast.dump(node)
    name = ast.unparse(node.func)
    if name == "torch.nn.Sequential":
        return (name, [_call(a) for a in node.args])
    args = [ast.literal_eval(a) if not isinstance(a, ast.Call) else _call(a)
            for a in node.args]
    return (name, args, {k.arg: ast.literal_eval(k.value) for k in node.keywords})


def torch_names(tree: object, prefix: str = "") -> list[str]:
    """The state_dict keys of the module tree, under PyTorch's naming rules."""
    name = tree[0]  # type: ignore[index]

    def join(n: str) -> str:
        return f"{prefix}.{n}" if prefix else n

    if name == "torch.nn.Sequential":
        return [k for i, child in enumerate(tree[1])  # type: ignore[index]
                for k in torch_names(child, join(str(i)))]
    _, _, kw = tree  # type: ignore[misc]
    if name == "Activated":  # a Linear subclass: Linear's names
        return [join(n) for n in ("weight", "bias")]
    if name == "SelfAttention":
        projections = ["q", "k", "v"] + (["out"] if kw.get("out_proj", True) else [])
        return [join(f"{p}.{n}") for p in projections
                for n in (["weight", "bias"] if kw.get("bias", True) else ["weight"])]
    short = name.removeprefix("torch.nn.")
    return [join(n) for n in TORCH_PARAMS.get(short, lambda kw: [])(kw)]


def test_mlp_is_a_sequential_of_linears_and_activations() -> None:
    source = to_torch_source(MLP(2, [16, 16, 1], activation="tanh", seed=0))
    assert calls(source) == ("torch.nn.Sequential", [
        ("torch.nn.Linear", [], {"in_features": 2, "out_features": 16}),
        ("torch.nn.Tanh", [], {}),
        ("torch.nn.Linear", [], {"in_features": 16, "out_features": 16}),
        ("torch.nn.Tanh", [], {}),
        ("torch.nn.Linear", [], {"in_features": 16, "out_features": 1}),
    ])
    tree = ast.parse(source)
    imports = [a.name for node in tree.body if isinstance(node, ast.Import) for a in node.names]
    assert imports == ["torch"]
    assert ast.unparse(tree.body[-1]) == "model = model.double()"


def test_each_module_kind_is_written_with_its_arguments() -> None:
    model = Sequential(Flatten(), Linear(4, 3, bias=False, seed=0), LeakyReLU(0.2),
                       Conv1d(1, 2, kernel_size=3, stride=2, padding=1, seed=0),
                       RNNCell(2, 5, seed=0), MultiheadAttention(6, 3, seed=0),
                       SelfAttention(3, seed=0, bias=False), Neuron(3, "sigmoid"), Sigmoid())
    assert calls(to_torch_source(model)) == ("torch.nn.Sequential", [
        ("torch.nn.Flatten", [0], {}),
        ("torch.nn.Linear", [], {"in_features": 4, "out_features": 3, "bias": False}),
        ("torch.nn.LeakyReLU", [], {"negative_slope": 0.2}),
        ("torch.nn.Conv1d", [], {"in_channels": 1, "out_channels": 2, "kernel_size": 3,
                                 "stride": 2, "padding": 1}),
        ("torch.nn.RNNCell", [], {"input_size": 2, "hidden_size": 5}),
        ("torch.nn.MultiheadAttention", [], {"embed_dim": 6, "num_heads": 3, "bias": True}),
        ("SelfAttention", [3], {"bias": False, "out_proj": True}),
        ("Activated", [3, 1, ("torch.nn.Sigmoid", [], {})], {}),
        ("torch.nn.Sigmoid", [], {}),
    ])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_source_names_exactly_the_tensors_of_the_file(kind: str, tmp_path: Path) -> None:
    model = KINDS[kind](0)
    save_safetensors(model, tmp_path / "m.safetensors")
    keys = sorted(safetensors.numpy.load_file(tmp_path / "m.safetensors"))
    source = to_torch_source(model)
    compile(source, "<torch source>", "exec")  # valid Python
    assert sorted(torch_names(calls(source))) == keys


def test_helper_classes_are_defined_once_and_only_when_used() -> None:
    plain = ast.parse(to_torch_source(Linear(2, 2, seed=0)))
    assert not [n for n in plain.body if isinstance(n, ast.ClassDef)]
    both = ast.parse(to_torch_source(Sequential(
        SelfAttention(2, seed=0), SelfAttention(2, seed=1),
        Neuron(2, "relu", random.Random(0)), Neuron(2, "tanh", random.Random(0)))))
    assert [n.name for n in both.body if isinstance(n, ast.ClassDef)] == ["SelfAttention",
                                                                          "Activated"]
    assert [a.name for n in both.body if isinstance(n, ast.Import) for a in n.names] == [
        "math", "torch"]


def test_modules_torch_cannot_express_are_refused_naming_them() -> None:
    class Scale(Module):  # a user's own module
        def __init__(self) -> None:
            self.s = Parameter(2.0)

        def __call__(self, x: float) -> float:
            return x

    with pytest.raises(ValueError, match=r"^to_torch_source: cannot express Scale \(1\) as "
                                         r"torch\.nn modules$"):
        to_torch_source(Sequential(Linear(1, 1, seed=0), Scale()))
    with pytest.raises(ValueError, match=r"cannot express Scale \(the model itself\)"):
        to_torch_source(Scale())
    with pytest.raises(TypeError, match=r"to_torch_source: module must be an nn\.Module"):
        to_torch_source("MLP(2, [1])")  # type: ignore[arg-type]
