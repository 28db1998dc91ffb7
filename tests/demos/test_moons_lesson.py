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
