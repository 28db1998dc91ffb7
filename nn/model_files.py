"""`load_model(path)`: the model a weights file describes, rebuilt and loaded, so a learner can
open a saved model without knowing its shape.

    model = load_model("moons.json")            # written by model.save(...)
    model = load_model("moons.safetensors")     # written by save_safetensors(model, ...)

Both files record the model's class and its constructor arguments (`config()`): a JSON file
under "model" and "config", a safetensors file in its `__metadata__`. The class is looked up
by name among weightgrad.nn's own Module classes (nothing in the file is imported or run),
built as `Class(**config)` (a Sequential from its list of {"type", "config"}), and then the
weights are loaded as strictly as `load` and `load_safetensors` load them. A safetensors file
from PyTorch has no such metadata: build the model and call `load_safetensors(model, path)`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from . import serialization
from .module import Module
from .sequential import Sequential
from .torch_names import torch_state_groups


def load_model(path: str | os.PathLike[str]) -> Module:
    """The model saved in `path` (weightgrad JSON, or safetensors with weightgrad's metadata),
    built from its recorded architecture with the file's weights; ValueError naming what is
    wrong with the file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no model file at {path}")
    if not path.is_file():  # a folder, or a device or FIFO whose reading may never end
        raise ValueError(f"{path}: not a model file (not a regular file)")
    if not _is_safetensors(path):
        document = serialization.load_document(path)
        model = build_module(document.get("model"), document.get("config"), str(path))
        try:
            model.load_state_dict(document["state_dict"], strict=True)
        except ValueError as e:
            raise ValueError(f"{path}: {e}") from None
        return model
    from .safetensors_io import load_tensors, read_safetensors  # numpy, only for this format
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") != serialization.FORMAT:
        raise ValueError(f"{path}: a safetensors file without weightgrad's metadata (no "
                         f"\"format\": \"{serialization.FORMAT}\"), so its architecture is "
                         f"unknown: build the model and call load_safetensors(model, path)")
    version = metadata.get("format_version")
    if version != str(serialization.FORMAT_VERSION):
        raise ValueError(f"{path}: unsupported format_version {version!r}; this weightgrad "
                         f"reads version {serialization.FORMAT_VERSION}")
    try:
        config = json.loads(metadata.get("config", ""))
    except (ValueError, RecursionError):
        raise ValueError(f"{path}: the \"config\" in __metadata__ is not valid JSON") from None
    model = build_module(metadata.get("model"), config, str(path))
    load_tensors(torch_state_groups(model, "load_model"), tensors, True, str(path))
    return model


def module_classes() -> dict[str, type[Module]]:
    """weightgrad.nn's Module classes by name: the only classes a file may ask for."""
    found: dict[str, type[Module]] = {}
    stack: list[type[Module]] = [Module]
    while stack:
        for cls in stack.pop().__subclasses__():
            if cls.__module__.startswith("weightgrad.nn."):
                found.setdefault(cls.__name__, cls)
            stack.append(cls)
    return found


def build_module(name: object, config: object, source: str = "build_module") -> Module:
    """`name`'s class built from `config` (its recorded constructor arguments)."""
    classes = module_classes()
    if not isinstance(name, str) or name not in classes:
        raise ValueError(f"{source}: unknown model {name!r}; weightgrad.nn's modules are "
                         f"{', '.join(sorted(classes))}")
    if not isinstance(config, dict):
        raise ValueError(f"{source}: the config of {name} must be an object of constructor "
                         f"arguments, got {type(config).__name__}")
    if classes[name] is Sequential:
        parts = config.get("modules")
        if set(config) != {"modules"} or not isinstance(parts, list):
            raise ValueError(f"{source}: a Sequential's config must be "
                             "{\"modules\": [{\"type\": ..., \"config\": ...}, ...]}")
        try:
            return Sequential(*[build_module(*_part(p, i, source), source)
                                for i, p in enumerate(parts)])
        except RecursionError:  # Sequentials nested thousands deep
            raise ValueError(f"{source}: the model's config is nested too deeply") from None
    try:
        return classes[name](**config)
    except (TypeError, ValueError, AttributeError) as e:
        raise ValueError(f"{source}: cannot rebuild {name} from its config: {e}") from None


def _part(part: Any, i: int, source: str) -> tuple[object, object]:
    if not isinstance(part, dict) or set(part) != {"type", "config"}:
        raise ValueError(f"{source}: Sequential module {i} must be "
                         "{\"type\": ..., \"config\": ...}")
    return part["type"], part["config"]


def _is_safetensors(path: Path) -> bool:
    """By the name's suffix, else by the bytes: safetensors' JSON header starts at byte 8,
    where a weightgrad JSON file is still inside its first key."""
    if path.suffix in (".safetensors", ".json"):
        return path.suffix == ".safetensors"
    with path.open("rb") as f:
        return f.read(9)[8:9] == b"{"
