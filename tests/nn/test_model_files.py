"""load_model: a model rebuilt from a weightgrad JSON file or a safetensors file with
weightgrad's metadata, without being told its architecture; and what it refuses."""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path

import pytest

import weightgrad.nn as wnn
from tests.interop_kinds import KINDS, REBUILDABLE
from weightgrad.nn import (
    MLP,
    Layer,
    Linear,
    Module,
    ReLU,
    Sequential,
    load_model,
    save_safetensors,
)
from weightgrad.nn.model_files import build_module


def described(model: Module) -> tuple[str, dict[str, object], list[tuple[str, str]]]:
    """What must survive a file: the class, the config and every weight to the last bit."""
    return (type(model).__name__, model.config(),
            [(n, p.data.hex()) for n, p in model.named_parameters()])


@pytest.mark.parametrize("kind", REBUILDABLE)
@pytest.mark.parametrize("fmt", ["json", "safetensors"])
def test_every_kind_comes_back_from_its_file(kind: str, fmt: str, tmp_path: Path) -> None:
    model = KINDS[kind](3)
    for p in model.parameters():  # weights the seed would not give back
        p.data = p.data * 0.75 + 0.125
    path = tmp_path / f"m.{fmt}"
    if fmt == "json":
        model.save(path)
    else:
        save_safetensors(model, path)
    again = load_model(path)
    assert type(again) is type(model)
    assert described(again) == described(model)


def test_the_rebuilt_model_computes_what_the_saved_one_did(tmp_path: Path) -> None:
    model = MLP(2, [5, 1], activation="tanh", seed=7)
    for p in model.parameters():
        p.data += 0.01
    save_safetensors(model, tmp_path / "m.safetensors")
    again = load_model(tmp_path / "m.safetensors")
    for x in ([0.5, -1.0], [2.0, 0.25]):
        assert again(x).data == model(x).data


def test_format_is_read_from_the_bytes_when_the_name_does_not_say(tmp_path: Path) -> None:
    model = Sequential(Linear(2, 2, seed=0), ReLU(), Sequential(Linear(2, 1, seed=1)))
    model.save(tmp_path / "as_json.weights")
    save_safetensors(model, tmp_path / "as_safetensors.weights")
    for name in ("as_json.weights", "as_safetensors.weights"):
        assert described(load_model(tmp_path / name)) == described(model)


def test_f32_file_loads_its_float32_values(tmp_path: Path) -> None:
    model = Linear(1, 1, seed=0)
    model.weight[0][0].data = 0.1
    save_safetensors(model, tmp_path / "m.safetensors", dtype="F32")
    assert load_model(tmp_path / "m.safetensors").weight[0][0].data == \
        struct.unpack("<f", struct.pack("<f", 0.1))[0]


def _safetensors(path: Path, metadata: dict[str, str] | None) -> Path:
    """Linear(1, 1)'s tensors under PyTorch's names, with the given metadata."""
    header: dict[str, object] = {"bias": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]},
                                 "weight": {"dtype": "F64", "shape": [1, 1],
                                            "data_offsets": [8, 16]}}
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + struct.pack("<2d", 0.5, 2.0))
    return path


