"""render_svg: the renderer search, its errors, and inline display in Jupyter."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.svg import parse
from weightgrad.engine import RendererNotFound, RenderError, Value, draw_graph, render_svg, save_svg
from weightgrad.engine import render as render_module


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


# -- high fan-out and time limits ----------------------------------------------------------

def fan_out(uses: int, leaf: bool) -> tuple[Value, Value]:
    """x + x + ... + x (a leaf used `uses` times), or the same over h = x * 2."""
    x = Value(1.5, "x")
    shared = x if leaf else x * 2.0
    out = shared
    for _ in range(uses - 1):
        out = out + shared
    return out, shared


@pytest.mark.parametrize(("uses", "leaf"), [(300, True), (100, False)],
                         ids=["leaf used 300 times", "intermediate used 100 times"])
def test_a_node_used_many_times_is_drawn_once_and_referred_to_elsewhere(uses: int,
                                                                        leaf: bool) -> None:
    from weightgrad.engine.draw import MAX_EDGES_FROM_NODE

    out, _ = fan_out(uses, leaf)
    picture = parse(render_svg(draw_graph(out)))  # completes: the layout stays linear
    sources = [e.title.split("->")[0] for e in picture.edges]
    # no node, the shared one included, sends more than a few edges
    assert max(sources.count(s) for s in set(sources)) <= MAX_EDGES_FROM_NODE
    # every use is still there: one full record and a dashed copy named "x" per other use
    copies = [n for title, n in picture.nodes.items() if "ref" in title]
    name = "x" if leaf else "n1"
    assert len(copies) == uses - 1 and all(c.texts == [name] for c in copies)
    assert sum(1 for n in picture.nodes.values() if n.texts[:1] == [name]) == uses
    assert sum(name in n.tooltip for n in copies) == uses - 1  # "x, used 300 times: ..."


def test_a_node_used_a_few_times_keeps_its_own_edges() -> None:
    out, _ = fan_out(3, leaf=True)
    picture = parse(render_svg(draw_graph(out)))
    assert not [title for title in picture.nodes if "ref" in title]


def slow_renderer(tmp_path: Path, seconds: float) -> str:
    """A fake `dot` that takes `seconds` and then prints a minimal SVG."""
    fake = tmp_path / "slow-dot"
    fake.write_text(f"#!/bin/sh\ncat >/dev/null\nsleep {seconds}\n"
                    "echo '<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>'\n")
    fake.chmod(0o755)
    return str(fake)


def test_a_render_past_its_time_limit_is_refused_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from weightgrad.engine import RenderTimeout

    monkeypatch.setenv("WEIGHTGRAD_DOT", slow_renderer(tmp_path, 5))
    with pytest.raises(RenderTimeout) as err:
        render_svg("digraph { a }", timeout=0.3)
    assert "\n" not in str(err.value) and "limit of 0.3 s" in str(err.value)
    monkeypatch.setattr(render_module, "TIMEOUT_SECONDS", 0.3)  # the default limit too
    with pytest.raises(RenderTimeout):
        render_svg("digraph { a }")


def test_the_stepper_page_has_one_time_limit_for_all_its_frames(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from weightgrad.engine import RenderTimeout, explain

    # each frame takes 0.2 s, well within a 1 s limit; the story's 8 frames together do not
    monkeypatch.setenv("WEIGHTGRAD_DOT", slow_renderer(tmp_path, 0.2))
    story = explain(Value(2.0, "a") * Value(3.0, "b") + 1)
    assert len(story.steps) >= 6
    with pytest.raises(RenderTimeout):
        story.frames(timeout=1.0)
    assert len(story.frames(timeout=60)) == len(story.steps)


def test_the_cli_refuses_a_render_past_its_limit_with_exit_status_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from weightgrad.engine.cli import main

    monkeypatch.setenv("WEIGHTGRAD_DOT", slow_renderer(tmp_path, 5))
    monkeypatch.setattr(render_module, "TIMEOUT_SECONDS", 0.3)
    status = main(["explain", "x * y", "x=2", "y=3", "--svg", str(tmp_path / "g.svg")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "limit of 0.3 s" in err
    assert not (tmp_path / "g.svg").exists()
