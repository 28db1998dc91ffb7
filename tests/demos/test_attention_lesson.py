"""The attention lesson teaches what it says: trained attention finds the marked token and
solves a task that uniform (fixed) attention cannot; its pictures parse, are registered, and
the same seed gives the same numbers and the same bytes."""

from __future__ import annotations

import json
import math
import random
import xml.etree.ElementTree as ET
from pathlib import Path

from demos import attention

PICTURES = ["attention_heatmaps.svg", "attention_training.svg"]


def test_quick_attention_lesson_learns_to_attend(tmp_path: Path) -> None:
    first = attention.main(["--quick", "--out", str(tmp_path / "a")])
    uniform = 1 / attention.T
    # Before training the readout query spreads its weight near uniformly...
    assert abs(first["attention_before"] - uniform) < 0.1
    # ...after, it puts most of it on the marked token, and the most on it almost always.
    assert first["attention_after"] >= 0.8
    assert first["top_after"] >= 0.95
    # The frozen model's weights are exactly uniform, so it can only average the tokens:
    # its MSE stays near the 4/15 that averaging allows, far above the trained model's.
    assert math.isclose(first["attention_uniform"], uniform, rel_tol=1e-12)
    assert first["mse_uniform"] > 0.5 * first["mse_mean"]
    assert first["mse_after"] < first["mse_uniform"] / 20
    assert first["mse_after"] < first["mse_mean"] / 20
    assert first["mse_after"] < 0.01 < first["mse_before"]

    registered = {e["file"]: e for e in json.loads((tmp_path / "a" / "pictures.json").read_text())}
    for name in PICTURES:
        root = ET.parse(tmp_path / "a" / name).getroot()
        assert root.tag.endswith("svg")
        assert registered[name]["lesson"] == attention.LESSON
        assert registered[name]["caption"]

    second = attention.main(["--quick", "--out", str(tmp_path / "b")])
    assert second == first
    for name in PICTURES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_data_has_one_marked_token_and_its_value_is_the_target() -> None:
    xs, ys, marks = attention.make_data(50, random.Random(0))
    for x, y, m in zip(xs, ys, marks):
        assert len(x) == attention.T
        assert [t[1] for t in x] == [1.0 if j == m else 0.0 for j in range(attention.T)]
        assert y == x[m][0]
