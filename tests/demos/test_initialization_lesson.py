"""The initialization lesson still teaches its claim in quick mode (same depth, smaller batch),
on every one of its five seeds, and its plots parse and are registered for the gallery."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from demos import initialization

PICTURES = ["initialization_activation_std.svg", "initialization_grad_norm.svg",
            "initialization_saturation.svg"]


def test_quick_initialization_shows_vanishing_and_healthy_gradients(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = initialization.main(["--quick", "--out", str(tmp_path / "a")])
    # Mismatched: sigmoid's slope (at most 1/4) is not offset by its gain of 1, nor by
    # U(-1, 1): the first layer gets less than 1% of the last layer's gradient on every seed.
    for pair in ["sigmoid+uniform", "sigmoid+xavier", "sigmoid+kaiming"]:
        assert r[f"ratio_max {pair}"] < 1e-2, pair
    assert r["per_layer sigmoid+xavier"] < 0.3  # about sigmoid'(0) = 1/4 per layer
    # Matched: the gradient reaches the first layer at the same order of magnitude.
    for pair in ["tanh+xavier", "relu+kaiming"]:
        assert r[f"ratio_min {pair}"] >= 0.1 and r[f"ratio_max {pair}"] <= 10, pair
    # U(-1, 1) ignores fan-in: relu's activations blow up with depth, tanh's saturate.
    assert r["growth_min relu+uniform"] > 10
    assert r["growth_max relu+kaiming"] < 3
    assert r["saturated_min tanh+uniform"] > 2 * r["saturated_max tanh+xavier"]
    printed = capsys.readouterr().out
    assert f"{r['ratio sigmoid+xavier']:.1e} for sigmoid+xavier" in printed
    assert f"{r['ratio relu+kaiming']:.2f} for relu+kaiming" in printed

    out = tmp_path / "a"
    registered = {e["file"] for e in json.loads((out / "pictures.json").read_text())}
    for name in PICTURES:
        root = ET.parse(out / name).getroot()
        assert root.tag.endswith("svg")
        assert name in registered
    # Three panels (sigmoid, tanh, relu) per figure, each titled.
    texts = "".join(ET.parse(out / PICTURES[1]).getroot().itertext())
    assert all(a in texts for a in ["sigmoid", "tanh", "relu"])

    # Same seed, same numbers and the same pictures, byte for byte.
    assert initialization.main(["--quick", "--out", str(tmp_path / "b")]) == r
    for name in PICTURES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