LINEAR_CONFIG = json.dumps({"in_features": 1, "out_features": 1})
REFUSED = {
    "no metadata (a file from PyTorch)": (None, "without weightgrad's metadata"),
    "another format": ({"format": "pt"}, "without weightgrad's metadata"),
    "another version": ({"format": "weightgrad", "format_version": "2", "model": "Linear",
                         "config": LINEAR_CONFIG}, "unsupported format_version '2'"),
    "unknown class": ({"format": "weightgrad", "format_version": "1", "model": "os.system",
                       "config": "{}"}, "unknown model 'os.system'; weightgrad.nn's modules"),
    "config not JSON": ({"format": "weightgrad", "format_version": "1", "model": "Linear",
                         "config": "{in_features"}, "\"config\" in __metadata__ is not valid"),
    "config not an object": ({"format": "weightgrad", "format_version": "1",
                              "model": "Linear", "config": "[1, 1]"},
                             "config of Linear must be an object"),
    "bad argument": ({"format": "weightgrad", "format_version": "1", "model": "Linear",
                      "config": json.dumps({"in_features": 1, "out_features": 1,
                                            "activation": "relu"})},
                     "cannot rebuild Linear from its config: .*activation"),
    "bad value": ({"format": "weightgrad", "format_version": "1", "model": "Linear",
                   "config": json.dumps({"in_features": 0, "out_features": 1})},
                  "cannot rebuild Linear.*in_features must be an int >= 1, got 0"),
    "architecture and weights disagree": (
        {"format": "weightgrad", "format_version": "1", "model": "Linear",
         "config": json.dumps({"in_features": 2, "out_features": 1})},
        r"weight: wrong shape: expected \[1, 2\]"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_safetensors_files_load_model_refuses(case: str, tmp_path: Path) -> None:
    metadata, message = REFUSED[case]
    path = _safetensors(tmp_path / "m.safetensors", metadata)
    with pytest.raises(ValueError, match=message):
        load_model(path)


def test_the_same_file_with_good_metadata_loads(tmp_path: Path) -> None:
    # The control for the refusals above: only the metadata differs.
    path = _safetensors(tmp_path / "m.safetensors", {"format": "weightgrad",
                                                     "format_version": "1", "model": "Linear",
                                                     "config": LINEAR_CONFIG})
    model = load_model(path)
    assert (model.weight[0][0].data, model.bias[0].data) == (2.0, 0.5)


def test_json_files_load_model_refuses(tmp_path: Path) -> None:
    Layer(2, 1, rng=random.Random(0)).save(tmp_path / "layer.json")
    with pytest.raises(ValueError, match="cannot rebuild Layer from its config"):
        load_model(tmp_path / "layer.json")
    document = json.loads((MLP(2, [1], seed=0).save(tmp_path / "m.json"),
                           (tmp_path / "m.json").read_text())[1])
    document["config"]["nouts"] = [2]  # the weights are for one output
    (tmp_path / "m.json").write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"m\.json: load_state_dict refused: missing key"):
        load_model(tmp_path / "m.json")
    document["config"] = {"modules": "x"}
    document["model"] = "Sequential"
    (tmp_path / "m.json").write_text(json.dumps(document))
    with pytest.raises(ValueError, match="a Sequential's config must be"):
        load_model(tmp_path / "m.json")
    (tmp_path / "text.json").write_text("weights")
    with pytest.raises(ValueError, match="not a weightgrad weights file"):
        load_model(tmp_path / "text.json")
    with pytest.raises(FileNotFoundError, match="no model file at"):
        load_model(tmp_path / "none.json")


def test_a_sequential_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    # In a file the JSON parser gives up first...
    depth = 5000
    text = ('{"modules": [{"type": "Sequential", "config": ' * depth + '{"modules": []}'
            + "}]}" * depth)  # as text: json.dumps gives up on a dict nested this deep
    path = _safetensors(tmp_path / "deep.safetensors", {
        "format": "weightgrad", "format_version": "1", "model": "Sequential", "config": text})
    with pytest.raises(ValueError, match="\"config\" in __metadata__ is not valid JSON"):
        load_model(path)
    # ...and a config built in Python is refused by the builder itself.
    config: dict[str, object] = {"modules": []}
    for _ in range(depth):
        config = {"modules": [{"type": "Sequential", "config": config}]}
    with pytest.raises(ValueError, match="build_module: the model's config is nested too deep"):
        build_module("Sequential", config)


def test_mixture_of_experts_travels_by_file_but_has_no_torch_module(tmp_path: Path) -> None:
    model = wnn.MixtureOfExperts(3, 2, num_experts=3, top_k=2, seed=0)
    save_safetensors(model, tmp_path / "moe.safetensors")
    assert described(load_model(tmp_path / "moe.safetensors")) == described(model)
    with pytest.raises(ValueError, match=r"cannot express MixtureOfExperts \(the model itself\)"):
        wnn.to_torch_source(model)
