"""render_svg: the renderer search, its errors, and inline display in Jupyter."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from weightgrad.engine import RendererNotFound, RenderError, Value, draw_graph, render_svg, save_svg
from weightgrad.engine import render as render_module
from tests.svg import parse


def test_render_and_save(tmp_path: Path) -> None:
    g = draw_graph(Value(2.0, "a") * 3)
    path = save_svg(g, tmp_path / "sub" / "g.svg")
    assert parse(path.read_text()).nodes
    assert parse(render_svg(g.source)).nodes.keys() == parse(render_svg(g)).nodes.keys()


def test_jupyter_displays_svg_inline() -> None:
    bundle = draw_graph(Value(2.0, "a").tanh())._repr_mimebundle_()
    assert "a" in parse(bundle["image/svg+xml"]).text()


def test_renderer_failure_carries_its_message() -> None:
    with pytest.raises(RenderError, match="exit status") as err:
        render_svg("digraph { a -> ; }")
    assert len(str(err.value)) > len("failed with exit status 1: ")


def test_weightgrad_dot_wins_and_is_checked(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "fake-dot"
    fake.write_text("#!/bin/sh\necho 'fake renderer: no layout today' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("WEIGHTGRAD_DOT", str(fake))
    with pytest.raises(RenderError, match="fake-dot failed with exit status 3: fake renderer"):
        render_svg("digraph { a }")
    monkeypatch.setenv("WEIGHTGRAD_DOT", str(tmp_path / "missing"))
    with pytest.raises(RendererNotFound, match="WEIGHTGRAD_DOT"):
        render_svg("digraph { a }")


def test_no_renderer_says_how_to_get_one(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEIGHTGRAD_DOT", raising=False)
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    g = draw_graph(Value(1.0, "a") + 1)
    with pytest.raises(RendererNotFound, match="pip install graphviz-pure"):
        render_svg(g)
    assert "digraph" in g.source  # DOT text needs no renderer
