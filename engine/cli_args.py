"""What every `weightgrad` command shares: NAME=VALUE arguments, output paths checked before
any slow work, files written all or none, stdout written without tracebacks, and mistakes as
one line on stderr with exit status 2 (`UsageError`), never a traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

from . import files
from .expr_parse import NAME, NUMBER

_NAME = re.compile(NAME)
_VALUE = re.compile(rf"[+-]?{NUMBER}")


class UsageError(Exception):
    """A mistake on the command line; main() prints it as one line and returns 2."""


class Exit(Exception):
    """argparse is done (after --help): main() returns this status instead of exiting."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class ArgumentParser(argparse.ArgumentParser):
    # argparse prints usage and calls sys.exit; main() wants one error line and a return value.
    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments: -"):
            message += (' (an expression starting with "-" goes after "--": '
                        'weightgrad explain --json -- "-x**2" x=3)')
        raise UsageError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise Exit(status)


def parse_assignment(item: str) -> tuple[str, float]:
    """`NAME=VALUE` as (name, value); UsageError for anything else, NaN and infinity included."""
    name, sep, text = item.partition("=")
    if not sep:
        raise UsageError(f"expected NAME=VALUE, got {item!r} (e.g. x1=5)")
    if not name:
        raise UsageError(f"missing name before '=' in {item!r} (expected NAME=VALUE)")
    if not _NAME.fullmatch(name):
        raise UsageError(f"bad name {name!r} in {item!r}: a name is a letter or '_' followed by "
                         "letters, digits or '_'")
    if text.lstrip("+-").lower() in ("nan", "inf", "infinity"):
        raise UsageError(f"{item!r}: {text} is not allowed; give {name} a finite number")
    if not _VALUE.fullmatch(text):
        raise UsageError(f"bad number {text!r} for {name} in {item!r}")
    value = float(text)
    if math.isinf(value):
        raise UsageError(f"number too large: {text} for {name}")
    return name, value


def parse_assignments(items: list[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for item in items:
        name, value = parse_assignment(item)
        if name in values:
            raise UsageError(f"{name} is given twice ({name}={values[name]:g} and {item})")
        values[name] = value
    return values


def check_writable(option: str, path: str) -> None:
    """Refuse a path that cannot be written before any slow rendering starts: a folder, a
    device or FIFO (files are written beside their target and renamed over it, which would
    replace it), an existing file without write permission, a folder that cannot be written
    (for that temporary file), a name too long for the file system."""
    where = f"cannot write {option} {path}"
    try:
        target = Path(path).absolute()
        if target.is_dir():
            raise UsageError(f"{where}: it is a folder")
        real = Path(os.path.realpath(target))
        if real.exists():
            kind = files.special_kind(real.stat().st_mode)
            if kind:
                raise UsageError(f"{where}: it is {kind}, not a regular file (a new file is "
                                 "written beside it and renamed over it)")
            if not os.access(real, os.W_OK):
                raise UsageError(f"{where}: permission denied on {path}")
        folder = next(p for p in real.parents if p.exists())  # the root always exists
        if not folder.is_dir():
            raise UsageError(f"{where}: {folder} is not a folder")
        if not os.access(folder, os.W_OK):
            raise UsageError(f"{where}: permission denied on {folder}")
    except OSError as e:  # a name too long, a loop of links
        raise UsageError(f"{where}: {e.strerror or e}") from None


def write_all(outputs: list[tuple[str, str, str]]) -> list[Path]:
    """Write every (option, path, text) atomically, all or none: each is written to a
    temporary file beside its target (engine.files.stage) before any is renamed into place,
    so a failure on one (a full disk) leaves every target as it was. Returns the paths."""
    staged: list[files.Staged] = []
    option, path = "", ""
    try:
        for option, path, text in outputs:
            staged.append(files.stage(path, text, option, make_folder=True))
        written = []
        for s in staged:
            option, path = s.what, str(s.shown)
            written.append(files.commit(s))
        return written
    except OSError as e:  # files.named's error; its `reason` is the system's words alone
        raise UsageError(f"cannot write {option} {path}: "
                         f"{getattr(e, 'reason', None) or e.strerror or e}") from None
    finally:
        for s in staged:
            files.discard(s)  # nothing left of a committed one; a refused one goes


def shown(path: str | Path) -> str:
    """A path as printable text: bytes that are not UTF-8 (kept by Python as surrogates) as
    backslash escapes (`\\xff`), so echoing a file name never fails on a UTF-8 stdout."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


class OutputError(Exception):
    """stdout could not be written (a full disk, a closed pipe); `.error` is the OSError."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


def say(text: str) -> None:
    """Print a line on stdout: characters its encoding lacks as backslash escapes, and a
    failure to write as OutputError (main() ends with one line, or quietly for a pipe)."""
    try:
        try:
            print(text)
        except UnicodeEncodeError:
            encoding = sys.stdout.encoding or "utf-8"
            print(text.encode(encoding, "backslashreplace").decode(encoding))
    except OSError as e:
        raise OutputError(e) from None


def flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except OSError as e:
        raise OutputError(e) from None


def stdout_failed(e: Exception) -> int:
    """End after stdout failed: nothing more on stdout (Python's own flush at exit would fail
    again, with a traceback-like message), one line on stderr unless the reader simply went
    away (a closed pipe, `| head -1`: quietly, status 141 = 128 + SIGPIPE, as `cat` gives)."""
    error = e.error if isinstance(e, OutputError) else e
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (a test's capture)
        pass
    if isinstance(error, BrokenPipeError):
        return 141
    print(f"weightgrad: error: cannot write to stdout: {one_line(str(error.strerror or error))}",
          file=sys.stderr)
    return 2


MAX_MESSAGE = 300


def one_line(message: str) -> str:
    """A message safe to print on one terminal line: control characters and line separators
    escaped (a hostile argument cannot move the cursor or add lines), and shortened in the
    middle when it echoes a huge input."""
    message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    if len(message) > MAX_MESSAGE:
        message = f"{message[:200]} … {message[-80:]}"
    return message
