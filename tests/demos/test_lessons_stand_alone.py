"""Each lesson stands alone: it imports weightgrad, demos.common and the standard library only.

A lesson that imports another lesson cannot be read, run or changed on its own; shared helpers
live in demos/common.py, and third-party helpers (tqdm, matplotlib) are reached through it.
The imports are read from the source with `ast` (every `import`, at any depth), so a lesson
that is never run by the tests is checked all the same.
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
from pathlib import Path

import pytest

import weightgrad.engine
import weightgrad.engine.names
import weightgrad.nn
from demos import common

DEMOS = Path(__file__).resolve().parents[2] / "demos"
LESSONS = sorted(p for p in DEMOS.glob("*.py") if p.name not in ("__init__.py", "common.py"))
# What demos/common.py itself may lean on besides weightgrad and the standard library.
COMMON_THIRD_PARTY = {"tqdm", "matplotlib"}


def imported_modules(source: str, package: str = "demos") -> set[str]:
    """Every module the source imports, dotted and absolute (`from demos import moons` ->
    demos.moons; `from .moons import x` inside `package` -> demos.moons)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the demos package
                base = ".".join([package, *filter(None, [base])])
            # `from package import name` may import a submodule: count it as one
            found.update(f"{base}.{alias.name}" if base in ("demos", "weightgrad") else base
                         for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                node.func, "attr", None)) in ("import_module", "__import__"):
            found.add("<dynamic import>")  # hides a dependency from this very check
    return found


def is_standard_library(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


def not_allowed_in_lesson(module: str) -> bool:
    top = module.split(".")[0]
    return not (top == "weightgrad" or module == "demos.common" or is_standard_library(module))


def test_there_are_lessons_to_check() -> None:
    names = {p.stem for p in LESSONS}
    assert {"moons", "pruning", "quantization", "transfer", "regularization",
            "optimizers", "worked_examples"} <= names


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_lesson_imports_only_weightgrad_common_and_the_standard_library(lesson: Path) -> None:
    bad = sorted(m for m in imported_modules(lesson.read_text()) if not_allowed_in_lesson(m))
    assert not bad, f"{lesson.name} imports {bad}; move shared helpers to demos/common.py"


def test_common_imports_no_lesson() -> None:
    modules = imported_modules((DEMOS / "common.py").read_text())
    bad = sorted(m for m in modules if not (m.split(".")[0] in {"weightgrad", *COMMON_THIRD_PARTY}
                                            or is_standard_library(m)))
    assert not bad, f"common.py imports {bad}"


@pytest.mark.parametrize("source, culprit", [
    ("from demos.moons import train", "demos.moons"),
    ("from demos import moons", "demos.moons"),
    ("import demos.optimizers as o", "demos.optimizers"),
    ("from .moons import accuracy", "demos.moons"),
    ("def f():\n    from tqdm import tqdm\n", "tqdm"),
    ("import importlib\nimportlib.import_module('demos.moons')", "<dynamic import>"),
])
def test_the_check_catches_what_it_forbids(source: str, culprit: str) -> None:
    # the negative control: without it a checker that finds nothing would pass every lesson
    assert culprit in {m for m in imported_modules(source) if not_allowed_in_lesson(m)}


@pytest.mark.parametrize("source", [
    "from demos.common import progress", "from demos import common", "import json",
    "from weightgrad.nn.optim import SGD", "from __future__ import annotations"])
def test_the_check_allows_what_lessons_may_use(source: str) -> None:
    assert not [m for m in imported_modules(source) if not_allowed_in_lesson(m)]


def top_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


@pytest.mark.parametrize("module", [*LESSONS, DEMOS / "common.py"], ids=lambda p: p.stem)
def test_no_lesson_name_collides_with_weightgrads(module: Path) -> None:
    # A lesson's own `Neuron` or `save_svg` next to weightgrad's reads as the same thing.
    api = {*weightgrad.engine.__all__, *weightgrad.nn.__all__,
           *(n for n in vars(weightgrad.engine.names) if not n.startswith("_"))}
    assert not top_level_names(module) & api


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stdout_tty, stderr_tty, shown", [
    (True, True, True), (False, True, False), (True, False, False), (False, False, False)])
def test_progress_bars_show_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                               stdout_tty: bool, stderr_tty: bool,
                                               shown: bool) -> None:
    monkeypatch.setattr(sys, "stdout", Terminal() if stdout_tty else io.StringIO())
    monkeypatch.setattr(sys, "stderr", Terminal() if stderr_tty else io.StringIO())
    bar = common.progress(range(3), desc="steps")
    assert bar.disable is not shown  # read before the loop: a finished tqdm disables itself
    assert list(bar) == [0, 1, 2]  # the items pass through, bar or not
    assert ("steps" in sys.stderr.getvalue()) is shown


def test_a_lesson_piped_to_a_file_prints_its_conclusion_and_no_progress_bar(tmp_path: Path
                                                                            ) -> None:
    run = subprocess.run([sys.executable, "-m", "demos.moons", "--quick", "--out",
                          str(tmp_path)], capture_output=True, text=True, timeout=120,
                         cwd=DEMOS.parent, check=True)
    assert run.stdout.startswith("moons: 20 SGD steps")
    assert run.stderr == ""
