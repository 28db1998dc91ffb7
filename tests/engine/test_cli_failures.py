"""The command line under everything the world can do to it: a renderer that fails, a file
name too long, a closed pipe (`| head -1`), a full disk behind stdout, a file name that is not
UTF-8 echoed to a strict UTF-8 stdout, an output that cannot be written after another could.
Each ends without a traceback: one `weightgrad: error:` line and status 2 (quietly, status 141,
for a closed pipe), and a refusal writes nothing. Run as the real program where the failure
is the operating system's, in-process otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from weightgrad.engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXPR = ["x*w + b", "x=2", "w=3", "b=1"]
Capture = pytest.CaptureFixture[str]


def weightgrad(*argv: str, stdout: int | None = subprocess.PIPE, env: dict | None = None,
               cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "weightgrad.engine.cli", *argv],
                          stdout=stdout, stderr=subprocess.PIPE, cwd=cwd, check=False,
                          env={**os.environ, **(env or {})})


def one_error_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace")
    assert "Traceback" not in text and "Exception ignored" not in text, text
    assert text.count("\n") == 1 and text.startswith("weightgrad: error: "), text
    return text


def test_a_renderer_that_fails_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    done = weightgrad("explain", *EXPR, "--svg", "g.svg", "--html", "p.html",
                      env={"WEIGHTGRAD_DOT": "false"}, cwd=tmp_path)
    assert done.returncode == 2
    assert "false failed with exit status 1" in one_error_line(done.stderr)
    assert list(tmp_path.iterdir()) == []


def test_a_page_refused_after_a_picture_was_rendered_writes_neither(
        capsys: Capture, tmp_path: Path) -> None:
    # The story of x*x*...*x (201 multiplications) has 402 steps: the page is refused (at
    # most 400 pictures), though the graph alone could be drawn; the picture is not written.
    expr = "*".join(["x"] * 202)
    code = main(["explain", expr, "x=1", "--svg", str(tmp_path / "g.svg"),
                 "--html", str(tmp_path / "p.html")])
    err = capsys.readouterr().err
    assert code == 2 and "pictures are drawn for at most 400" in err
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_for_the_second_file_writes_neither(
        capsys: Capture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from weightgrad.engine import files

    real_stage = files.stage

    def stage(path: object, *args: object, **kwargs: object) -> object:
        if str(path).endswith(".html"):  # the second output: as if the disk filled up
            raise files.named(OSError(28, "No space left on device"), path, "--html")
        return real_stage(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "stage", stage)
    (tmp_path / "g.svg").write_text("old picture")
    code = main(["explain", *EXPR, "--svg", str(tmp_path / "g.svg"),
                 "--html", str(tmp_path / "p.html")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"weightgrad: error: cannot write --html {tmp_path / 'p.html'}: " \
                  "No space left on device\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.svg"]  # no temporary file left
    assert (tmp_path / "g.svg").read_text() == "old picture"


def test_a_file_name_too_long_is_one_line(tmp_path: Path) -> None:
    done = weightgrad("explain", *EXPR, "--svg", "g" * 300 + ".svg", cwd=tmp_path)
    assert done.returncode == 2
    assert "File name too long" in one_error_line(done.stderr)
    done = weightgrad("play", *EXPR, "--html", "p" * 300 + ".html", cwd=tmp_path)
    assert done.returncode == 2
    assert "File name too long" in one_error_line(done.stderr)
    assert list(tmp_path.iterdir()) == []


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    # `weightgrad explain ... | head -0`: the reader is gone before anything is written.
    read, write = os.pipe()
    os.close(read)
    try:
        for argv in (["explain", *EXPR], ["explain", *EXPR, "--json"],
                     ["play", *EXPR, "--html", str(tmp_path / "p.html")]):
            done = weightgrad(*argv, stdout=write)
            assert (done.returncode, done.stderr) == (141, b""), (argv, done.stderr)
    finally:
        os.close(write)


def test_a_full_disk_behind_stdout_is_one_line() -> None:
    with open("/dev/full", "wb") as full:  # every write: ENOSPC
        done = weightgrad("explain", *EXPR, stdout=full.fileno())
    assert done.returncode == 2
    assert one_error_line(done.stderr) == \
        "weightgrad: error: cannot write to stdout: No space left on device\n"


def test_a_file_name_that_is_not_utf8_is_echoed_with_escapes(tmp_path: Path) -> None:
    name = os.fsdecode(b"\xff\xfe.svg")  # bytes no UTF-8 decoder accepts
    done = weightgrad("explain", *EXPR, "--svg", name, cwd=tmp_path,
                      env={"PYTHONIOENCODING": "utf-8:strict"})
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode("utf-8").splitlines()[-1] == "wrote \\xff\\xfe.svg"
    assert (tmp_path / name).read_text().rstrip().endswith("</svg>")


def test_an_encoding_without_the_tables_characters_still_prints(tmp_path: Path) -> None:
    # sigmoid's step reads "out·(1 - out)"; an ASCII-only terminal gets "\xb7" for the dot
    done = weightgrad("explain", "sigmoid(x)", "x=0", env={"PYTHONIOENCODING": "ascii:strict"})
    assert (done.returncode, done.stderr) == (0, b"")
    assert b"\\xb7(1 - " in done.stdout


def test_the_writability_check_tests_the_file_itself(capsys: Capture, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    code = main(["explain", *EXPR, "--svg", "/dev/null"])
    assert code == 2 and capsys.readouterr().err == (
        "weightgrad: error: cannot write --svg /dev/null: it is a character device, not a "
        "regular file (a new file is written beside it and renamed over it)\n")
    target = tmp_path / "p.html"
    target.write_text("keep me")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == target
                        else real_access(p, mode))  # a read-only file, even for root
    code = main(["play", *EXPR, "--html", str(target)])
    assert code == 2 and capsys.readouterr().err == (
        f"weightgrad: error: cannot write --html {target}: permission denied on {target}\n")
    assert target.read_text() == "keep me"
