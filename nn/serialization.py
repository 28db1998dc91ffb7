"""Weights on disk: JSON with a format version, written atomically, never pickle.

A file looks like
    {"format": "weightgrad", "format_version": 1, "model": "MLP",
     "config": {...}, "state_dict": {"layers.0.neurons.0.w": [0.1, -0.4], ...}}
JSON is readable, diffable and cannot run code when loaded (pickle can). Saving writes a
temporary file beside the target and renames it over the target, so a crash or an error
mid-write leaves the previous file intact and no temporary file behind.
"""

from __future__ import annotations

import errno
import json
import math
import os
import secrets
from pathlib import Path
from typing import Any

FORMAT = "weightgrad"
FORMAT_VERSION = 1


def _check_finite(state_dict: dict[str, Any]) -> None:
    # JSON has no nan or inf; a model that diverged should be seen, not silently saved.
    for name, value in state_dict.items():
        for i, x in enumerate(value if isinstance(value, list) else [value]):
            if not math.isfinite(x):
                where = f"{name}.{i}" if isinstance(value, list) else name
                raise ValueError(f"cannot save: parameter {where} is {x}, not a finite number")


def _named(e: OSError, path: Path) -> OSError:
    """The same kind of OSError, its message naming the file we were saving."""
    reason = e.strerror or str(e)
    message = f"cannot save weights to {path}: {reason}"
    return type(e)(e.errno, message) if e.errno is not None else type(e)(message)


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside `path`. Created with mode 0666 so that the kernel
    applies the umask, as for any new file (mkstemp would make it 0600)."""
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, f"no free temporary name beside {path}")


def save(path: str | Path, state_dict: dict[str, Any], model: str,
         config: dict[str, Any]) -> None:
    """Write `state_dict` to `path` atomically (temp file in the same folder, then rename)."""
    _check_finite(state_dict)
    path = Path(path)
    if path.name in ("", ".", "..") or path.is_dir():
        raise IsADirectoryError(errno.EISDIR,
                                f"cannot save weights to {path}: {os.strerror(errno.EISDIR)}")
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "model": model,
                "config": config, "state_dict": state_dict}
    text = json.dumps(document, indent=1, allow_nan=False)
    try:
        fd, tmp = _create_temp(path)
    except OSError as e:
        raise _named(e, path) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            if path.exists():  # replacing a file keeps its mode
                os.fchmod(f.fileno(), path.stat().st_mode & 0o777)
            _write(f, text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        tmp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise _named(e, path) from e
        raise


def _write(f: Any, text: str) -> None:
    # One seam for fault-injection tests: an error here must leave the old file intact.
    f.write(text)


def load(path: str | Path) -> dict[str, Any]:
    """The state dict in a file written by `save`; ValueError naming what is wrong."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no weights file at {path}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a weightgrad weights file (not UTF-8 text)") from None
    except RecursionError:
        raise ValueError(f"{path}: not a weightgrad weights file (nested too deeply)") from None
    except ValueError as e:  # JSONDecodeError, or an integer past Python's digit limit
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
    return state_dict
