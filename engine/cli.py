"""The `weightgrad` command line: `weightgrad explain EXPR NAME=VALUE ... [--svg/--html/--json]`
and `weightgrad play EXPR NAME=VALUE ... --html PATH [--params NAME,...] [--target X]`.

The expression is read by `engine.expr`'s own parser, never by Python. Every mistake a user
can make (a bad expression or NAME=VALUE, an output path that cannot be written, a usage error,
a graph too large to draw, a renderer that fails) ends the same way: one line on stderr,
`weightgrad: error: ...`, and exit status 2, with no file written. So does a stdout that cannot
be written (a full disk); a closed pipe (`| head -1`) ends quietly with status 141. Anything
else is a bug and keeps its traceback. Success exits 0.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from collections.abc import Callable

from . import ops
from .cli_args import (
    ArgumentParser,
    Exit,
    OutputError,
    UsageError,
    check_writable,
    flush_stdout,
    one_line,
    parse_assignment,
    parse_assignments,
    say,
    shown,
    stdout_failed,
    write_all,
)
from .draw import GraphTooLarge, draw_graph
from .explain import Explanation, explain
from .expr import ExprError, evaluate
from .playground import Playground
from .render import RendererNotFound, RenderError, render_svg
from .value import Value

EXAMPLE = 'weightgrad explain "x1*w1 + x2*w2 + b" x1=5 w1=0.7 x2=2 w2=0.3 b=1'

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

PLAY_EPILOG = """\
The expression language is explain's (weightgrad explain --help). In the page, every name
is a number field and a slider; window.weightgrad.get/set/leaves/step/reset script it.

example:
  weightgrad play "x1*w1 + x2*w2 + b" x1=5 w1=0.7 x2=2 w2=0.3 b=1 --html neuron.html
"""


def _functions_help() -> str:
    names = " ".join(f"{name}()" for name in ops.functions())
    text = textwrap.fill(names, width=88, initial_indent="    ", subsequent_indent="    ")
    two = [name for name, op in ops.functions().items() if op.arity == 2]
    if two:  # said here, so that `max(x)` is no surprise
        text += (f"\n  {', '.join(two)} take{'s' * (len(two) == 1)} two arguments "
                 f"({two[0]}(x, y)), the others one.")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="weightgrad", epilog=f"example:\n  {EXAMPLE}",
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
    play = commands.add_parser(
        "play", help="a live page: edit any number, watch every value and gradient move",
        description="Build EXPR from the NAME=VALUE numbers and write one self-contained HTML\n"
                    "page (it opens from disk) where every name can be edited and every value\n"
                    "and gradient is recomputed in the browser.",
        epilog=PLAY_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    play.add_argument("expr", metavar="EXPR", help='e.g. "x1*w1 + x2*w2 + b"')
    play.add_argument("assignments", nargs="*", metavar="NAME=VALUE",
                      help="a number for each name in EXPR, e.g. x1=5 w1=0.7")
    play.add_argument("--html", metavar="PATH", required=True, help="where to write the page")
    play.add_argument("--params", metavar="NAME,...",
                      help="the weights the page's step button moves (default: every name "
                           "that starts with w or b); the other names are inputs")
    play.add_argument("--target", metavar="X", type=_finite,
                      help="a goal for the result: the page says when it is reached")
    play.add_argument("--tol", metavar="T", type=_finite, default=1e-9,
                      help="how close to --target counts as reached (default 1e-9)")
    play.add_argument("--json", action="store_true",
                      help="print the page's leaves, weights and goal as JSON (for scripts)")
    return parser


def _json_number(x: float) -> float | str:
    return x if math.isfinite(x) else str(x)  # "inf", "-inf", "nan": JSON has no such numbers


def _json(root: Value, leaves: dict[str, Value]) -> str:
    grads = {name: _json_number(leaf.grad) for name, leaf in leaves.items()}
    return json.dumps({"value": _json_number(root.data), "grads": grads}, allow_nan=False)


# The drawing modules' errors that are the user's to fix: too big a graph, no renderer, a
# renderer that fails or takes longer than its time limit (RenderTimeout is a RenderError).
_PICTURE_ERRORS = (GraphTooLarge, RendererNotFound, RenderError)


def _explain(root: Value) -> Explanation:
    try:
        return explain(root)  # its own pass from zero: it never reads or sets .grad
    except _PICTURE_ERRORS as e:
        raise UsageError(str(e)) from None


def _render(make: Callable[[], str]) -> str:
    """A picture's or page's text; the user's picture errors as a UsageError."""
    try:
        return make()
    except _PICTURE_ERRORS as e:
        raise UsageError(str(e)) from None


