"""The `weightgrad` command line: the table, --json, pictures, and one-line user errors.

Most tests call `main([...])` in-process; one runs the real `python -m weightgrad.engine.cli`
to check the exit status and that stderr carries one line and no traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from weightgrad.engine import Value, ops
from weightgrad.engine.cli import main
from weightgrad.engine.cli_args import parse_assignment

ROOT = Path(__file__).resolve().parents[2]
Capture = pytest.CaptureFixture[str]
NEURON = ["x1*w1 + x2*w2 + b", "x1=5", "w1=0.7", "x2=2", "w2=0.3", "b=1"]


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def needs_renderer() -> None:
    pytest.importorskip("weightgrad.engine.explain")
    render = pytest.importorskip("weightgrad.engine.render")
    try:
        render.find_renderer()
    except render.RendererNotFound:
        pytest.skip("no Graphviz renderer")


def test_table_shows_the_value_5_1(capsys: Capture) -> None:
    pytest.importorskip("weightgrad.engine.explain")
    code, out, err = run(capsys, "explain", *NEURON)
    assert (code, err) == (0, "")
    assert any("5.1" in line for line in out.splitlines())
    assert "4.9" not in out  # the textbook's figure is never the engine's answer
    assert "w1" in out and "w2" in out


def test_json_prints_one_object_with_value_and_gradients(capsys: Capture) -> None:
    code, out, err = run(capsys, "explain", *NEURON, "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)  # the whole of stdout is one JSON document
    assert set(result) == {"value", "grads"}
    assert result["value"] == pytest.approx(5.1)
    assert result["grads"] == pytest.approx({"x1": 0.7, "w1": 5, "x2": 0.3, "w2": 2, "b": 1})
    assert list(result["grads"]) == ["x1", "w1", "x2", "w2", "b"]  # first-appearance order


@pytest.mark.parametrize(("argv", "expected"), [
    (["log(x)", "x=0"], {"value": "-inf", "grads": {"x": "inf"}}),  # log 0, 1/0
    (["x / y", "x=0", "y=0"], {"value": "nan", "grads": {"x": "inf", "y": "nan"}}),
])
def test_json_writes_non_finite_numbers_as_strings(capsys: Capture, argv: list[str],
                                                   expected: dict) -> None:
    code, out, _ = run(capsys, "explain", *argv, "--json")
    assert code == 0
    assert json.loads(out) == expected
    assert "NaN" not in out and "Infinity" not in out  # json.dumps' invalid extensions


def test_an_expression_starting_with_minus_goes_after_dashes(capsys: Capture) -> None:
    code, out, _ = run(capsys, "explain", "--json", "--", "-x**2", "x=3")
    assert code == 0
    assert json.loads(out) == {"value": -9.0, "grads": {"x": -6.0}}  # -(x**2), d/dx = -2x


@pytest.mark.parametrize(("item", "expected"), [
    ("x=5", ("x", 5.0)), ("w_1=-0.5", ("w_1", -0.5)), ("_b=+.25", ("_b", 0.25)),
    ("lr=1e-3", ("lr", 0.001)), ("X2=2.", ("X2", 2.0)),
])
def test_parse_assignment(item: str, expected: tuple[str, float]) -> None:
    assert parse_assignment(item) == expected


@pytest.mark.parametrize(("argv", "fragment"), [
    (["explain", "x1 + 1", "x1"], "expected NAME=VALUE, got 'x1'"),
    (["explain", "x1 + 1", "x1=abc"], "bad number 'abc' for x1"),
    (["explain", "x1 + 1", "=3"], "missing name before '='"),
    (["explain", "x1 + 1", "1x=2"], "bad name '1x'"),
    (["explain", "x + 1", "x=nan"], "nan is not allowed"),
    (["explain", "x + 1", "x=-Infinity"], "-Infinity is not allowed"),
    (["explain", "x + 1", "x=1e999"], "number too large: 1e999"),
    (["explain", "x + 1", "x=1_000"], "bad number '1_000'"),
    (["explain", "x + 1", "x="], "bad number ''"),
    (["explain", "x + 1", "x=1", "x=2"], "x is given twice"),
    (["explain", "x.real", "x=1"], "unexpected character '.' at column 2"),
    (["explain", "sin(x)", "x=1"], "unknown function 'sin'"),
    (["explain", "x1*w1", "x1=1"], "missing value for w1"),
    (["explain", "x", "x=1", "z=2"], "unknown name 'z'"),
    (["explain", "(" * 10000 + "x" + ")" * 10000, "x=1"], "expression too long"),
    (["explain", "x", "x=1", "--bogus"], "unrecognized arguments: --bogus"),
    (["explain", "-x**2", "x=3"], '"--"'),
    (["explain"], "the following arguments are required: EXPR"),
    (["frob"], "invalid choice: 'frob'"),
])
def test_user_errors_are_one_line_and_exit_2(capsys: Capture, argv: list[str],
                                             fragment: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n")
    assert err.startswith("weightgrad: error: ")
    assert fragment in err


def test_no_command_prints_help_and_one_error_line(capsys: Capture) -> None:
    code, out, err = run(capsys)
    assert code == 2
    assert "usage: weightgrad" in out and "explain" in out
    assert err == "weightgrad: error: a command is required (try: weightgrad explain ...)\n"


def test_help_exits_0_and_documents_json_non_finite_numbers(capsys: Capture) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "usage: weightgrad" in out
    code, out, err = run(capsys, "explain", "--help")
    assert (code, err) == (0, "")
    assert "--json" in out and '"inf", "-inf" or "nan"' in out


def test_help_lists_every_function_of_the_op_catalogue(capsys: Capture) -> None:
    code, out, _ = run(capsys, "explain", "--help")
    listed = re.search(r"functions of the op catalogue:\n((?:    .*\n)+)", out)
    assert code == 0 and listed is not None
    assert re.findall(r"(\w+)\(\)", listed.group(1)) == list(ops.functions())


def test_abs_and_leaky_relu_in_an_expression(capsys: Capture) -> None:
    code, out, err = run(capsys, "explain", "--json", "abs(x)*leaky_relu(y)", "x=-2", "y=-3")
    assert (code, err) == (0, "")
    # abs(-2) = 2; leaky_relu(-3) = -3 * 0.01 (slope 0.01, PyTorch's default);
    # d/dx = sign(-2) * leaky_relu(-3); d/dy = abs(-2) * 0.01
    assert json.loads(out) == {"value": 2 * (-3 * 0.01),
                               "grads": {"x": -1 * (-3 * 0.01), "y": 2 * 0.01}}


def test_a_function_op_without_a_hand_written_method_runs_without_traceback(
        capsys: Capture) -> None:
    # The crash: an op listed as a function but with no Value method. Now the
    # expression language applies the catalogue's op itself.
    op = ops.Op("cube", "cube", lambda a: a ** 3, lambda out, a: (3 * a * a,), ("3·{a}²",),
                function=True)
    ops.register(op)
    try:
        del Value.cube  # type: ignore[attr-defined]  # as if no method had been made
        code, out, err = run(capsys, "explain", "--json", "cube(x)", "x=2")
        assert (code, err) == (0, "") and json.loads(out) == {"value": 8.0, "grads": {"x": 12.0}}
    finally:
        ops.unregister("cube")


def test_a_folder_as_svg_path_is_refused_before_any_work(capsys: Capture, tmp_path: Path) -> None:
    code, out, err = run(capsys, "explain", "x * 2", "x=1", "--json", "--svg", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"weightgrad: error: cannot write --svg {tmp_path}: it is a folder\n"


def test_a_path_under_a_file_as_html_path_is_refused(capsys: Capture, tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    target = blocker / "page.html"
    code, out, err = run(capsys, "explain", "x * 2", "x=1", "--html", str(target))
    assert (code, out) == (2, "")
    assert err == f"weightgrad: error: cannot write --html {target}: {blocker} is not a folder\n"
    assert blocker.read_text() == "a file, not a folder"


def test_svg_and_html_are_written(capsys: Capture, tmp_path: Path) -> None:
    needs_renderer()
    svg, page = tmp_path / "pics" / "graph.svg", tmp_path / "pics" / "steps.html"
    code, out, err = run(capsys, "explain", "x*y", "x=2", "y=3", "--svg", str(svg),
                         "--html", str(page))
    assert (code, err) == (0, "")
    assert "<svg" in svg.read_text(encoding="utf-8")
    html = page.read_text(encoding="utf-8")
    assert "<html" in html.lower() and "x*y" in html
    assert f"wrote {svg}" in out and f"wrote {page}" in out


def test_json_with_svg_keeps_stdout_pure_json(capsys: Capture, tmp_path: Path) -> None:
    needs_renderer()
    svg = tmp_path / "graph.svg"
    code, out, _ = run(capsys, "explain", "x*y", "x=2", "y=3", "--json", "--svg", str(svg))
    assert code == 0
    assert json.loads(out) == {"value": 6.0, "grads": {"x": 3.0, "y": 2.0}}
    assert svg.exists()


def test_the_real_command_exits_2_with_one_line_and_runs_no_python(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "weightgrad.engine.cli", "explain",
         "__import__('os').system('touch CANARY')"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=60, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("weightgrad: error: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "CANARY").exists()
