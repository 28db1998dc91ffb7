"""Weights in safetensors files under PyTorch's names: `save_safetensors`, `load_safetensors`.

A safetensors file (https://huggingface.co/docs/safetensors) is an 8-byte little-endian header
length N, N bytes of JSON header (`{name: {"dtype", "shape", "data_offsets": [begin, end]},
"__metadata__": {str: str}}`), then the raw little-endian row-major bytes. PyTorch reads it with
`safetensors.torch.load_file`, so

    save_safetensors(MLP(2, [16, 1]), "m.safetensors")   # 0.weight (16, 2), 0.bias, 2.weight...
    torch_model.load_state_dict(safetensors.torch.load_file("m.safetensors"))

Names and shapes are PyTorch's state_dict's, read from the weight groups (nn/torch_names.py).
`__metadata__` holds weightgrad's format, the model's class and its config (the constructor
arguments, as JSON), so `load_model` can rebuild the model from the file alone.

The bytes go through the `safetensors` package, the format's reference implementation, which
refuses invalid JSON, offsets that overlap, leave gaps or run past the end, and a tensor whose
bytes do not fit its dtype and shape. Before reading the whole file this module checks the
header length against the file and against safetensors' cap of 100,000,000 bytes; after, what
a model needs: every key, each shape, a floating-point dtype, finite numbers, all checked
before any weight changes, as `load_state_dict` does.

numpy and safetensors are the `interop` extra (`pip install 'weightgrad[interop]'`); this module
imports them and is itself imported on first use (nn/__init__.py's `_LAZY`), so
`import weightgrad.nn` needs neither.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from weightgrad.engine import files

from . import checks, serialization
from .module import IncompatibleKeys, Module
from .torch_names import torch_state_groups
from .weight_groups import WeightGroup

try:
    import numpy as np
    import safetensors
    import safetensors.numpy
except ImportError as e:  # pragma: no cover - the interop extra is installed by `make test`
    raise ImportError(f"{e}: safetensors files need numpy and safetensors: "
                      "pip install 'weightgrad[interop]'") from e

PathLike = str | os.PathLike[str]
# safetensors' own limit on the JSON header (its MAX_HEADER_SIZE), checked here before the
# file is read, so a file that only claims a huge header is refused without loading it.
HEADER_CAP = 100_000_000
# What save writes: F64 keeps every bit of a weightgrad float; F32 is PyTorch's default.
SAVE_DTYPES = {"F64": np.dtype("<f8"), "F32": np.dtype("<f4")}


def _bf16(raw: bytes) -> np.ndarray:
    # numpy has no bfloat16. A bfloat16 is the upper half of a float32 (sign, the same 8-bit
    # exponent, 7 mantissa bits), so the 16-bit word shifted into the top of a 32-bit word
    # is that float32 exactly (https://cloud.google.com/tpu/docs/bfloat16).
    return (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)


# What load reads, each widened exactly to float64 (every F32, F16 and BF16 is a float64).
READERS: dict[str, Callable[[bytes], np.ndarray]] = {
    "F64": lambda raw: np.frombuffer(raw, "<f8"),
    "F32": lambda raw: np.frombuffer(raw, "<f4"),
    "F16": lambda raw: np.frombuffer(raw, "<f2"),
    "BF16": _bf16,
}

Tensor = tuple[str, tuple[int, ...], bytes]  # (dtype, shape, raw bytes)

# Plain words for the safetensors errors a header that lies about its offsets gives.
HINTS = {"invalid offset": "each tensor must start where the one before it ends: offsets "
                           "overlap or leave a gap",
         "not fully covered": "the last tensor must end where the file ends: an offset is "
                              "past the end, or bytes follow the last tensor"}


def save_safetensors(module: Module, path: PathLike, dtype: str = "F64") -> None:
    """Write `module`'s weights to `path` under PyTorch's state_dict names, atomically.

    dtype "F64" (exact) or "F32" (rounded to PyTorch's default float). A weight that is nan or
    inf, or that F32 cannot hold, is refused with a ValueError naming it; nothing is written."""
    groups = torch_state_groups(module, "save_safetensors")
    np_dtype = SAVE_DTYPES[checks.choice("save_safetensors", "dtype", dtype, SAVE_DTYPES)]
    tensors = {}
    for key, group in groups:
        exact = np.array([p.data for p in group.params], dtype=np.float64)
        with np.errstate(over="ignore"):  # F32 overflow becomes inf, refused just below
            stored = exact.astype(np_dtype)
        _check_finite(f"save_safetensors: {key}", exact.reshape(group.shape))
        _check_finite(f"save_safetensors: {key} as {dtype}", stored.reshape(group.shape))
        tensors[key] = stored.reshape(group.shape)
    metadata = {"format": serialization.FORMAT,
                "format_version": str(serialization.FORMAT_VERSION),
                "model": type(module).__name__,
                "config": json.dumps(module.config(), sort_keys=True, allow_nan=False)}
    # Atomic, as Module.save: a temporary file beside `path`, then a rename (engine.files).
    files.write_atomic(path, safetensors.numpy.save(tensors, metadata=metadata), "weights")


def load_safetensors(module: Module, path: PathLike, strict: bool = True) -> IncompatibleKeys:
    """Load weights saved under PyTorch's names (by `save_safetensors` or by
    `safetensors.torch.save_file(model.state_dict(), path)`) into `module`.

    As strict as `load_state_dict`: a missing or unexpected key (unless `strict=False`), a
    wrong shape, a dtype other than F64, F32, F16 and BF16, nan or inf, or a file that is
    not valid safetensors is a ValueError naming the key or the problem, and `module` keeps
    every weight it had. Returns the missing and unexpected keys, as PyTorch does."""
    groups = torch_state_groups(module, "load_safetensors")
    tensors, _ = read_safetensors(path)
    return load_tensors(groups, tensors, strict, str(path))


def read_safetensors(path: PathLike) -> tuple[dict[str, Tensor], dict[str, str]]:
    """Every tensor of a safetensors file as (dtype, shape, bytes) by name, and its
    `__metadata__`; ValueError naming what is wrong with the file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no safetensors file at {path}")
    if not path.is_file():  # a folder, or a device or FIFO whose reading may never end
        raise ValueError(f"{path}: not a safetensors file (not a regular file)")
    with path.open("rb") as f:
        head, size = f.read(8), os.fstat(f.fileno()).st_size
        n = int.from_bytes(head, "little")
        if len(head) == 8 and n > HEADER_CAP:
            raise ValueError(f"{path}: not a safetensors file: its first 8 bytes give a header "
                             f"of {n} bytes, beyond safetensors' cap of {HEADER_CAP}")
        if len(head) == 8 and n > size - 8:
            raise ValueError(f"{path}: not a safetensors file: its first 8 bytes give a header "
                             f"of {n} bytes, beyond the end of the file ({size} bytes)")
        data = head + f.read()
    try:
        flat = safetensors.deserialize(data)
    except safetensors.SafetensorError as e:
        reason = str(e).removeprefix("Error while deserializing: ")
        hints = [f" ({hint})" for phrase, hint in HINTS.items() if phrase in reason]
        raise ValueError(f"{path}: not a valid safetensors file: {reason}"
                         + "".join(hints)) from None
    # safetensors has checked the header (JSON, an object of strings in __metadata__).
    metadata = json.loads(data[8:8 + n]).get("__metadata__") or {}
    return {name: (t["dtype"], tuple(t["shape"]), bytes(t["data"])) for name, t in flat}, metadata


