"""The first lesson prints what it teaches: 5.1, the 0.2 gap, and the five fixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from demos import worked_examples
from tests.svg import parse


def test_lesson_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    worked_examples.main(["--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "The engine computes 5.1" in out
    assert "off by 0.2" in out
    for line in ["w1   0.7 -> 0.66", "w2   0.3 -> 0.2", "b      1 -> 0.8", "x1     5 -> 4.71429"]:
        assert line in out
    assert "raising w1 by 0.01 raises the output by about 0.05" in out
    assert "weighted sum 0.58, plus bias 0.78" in out
    assert "The engine computes 4.9" not in out and "= 4.9\n" not in out.split("Example 2")[0]
    assert "w1.grad += p1.grad * x1 = 1 * 5 = 5" in out
    for example in ("example1", "example2"):
        graph = parse((tmp_path / f"{example}_graph.svg").read_text())
        assert len(graph.nodes) == 9 + 4  # 9 Values, 4 ops
        network = parse((tmp_path / f"{example}_network.svg").read_text())
        assert len(network.nodes) == 3 and len(network.edges) == 2
        page = (tmp_path / f"{example}_steps.html").read_text()
        assert page.count("<svg") == 13  # one frame per step
    assert "data 5.1" in parse((tmp_path / "example1_graph.svg").read_text()).text()


def test_the_lessons_live_page_edits_the_first_neuron(chromium, tmp_path: Path) -> None:
    # The lesson writes a playground page per neuron; in a real browser it must show 5.1 and
    # reach 4.9 with the bias the lesson names (0.8), moving only w1, w2 and b when stepping.
    from tests.browser import offline_page

    worked_examples.main(["--out", str(tmp_path)])
    page_html = (tmp_path / "example1_play.html").read_text()
    with offline_page(chromium, page_html, tmp_path / "opened.html") as (page, log):
        wg = "window.weightgrad"
        assert page.evaluate(f"{wg}.get('out').data") == 5.1
        page.evaluate(f"{wg}.set('b', 0.8)")
        reached = page.evaluate(f"{wg}.get('out').data")
        assert f"{reached:.12g}" == "4.9"
        page.evaluate(f"{wg}.step(0.1)")
        assert page.evaluate(f"{wg}.get('x1').data") == 5.0  # an input: never stepped
        log.assert_clean()
