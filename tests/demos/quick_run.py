"""What the lesson tests share: a lesson's `--quick` run in-process with its printed text
captured, and the check that the same seed gives the same text and the same picture bytes,
every picture valid SVG and registered in the gallery."""

from __future__ import annotations

import contextlib
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def run_quick(lesson: ModuleType, out: Path) -> tuple[dict[str, Any], str]:
    """(what `main` returned, what it printed) for `lesson --quick --out out`."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = lesson.main(["--quick", "--out", str(out)])
    return result, buffer.getvalue()


def quick_fixture(lesson: ModuleType, folder: str, name: str = "run") -> Any:
    """A module-scoped fixture called `name`: (result, printed text, output folder) of one
    `lesson --quick` run into a fresh folder, shared by the module's tests."""
    @pytest.fixture(scope="module", name=name)
    def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, Path]:
        out = tmp_path_factory.mktemp(folder)
        result, stdout = run_quick(lesson, out)
        return result, stdout, out
    return run


def assert_same_seed(lesson: ModuleType, stdout: str, out: Path, again: Path,
                     pictures: list[str]) -> None:
    """Run `lesson` again into `again`: the same text and bytes as the run into `out`."""
    _, printed = run_quick(lesson, again)
    assert printed == stdout
    for name in pictures:
        assert ET.parse(out / name).getroot().tag.endswith("svg")
        assert (again / name).read_bytes() == (out / name).read_bytes()
    registered = {e["file"] for e in json.loads((out / "pictures.json").read_text())}
    assert registered == set(pictures)