def load_tensors(groups: list[tuple[str, WeightGroup]], tensors: Mapping[str, Tensor],
                 strict: bool, source: str) -> IncompatibleKeys:
    """Check every tensor against a model's (PyTorch name, weight group) pairs
    (`torch_state_groups`), then copy the numbers in; on any problem raise, change nothing."""
    by_key = dict(groups)
    missing = [k for k in by_key if k not in tensors]
    unexpected = [k for k in tensors if k not in by_key]
    if strict and (missing or unexpected):
        parts = [f"missing key(s): {', '.join(missing)}"] if missing else []
        if unexpected:
            parts.append(f"unexpected key(s): {', '.join(unexpected)}")
        raise ValueError(f"{source}: load_safetensors refused: " + "; ".join(parts))
    updates = []
    for key, group in by_key.items():
        if key not in tensors:
            continue
        dtype, shape, raw = tensors[key]
        if dtype not in READERS:
            raise ValueError(f"{source}: {key}: dtype {dtype} cannot hold weights; weightgrad "
                             f"reads {', '.join(READERS)}")
        if shape != group.shape:
            raise ValueError(f"{source}: {key}: wrong shape: expected {list(group.shape)} "
                             f"(PyTorch's layout), got {list(shape)}")
        values = READERS[dtype](raw).astype(np.float64)
        _check_finite(f"{source}: {key}", values.reshape(shape))
        updates.append((group.params, values.tolist()))
    for params, values in updates:  # only now, with every tensor checked
        for p, x in zip(params, values):
            p.data = x
    return IncompatibleKeys(missing, unexpected)


def _check_finite(where: str, values: np.ndarray) -> None:
    bad = np.argwhere(~np.isfinite(values))
    if len(bad):
        index = tuple(int(i) for i in bad[0])
        raise ValueError(f"{where}{list(index)} is {values[index]}, not a finite number")

