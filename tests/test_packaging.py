"""One house: the distribution installs `weightgrad.engine` and `weightgrad.nn` and nothing at
top level, the installed package works from any folder, and the core stands alone (no Graphviz,
no subprocess) until something is drawn.

These tests build a real wheel from a clean copy of the tree (only the files git tracks, so a
stale ignored build/ in a working copy cannot leak in) and run Python in subprocesses, so that
what they import is what a user gets, not what this test session already imported."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# A training step, gradcheck and anomaly mode: what must work without any picture library.
TRAIN = textwrap.dedent("""
    import sys
    from weightgrad.engine import Value, detect_anomaly, gradcheck
    from weightgrad.nn import MLP, SGD, hinge_loss

    model = MLP(2, [4, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    xs, ys = [[0.5, -1.0], [-0.3, 0.8]], [1.0, -1.0]
    before = hinge_loss([model(x) for x in xs], ys)
    optimizer.zero_grad()
    before.backward()
    optimizer.step()
    after = hinge_loss([model(x) for x in xs], ys)
    assert after.data < before.data, (before.data, after.data)
    assert gradcheck(lambda a, b: (a * b).tanh(), [0.3, -0.7])
    x = Value(4.0, "x")
    with detect_anomaly():
        (x.log() * x).backward()
    assert x.grad != 0.0
    print("trained", before.data, after.data)
""")


def python(code: str, cwd: Path, env_extra: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=300)


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True, timeout=60).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: cannot tell tracked files from stale ones")
    return [f for f in out.decode().split("\0") if f]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """weightgrad's wheel, built from a copy holding only the tracked files."""
    copy = tmp_path_factory.mktemp("clean") / "weightgrad"
    for name in tracked_files():
        if (ROOT / name).is_file():  # a file deleted but not yet committed is skipped
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "--quiet", "-w", str(out), str(copy)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("weightgrad-*.whl")
    return path


def test_the_wheel_installs_only_under_weightgrad(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    outside = [n for n in names if not n.startswith(("weightgrad/", "weightgrad-"))]
    assert outside == [], f"files outside weightgrad/: {outside}"
    assert {"weightgrad/engine/value.py", "weightgrad/nn/layers.py"} <= set(names)
    assert not any(n.startswith("weightgrad/") and "/tests/" in n for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "weightgrad = weightgrad.engine.cli:main" in zipfile.ZipFile(wheel).read(
        entry).decode()


def test_the_installed_package_trains_from_a_folder_outside_the_checkout(
        wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps",
                                "--quiet", "--target", str(site), str(wheel)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    # A user's own nn.py and engine.py beside their script must not matter any more.
    for shadow in ("nn.py", "engine.py"):
        (work / shadow).write_text("raise ImportError('the user\\'s own module was imported')\n")
    code = ("import weightgrad.engine, weightgrad.nn\n"
            f"assert weightgrad.engine.__file__.startswith({str(site)!r}), "
            "weightgrad.engine.__file__\n"
            f"assert weightgrad.nn.__file__.startswith({str(site)!r})\n" + TRAIN)
    run = python(code, work, {"PYTHONPATH": str(site)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("trained")


def test_importing_the_packages_loads_neither_graphviz_nor_subprocess(tmp_path: Path) -> None:
    code = ("import sys, weightgrad.engine, weightgrad.nn\n"
            "print(sorted(m for m in ('graphviz', 'subprocess', 'engine', 'nn')"
            " if m in sys.modules))\n"
            "from weightgrad.engine import draw_graph\n"  # a picture asked for: now it loads
            "print('graphviz' in sys.modules)")
    run = python(code, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["[]", "True"]


def test_training_gradcheck_and_anomaly_mode_run_where_graphviz_cannot_be_imported(
        tmp_path: Path) -> None:
    block = textwrap.dedent("""
        import sys
        class NoGraphviz:
            def find_spec(self, name, path=None, target=None):
                if name == "graphviz" or name.startswith("graphviz."):
                    raise ModuleNotFoundError("No module named 'graphviz' (blocked)")
        sys.meta_path.insert(0, NoGraphviz())
    """)
    run = python(block + TRAIN, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("trained")
    # and the block is real: drawing does fail there, naming the module
    drawn = python(block + "from weightgrad.engine import draw_graph", tmp_path)
    assert "No module named 'graphviz'" in drawn.stderr


def test_nothing_in_the_tree_imports_top_level_engine_or_nn() -> None:
    import ast

    offenders = []
    for name in tracked_files():
        if not name.endswith(".py"):
            continue
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom)
                       and node.level == 0 else [])
            offenders += [f"{name}: {m}" for m in modules
                          if m.split(".")[0] in ("engine", "nn")]
    assert offenders == []
