"""What every `weightgrad` command shares: NAME=VALUE arguments, output paths checked before
any slow work, and mistakes as one line on stderr with exit status 2 (`UsageError`), never a
traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

from .expr import NAME, NUMBER

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
    """Refuse a path that cannot be written before any slow rendering starts."""
    target = Path(path).absolute()
    if target.is_dir():
        raise UsageError(f"cannot write {option} {path}: it is a folder")
    folder = next(p for p in target.parents if p.exists())  # the root always exists
    if not folder.is_dir():
        raise UsageError(f"cannot write {option} {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write {option} {path}: permission denied on {folder}")


MAX_MESSAGE = 300


def one_line(message: str) -> str:
    """A message safe to print on one terminal line: control characters and line separators
    escaped (a hostile argument cannot move the cursor or add lines), and shortened in the
    middle when it echoes a huge input."""
    message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    if len(message) > MAX_MESSAGE:
        message = f"{message[:200]} … {message[-80:]}"
    return message
