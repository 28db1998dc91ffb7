"""`weightgrad explain` fed code instead of an expression: each attempt is its own process
(`python -m weightgrad.engine.cli`), run in an empty folder, and must end with exit status 2
and one line `weightgrad: error: ...` on stderr (no traceback, nothing on stdout), create no
CANARY file, and finish in well under 5 s.

test_cli.py checks the plain `__import__(...)` attempt and, in-process, most usage errors;
this file is the hostile catalogue, run for real.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOUCH = "__import__('os').system('touch CANARY')"
# One argument on Linux may be at most 128 KiB (MAX_ARG_STRLEN): longer expressions reach the
# command line through a launcher that sets sys.argv and runs the module as `-m` would.
ARG_LIMIT = 100_000
LAUNCHER = ("import runpy, sys; sys.argv = ['weightgrad', *open(sys.argv[1], encoding='utf-8')"
            ".read().split('\\0')]; runpy.run_module('weightgrad.engine.cli', run_name='__main__')")

ATTEMPTS = [
    # (id, argv after "explain", a fragment the error line must contain)
    ("import-system", [TOUCH], "'__import__' at column 1 is not allowed"),
    ("import-in-call", [f"exp({TOUCH})", "x=1"], "'__import__' at column 5"),
    ("subclasses", ["().__class__.__bases__[0].__subclasses__()"], "unexpected"),
    ("dunder-attribute", ["x.__class__", "x=1"], "unexpected character '.' at column 2"),
    ("open", ["open('CANARY','w')"], "unexpected character \"'\""),
    ("open-no-quotes", ["open(CANARY)", "CANARY=1"], "unknown function 'open'"),
    ("exec", ['exec("open(\'CANARY\',\'w\')")'], "unexpected character '\"'"),
    ("eval", ['eval("1")'], "unexpected character '\"'"),
    ("globals", ["globals()"], "unknown function 'globals'"),
    ("subscript", ["x[0]", "x=1"], "unexpected character '['"),
    ("lambda", ["lambda: 1"], "'lambda' at column 1 is not allowed"),
    ("comprehension", ["[c for c in 'ab']"], "unexpected character '['"),
    ("f-string", ['f"{x}"', "x=1"], "unexpected character '\"'"),
    ("string-concat", ["'a' + 'b'"], "unexpected character \"'\""),
    ("conditional", ["1 if x else 2", "x=1"], "'if' at column 3 is not allowed"),
    ("statement", ["x; import os", "x=1"], "unexpected character ';'"),
    ("newline-statement", ['x\n__import__("os")', "x=1"], "'__import__' at column 3"),
    ("walrus", ["(y := 1)", "y=1"], "unexpected character ':'"),
    ("backslash-continuation", ["x \\\n+ 1", "x=1"], "unexpected character '\\\\'"),
    ("vertical-tab", ["x\x0b+1", "x=1"], "unexpected character '\\x0b'"),
    ("bidi-override", ["x\u202e+1", "x=1"], "unexpected character '\\u202e'"),
    ("unicode-digit", ["\u0663 + x", "x=1"], "unexpected character"),
    ("fullwidth-name", ["\uff45\uff58\uff50(x)", "x=1"], "unexpected character"),
    ("deep-10000", ["(" * 10000 + "x" + ")" * 10000, "x=1"], "expression too long: 20001"),
    ("deep-under-length", ["(" * 4999 + "x" + ")" * 4999, "x=1"], "nested too deeply"),
    ("signs-9999", ["--", "-" * 9999 + "x", "x=1"], "nested too deeply"),
    ("long-100k", ["x+" * 50_000 + "x", "x=1"], "expression too long: 100001 characters"),
    ("long-1MB", ["x" * 1_000_000, "x=1"], "expression too long: 1000000 characters"),
    ("huge-number", ["9" * 400], "number too large"),
    ("1e999", ["1e999"], "number too large: 1e999"),
    ("unknown-name", ["x + y", "x=1"], "missing value for y"),
    ("unknown-value-name", ["x", "x=1", "os=1"], "unknown name 'os'"),
    ("unknown-function", ["sin(x)", "x=1"], "unknown function 'sin'"),
    ("builtin-as-function", ["print(x)", "x=1"], "unknown function 'print'"),
    ("value-1e999", ["x + 1", "x=1e999"], "number too large: 1e999 for x"),
    ("value-code", ["x + 1", f"x={TOUCH}"], "bad number"),
    ("value-name-code", ["x + 1", f"{TOUCH}=1"], "bad name"),
    ("value-hex", ["x + 1", "x=0x10"], "bad number '0x10'"),
    ("value-complex", ["x + 1", "x=1j"], "bad number '1j'"),
]


def run_cli(argv: list[str], cwd: Path, launcher: bool = False
            ) -> tuple[subprocess.CompletedProcess[str], float]:
    """(the finished process, its wall time); through LAUNCHER when an argument is too long
    for the OS (or when asked), the arguments then in `cwd/args.bin`, NUL-separated."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if launcher or max(map(len, argv)) > ARG_LIMIT:
        args = cwd / "args.bin"
        args.write_text("\0".join(argv), encoding="utf-8")
        command = [sys.executable, "-c", LAUNCHER, str(args)]
    else:
        command = [sys.executable, "-m", "weightgrad.engine.cli", *argv]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=10, check=False)
    return done, time.perf_counter() - start


