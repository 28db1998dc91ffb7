"""Weights on disk: JSON with a format version, written atomically, never pickle.

A file looks like
    {"format": "weightgrad", "format_version": 1, "model": "MLP",
     "config": {...}, "state_dict": {"layers.0.neurons.0.w": [0.1, -0.4], ...}}
JSON is readable, diffable and cannot run code when loaded (pickle can). Saving writes a
temporary file beside the target and renames it over the target (engine.files, as every
picture and page is written), so a crash or an error mid-write leaves the previous file intact
and no temporary file behind. Loading reads a regular file of at most MAX_FILE_BYTES, skips a
UTF-8 byte order mark and refuses a key given twice; Module.load then checks the file's model
and architecture against its own (`check_architecture`) before the state dict, entry by entry
(`check_entry`), all before any weight changes.
"""

from __future__ import annotations

import json
import math
import stat
from pathlib import Path
from typing import Any

from weightgrad.engine import files
from weightgrad.engine.floats import digits

from .parameter import Parameter

FORMAT = "weightgrad"
FORMAT_VERSION = 1
# Past this a file is refused before it is read: json.loads needs about ten times a file's size
# in memory (a 200 MB file took 2.1 GB and 7.5 s), and a weightgrad model big enough to need
# 64 MB of JSON (about 3 million weights) would take hours per training step anyway.
MAX_FILE_BYTES = 64 * 2**20


def _check_finite(state_dict: dict[str, Any]) -> None:
    # JSON has no nan or inf; a model that diverged should be seen, not silently saved.
    for name, value in state_dict.items():
        for i, x in enumerate(value if isinstance(value, list) else [value]):
            if not math.isfinite(x):
                where = f"{name}.{i}" if isinstance(value, list) else name
                raise ValueError(f"cannot save: parameter {where} is {x}, not a finite number")


def save(path: str | Path, state_dict: dict[str, Any], model: str,
         config: dict[str, Any]) -> None:
    """Write `state_dict` to `path` atomically (temp file in the same folder, then rename)."""
    _check_finite(state_dict)
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "model": model,
                "config": config, "state_dict": state_dict}
    files.write_atomic(path, json.dumps(document, indent=1, allow_nan=False), "weights")


def load(path: str | Path) -> dict[str, Any]:
    """The state dict in a file written by `save`; ValueError naming what is wrong."""
    return load_document(path)["state_dict"]


