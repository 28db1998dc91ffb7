"""The moons lesson learns what it says, and the same seed gives the same files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from demos import moons
from tests.svg import parse


def test_quick_moons_learns_and_is_reproducible(tmp_path: Path) -> None:
    first = moons.main(["--quick", "--out", str(tmp_path / "a")])
    assert first["loss"] < 0.5 * first["first_loss"]
    assert first["accuracy"] >= 0.85
    for name in ["moons_training.svg", "moons_boundary.svg"]:
        root = ET.parse(tmp_path / "a" / name).getroot()
        assert root.tag.endswith("svg")
    network = parse((tmp_path / "a" / "moons_network.svg").read_text())
    assert len(network.edges) == 2 * 16 + 16 * 16 + 16  # one edge per weight
    second = moons.main(["--quick", "--out", str(tmp_path / "b")])
    assert second == first
    for name in ["moons_training.svg", "moons_boundary.svg", "moons_weights.json",
                 "moons_network.svg"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_the_live_page_trains_until_the_boundary_separates_the_moons(chromium,
                                                                     tmp_path: Path) -> None:
    # As a learner would: open the lesson's page, press Train, wait, pause.
    from demos import moons
    from tests.browser import offline_page

    moons.main(["--quick", "--out", str(tmp_path)])
    html = (tmp_path / "moons_live.html").read_text()
    with offline_page(chromium, html, tmp_path / "opened.html") as (page, log):
        assert page.evaluate("window.weightgrad.accuracy()") < 0.9  # untrained
        page.click("#train")
        for _ in range(600):  # polled from here: the page's CSP allows no eval for a waiter
            if page.evaluate("window.weightgrad.accuracy()") == 1:
                break
            page.wait_for_timeout(100)
        page.click("#train")
        assert "accuracy 100%" in page.inner_text("#loss")
        log.assert_clean()