@pytest.mark.parametrize(("argv", "fragment"), [a[1:] for a in ATTEMPTS],
                         ids=[a[0] for a in ATTEMPTS])
def test_an_injection_attempt_is_one_error_line_and_runs_nothing(
        tmp_path: Path, argv: list[str], fragment: str) -> None:
    done, seconds = run_cli(["explain", *argv], tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stdout == ""
    assert done.stderr.startswith("weightgrad: error: ")
    assert done.stderr.count("\n") == 1 and done.stderr.endswith("\n")
    assert "Traceback" not in done.stderr
    assert fragment in done.stderr, done.stderr
    assert len(done.stderr) < 1000  # a hostile expression is never echoed back whole
    assert not (tmp_path / "CANARY").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["args.bin"])
    assert seconds < 5.0


@pytest.mark.parametrize("argv", [
    ["explain", "--json", "x*y", "x=2", "y=3"],
    ["explain", "x*y", "x=2"],
    ["explain", TOUCH],
], ids=["ok", "missing-value", "import"])
def test_the_launcher_for_long_arguments_behaves_as_the_real_command(
        tmp_path: Path, argv: list[str]) -> None:
    """The 1 MB case cannot be one argument (Linux: 128 KiB), so it goes through LAUNCHER,
    which must give exactly what `python -m weightgrad.engine.cli` gives."""
    real, _ = run_cli(argv, tmp_path)
    launched, _ = run_cli(argv, tmp_path, launcher=True)
    assert (launched.returncode, launched.stdout, launched.stderr) == (
        real.returncode, real.stdout, real.stderr)
    assert real.returncode == (0 if "--json" in argv else 2)


# -- known issues in engine/cli.py (reported, not fixed here: cli.py is not this file's) ------
# main() keeps the error on one line by replacing "\r" and "\n" only, and argparse echoes an
# unrecognized argument verbatim: other line breaks (U+2028, U+0085, \v, \f) and terminal
# escape sequences reach stderr raw. Echoed input is not shortened either. Suggested fix in
# main(): message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message), and
# shorten what is echoed (e.g. to 80 characters with "...").

@pytest.mark.parametrize("argument", ["--bogus\u2028x", "--bogus\x85x", "--bogus\x1b[2J"],
                         ids=["line-separator", "next-line", "terminal-escape"])
def test_an_unrecognized_argument_is_echoed_printable_and_on_one_line(
        tmp_path: Path, argument: str) -> None:
    done, _ = run_cli(["explain", "x", "x=1", argument], tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1  # str.splitlines counts U+2028, U+0085 too
    assert done.stderr[:-1].isprintable()


def test_a_long_bad_value_is_not_echoed_whole(tmp_path: Path) -> None:
    done, _ = run_cli(["explain", "x", "x=" + "junk" * 5000], tmp_path)
    assert done.returncode == 2
    assert len(done.stderr) < 1000, f"{len(done.stderr)} characters on stderr"