def load_document(path: str | Path) -> dict[str, Any]:
    """The whole document of a file written by `save` ("model", "config", "state_dict"),
    checked as `load` checks it (load_model rebuilds the model from it)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no weights file at {path}")
    data = _read(path)
    try:
        # utf-8-sig: a byte order mark (Windows editors add one) is skipped, as RFC 8259 §8.1
        # allows a parser to; duplicate keys are refused (which one would win is a guess).
        document = json.loads(data.decode("utf-8-sig"), parse_int=_int,
                              object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a weightgrad weights file (not UTF-8 text)") from None
    except RecursionError:
        raise ValueError(f"{path}: not a weightgrad weights file (nested too deeply)") from None
    except _Duplicate as e:
        raise ValueError(f"{path}: not a weightgrad weights file ({e})") from None
    except ValueError as e:  # JSONDecodeError
        raise ValueError(f"{path}: not a weightgrad weights file (invalid JSON: {e})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{path}: not a weightgrad weights file (no \"format\": \"{FORMAT}\")")
    version = document.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:  # true == 1 in Python
        raise ValueError(f"{path}: unsupported format_version {version!r}; this weightgrad "
                         f"reads version {FORMAT_VERSION}")
    state_dict = document.get("state_dict")
    if not isinstance(state_dict, dict):
        raise ValueError(f"{path}: \"state_dict\" is missing or not an object")
    return document


def _read(path: Path) -> bytes:
    """The file's bytes: a regular file of at most MAX_FILE_BYTES (a device such as /dev/zero
    never ends, a FIFO may never open)."""
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):  # a folder: open() says so below
        raise ValueError(f"{path}: not a weightgrad weights file (not a regular file)")
    with path.open("rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        limit = (f"{MAX_FILE_BYTES // 2**20} MB" if MAX_FILE_BYTES % 2**20 == 0
                 else f"{MAX_FILE_BYTES} bytes")
        raise ValueError(f"{path}: larger than the {limit} a weights file may have "
                         "(nn.serialization.MAX_FILE_BYTES)")
    return data


class LongInteger:
    """An integer in a file with more digits than any float holds (JSON sets no limit, and
    Python refuses to read one past 4300 digits): kept as its digit count, so that
    load_state_dict names its key."""

    def __init__(self, text: str) -> None:
        self.digits = len(text.lstrip("-"))

    def __repr__(self) -> str:
        return f"an integer of {self.digits} digits"


def _int(text: str) -> int | LongInteger:
    # 400 digits: past any float (1.8e308 has 309), short of Python's 4300-digit limit.
    return int(text) if len(text) <= 400 else LongInteger(text)


class _Duplicate(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _Duplicate(f"the key {twice!r} appears twice in one JSON object")
    return document


# Config entries that do not change what the weights mean (see Module.load).
NOT_ARCHITECTURE = frozenset({"seed", "init", "fused"})


def _mismatch(saved: object, ours: object, where: str) -> tuple[str, object, object] | None:
    """The first place where a file's config and the model's differ: (dotted key, the file's,
    the model's). Keys the file does not record are not compared."""
    if isinstance(saved, dict) and isinstance(ours, dict):
        for key in ours:
            if key in saved and key not in NOT_ARCHITECTURE:
                found = _mismatch(saved[key], ours[key], f"{where}.{key}" if where else key)
                if found:
                    return found
        return None
    if isinstance(saved, list) and isinstance(ours, (list, tuple)) and len(saved) == len(ours):
        for i, (s, o) in enumerate(zip(saved, ours)):
            found = _mismatch(s, o, f"{where}.{i}")
            if found:
                return found
        return None
    same = type(saved) is type(ours) or {type(saved), type(ours)} <= {int, float}
    return None if same and saved == ours else (where, saved, ours)


def check_architecture(path: object, document: dict[str, Any], model: str,
                       config: dict[str, Any]) -> None:
    """ValueError unless the file's model and architecture are this one's (Module.load)."""
    saved = document.get("model", model)
    if saved != model:
        raise ValueError(f"{path}: the file holds the weights of model {_shown(saved)}, and "
                         f"this model is {model!r}")
    found = _mismatch(document.get("config", {}), json.loads(json.dumps(config)), "")
    if found:
        key, theirs, ours = found
        raise ValueError(f"{path}: the file's {model} has {key}={_shown(theirs)}, this one has "
                         f"{key}={_shown(ours)}; build the model with the file's \"config\"")


def _shown(x: object) -> str:
    try:
        return f"{x!r:.60}"
    except ValueError:  # an int past Python's 4300-digit limit somewhere inside
        return "(too large to print)"


def _number(name: str, x: object) -> float:
    if isinstance(x, LongInteger):  # a file's integer past any float
        raise ValueError(f"{name}: expected a finite number, got {x!r}")
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"{name}: expected a number, got {type(x).__name__} {_shown(x)}")
    try:
        x = float(x)
    except OverflowError:
        raise ValueError(f"{name}: expected a finite number, got an integer of "
                         f"{digits(x)} digits") from None
    if not math.isfinite(x):
        raise ValueError(f"{name}: expected a finite number, got {x!r}")
    return float(x)


def check_entry(name: str, tensor: Parameter | list[Parameter], value: object
                ) -> list[tuple[Parameter, float]]:
    """The (parameter, number) pairs a state dict's entry gives, or ValueError naming it."""
    if isinstance(tensor, list):
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{name}: expected a list of {len(tensor)} numbers, "
                             f"got {type(value).__name__}")
        if len(value) != len(tensor):
            raise ValueError(f"{name}: wrong size: expected {len(tensor)} numbers, "
                             f"got {len(value)}")
        return [(p, _number(f"{name}.{i}", x)) for i, (p, x) in enumerate(zip(tensor, value))]
    return [(tensor, _number(name, value))]
