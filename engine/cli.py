"""The `weightgrad` command line: `weightgrad explain EXPR NAME=VALUE ... [--svg/--html/--json]`.

The expression is read by `engine.expr`'s own parser, never by Python. Every mistake a user
can make (a bad expression or NAME=VALUE, an output path that cannot be written, a usage error,
a graph too large to draw) ends the same way: one line on stderr, `weightgrad: error: ...`,
and exit status 2. Anything else is a bug and keeps its traceback. Success exits 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import NoReturn

from . import ops
from .draw import GraphTooLarge, draw_graph
from .explain import Explanation, explain
from .expr import NAME, NUMBER, ExprError, evaluate
from .render import RendererNotFound, RenderTimeout, save_svg
from .value import Value

EXAMPLE = 'weightgrad explain "x1*w1 + x2*w2 + b" x1=5 w1=0.7 x2=2 w2=0.3 b=1'
_NAME = re.compile(NAME)
_VALUE = re.compile(rf"[+-]?{NUMBER}")

EXPLAIN_EPILOG = """\
expressions: numbers, names, + - * / ** with Python's precedence (-x**2 is -(x**2)),
  parentheses, and the functions of the op catalogue:
{functions}
  Nothing is evaluated as Python. An expression starting with '-' goes after '--', which
  ends the options, so options come first:  weightgrad explain --json -- "-x**2" x=3

--json prints one JSON object and nothing else: {{"value": V, "grads": {{NAME: G, ...}}}},
  names in order of first appearance. A number that is not finite is written as the string
  "inf", "-inf" or "nan", so the output is always valid JSON.

example:
  {example}
"""  # {functions}: the op catalogue's, read when the help is built (ops.define adds to them)


class UsageError(Exception):
    """A mistake on the command line; main() prints it as one line and returns 2."""


class _Exit(Exception):
    """argparse is done (after --help): main() returns this status instead of exiting."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _ArgumentParser(argparse.ArgumentParser):
    # argparse prints usage and calls sys.exit; main() wants one error line and a return value.
    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments: -"):
            message += (' (an expression starting with "-" goes after "--": '
                        'weightgrad explain --json -- "-x**2" x=3)')
        raise UsageError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


def _functions_help() -> str:
    names = " ".join(f"{name}()" for name in ops.functions())
    return textwrap.fill(names, width=88, initial_indent="    ", subsequent_indent="    ")


def build_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(prog="weightgrad", epilog=f"example:\n  {EXAMPLE}",
                             description="See every weight and gradient of a small computation.",
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    explain = commands.add_parser(
        "explain", help="forward and backward pass of one expression, step by step",
        description="Build EXPR from the NAME=VALUE numbers, run one forward and one backward\n"
                    "pass, and print every step as a table (or the result as JSON); --svg and\n"
                    "--html also write pictures of them.",
        epilog=EXPLAIN_EPILOG.format(functions=_functions_help(), example=EXAMPLE),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    explain.add_argument("expr", metavar="EXPR", help='e.g. "x1*w1 + x2*w2 + b"')
    explain.add_argument("assignments", nargs="*", metavar="NAME=VALUE",
                         help="a number for each name in EXPR, e.g. x1=5 w1=0.7")
    explain.add_argument("--svg", metavar="PATH", help="write the graph, with gradients, as SVG")
    explain.add_argument("--html", metavar="PATH",
                         help="write one self-contained HTML page stepping through the passes")
    explain.add_argument("--json", action="store_true",
                         help="print the value and the gradients as JSON instead of the table")
    return parser


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


def _check_writable(option: str, path: str) -> None:
    """Refuse a path that cannot be written before any slow rendering starts."""
    target = Path(path).absolute()
    if target.is_dir():
        raise UsageError(f"cannot write {option} {path}: it is a folder")
    folder = next(p for p in target.parents if p.exists())  # the root always exists
    if not folder.is_dir():
        raise UsageError(f"cannot write {option} {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write {option} {path}: permission denied on {folder}")


def _json_number(x: float) -> float | str:
    return x if math.isfinite(x) else str(x)  # "inf", "-inf", "nan": JSON has no such numbers


def _json(root: Value, leaves: dict[str, Value]) -> str:
    grads = {name: _json_number(leaf.grad) for name, leaf in leaves.items()}
    return json.dumps({"value": _json_number(root.data), "grads": grads}, allow_nan=False)


# The drawing modules' errors that are the user's to fix: too big a graph, no renderer, a
# layout past its time limit.
_PICTURE_ERRORS = (GraphTooLarge, RendererNotFound, RenderTimeout)


def _explain(root: Value) -> Explanation:
    try:
        return explain(root)  # its own pass from zero: it never reads or sets .grad
    except _PICTURE_ERRORS as e:
        raise UsageError(str(e)) from None


def _save_svg(root: Value, path: str) -> Path:
    try:
        return save_svg(draw_graph(root), path)
    except _PICTURE_ERRORS as e:
        raise UsageError(str(e)) from None
    except OSError as e:  # the renderer's own failures are RenderError, not OSError
        raise UsageError(f"cannot write --svg {path}: {e.strerror or e}") from None


def _save_html(explanation: Explanation, title: str, path: str) -> Path:
    try:
        return explanation.save_html(path, title)
    except _PICTURE_ERRORS as e:
        raise UsageError(str(e)) from None
    except OSError as e:
        raise UsageError(f"cannot write --html {path}: {e.strerror or e}") from None


def run_explain(args: argparse.Namespace) -> int:
    values = parse_assignments(args.assignments)
    for option, path in (("--svg", args.svg), ("--html", args.html)):
        if path is not None:
            _check_writable(option, path)
    root, leaves = evaluate(args.expr, values)
    explanation = _explain(root) if args.html is not None or not args.json else None
    if args.json or args.svg is not None:
        root.backward()
    output = _json(root, leaves) if args.json or explanation is None else explanation.table()
    written = []  # every file is written before anything is printed
    if args.svg is not None:
        written.append(_save_svg(root, args.svg))
    if explanation is not None and args.html is not None:
        written.append(_save_html(explanation, args.expr, args.html))
    print(output)
    if not args.json:
        for path in written:
            print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 2 user error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stdout)
            raise UsageError("a command is required (try: weightgrad explain ...)")
        return run_explain(args)
    except _Exit as e:
        return e.status
    except (ExprError, UsageError) as e:
        print(f"weightgrad: error: {one_line(str(e))}", file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main())