def _title(expr: str) -> str:
    return " ".join(expr.split())  # the page's title: the expression on one line


def run_explain(args: argparse.Namespace) -> int:
    values = parse_assignments(args.assignments)
    for option, path in (("--svg", args.svg), ("--html", args.html)):
        if path is not None:
            check_writable(option, path)
    root, leaves = evaluate(args.expr, values)
    explanation = _explain(root) if args.html is not None or not args.json else None
    if args.json or args.svg is not None:
        root.backward()
    output = _json(root, leaves) if args.json or explanation is None else explanation.table()
    outputs = []  # every file is rendered, then all are written, then anything is printed
    if args.svg is not None:
        outputs.append(("--svg", args.svg, _render(lambda: render_svg(draw_graph(root)))))
    if explanation is not None and args.html is not None:
        outputs.append(("--html", args.html,
                        _render(lambda: explanation.html(_title(args.expr)))))
    written = write_all(outputs)
    say(output)
    if not args.json:
        for path in written:
            say(f"wrote {shown(path)}")
    return 0


def run_play(args: argparse.Namespace) -> int:
    values = parse_assignments(args.assignments)
    check_writable("--html", args.html)
    root, leaves = evaluate(args.expr, values)
    if args.params is None:
        params = [name for name in leaves if name.startswith(("w", "b"))]
    else:
        params = [name.strip() for name in args.params.split(",") if name.strip()]
        unknown = [name for name in params if name not in leaves]
        if unknown:
            raise UsageError(f"--params: {', '.join(unknown)} not in EXPR (its names: "
                             f"{', '.join(leaves) or 'none'})")
    try:
        page = Playground(root, [leaves[name] for name in params], args.target, args.tol)
    except (ValueError, *_PICTURE_ERRORS) as e:
        raise UsageError(str(e)) from None
    [path] = write_all([("--html", args.html, _render(lambda: page.html(_title(args.expr))))])
    if args.json:
        say(json.dumps({"html": str(path), "leaves": {n: v.data for n, v in leaves.items()},
                        "params": params, "target": args.target, "tol": args.tol}))
        return 0
    say(f"weights the step button moves: {', '.join(params) or 'none'}")
    if args.target is not None:
        say(f"goal: {root.label or 'the result'} = {args.target:g} (within {args.tol:g})")
    say(f"wrote {shown(path)} (open it in a browser)")
    return 0


def _finite(text: str) -> float:
    """An argparse type: a finite number, read as NAME=VALUE's numbers are."""
    try:
        return parse_assignment(f"x={text}")[1]
    except UsageError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number") from None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 2 user error, 141 when the
    reader of stdout went away, as for any program a closed pipe stops)."""
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
            if args.command is None:
                parser.print_help(sys.stdout)
                raise UsageError("a command is required (try: weightgrad explain ...)")
            status = run_play(args) if args.command == "play" else run_explain(args)
        except Exit as e:
            status = e.status
        flush_stdout()  # a full disk or a closed pipe shows here, not in Python's exit
        return status
    except (ExprError, UsageError) as e:
        print(f"weightgrad: error: {one_line(str(e))}", file=sys.stderr)
        return 2
    except (OutputError, BrokenPipeError) as e:  # argparse's --help prints on its own
        return stdout_failed(e)


if __name__ == "__main__":
    sys.exit(main())
