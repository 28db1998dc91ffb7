"""The regularization lesson: L1 parks the most weights at zero, L2 and decoupled decay shrink
the weight norm, all four runs start from the same weights, and the printed numbers are true.

Fractions and norms are recomputed here from the returned weights, not read from the lesson.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import pytest

from demos import regularization
from tests.demos.quick_run import quick_fixture
from weightgrad.engine import no_grad
from weightgrad.nn import MLP, make_moons

METHODS = ["none", "l2", "l1", "decoupled"]


def start_weights(seed: int = 0) -> list[float]:
    model = MLP(2, [16, 16, 1], seed=seed)
    return [w.data for layer in model.layers for row in layer.weight for w in row]


def near_zero(ws: list[float]) -> float:
    return sum(1 for w in ws if -0.01 < w < 0.01) / len(ws)


lesson = quick_fixture(regularization, "regularization", name="lesson")


def test_all_methods_start_from_the_same_weights(lesson) -> None:
    result, _, _ = lesson
    start_norm = math.hypot(*start_weights())
    assert list(result["norms"]) == METHODS
    for method in METHODS:
        series = result["norms"][method]
        assert len(series) == result["steps"] + 1
        assert series[0] == pytest.approx(start_norm, rel=1e-12)
        assert series[-1] == pytest.approx(math.hypot(*result["weights"][method]), rel=1e-12)
        assert len(result["weights"][method]) == 2 * 16 + 16 * 16 + 16


def test_l1_leaves_the_most_weights_at_zero(lesson) -> None:
    result, _, _ = lesson
    share = {m: near_zero(result["weights"][m]) for m in METHODS}
    assert share == pytest.approx(result["near_zero"], abs=1e-12)
    assert share["l1"] > share["none"]
    assert share["l1"] > share["l2"]
    assert result["l1_sparsest"] is True


def test_l2_and_decoupled_decay_shrink_the_norm(lesson) -> None:
    result, _, _ = lesson
    norms = {m: math.hypot(*result["weights"][m]) for m in METHODS}
    assert norms["l2"] < norms["none"]
    assert norms["decoupled"] < norms["none"]
    assert result["decay_shrinks"] is True


def test_every_method_still_learns(lesson) -> None:
    # Mean BCE of the starting network, written out here: log(1 + e^-z) for target 1, and
    # log(1 + e^z) for target 0.
    result, _, _ = lesson
    xs, ys = make_moons(64, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    with no_grad():
        zs = [model(x).data for x in xs]
    start = sum(math.log1p(math.exp(-z if y > 0 else z)) for z, y in zip(zs, ys)) / len(zs)
    for method in METHODS:
        assert result["data_loss"][method] < start, method


def test_printed_numbers_are_the_lessons(lesson) -> None:
    result, printed, _ = lesson
    for method in METHODS:
        assert f"{method} {near_zero(result['weights'][method]):.0%}" in printed
        assert f"{method} {math.hypot(*result['weights'][method]):.2f}" in printed
    assert "L1 leaves the most weights at zero" in printed
    assert "L2 and decoupled decay shrink the weight norm" in printed


def test_pictures_parse_and_are_registered(lesson) -> None:
    _, _, out = lesson
    names = ["regularization_histograms.svg", "regularization_norms.svg"]
    for name in names:
        assert ET.parse(out / name).getroot().tag.endswith("svg")
    entries = json.loads((out / "pictures.json").read_text())
    assert {e["file"] for e in entries} >= set(names)
    assert all(e["lesson"] == "Regularization" and e["caption"] for e in entries)
