"""The optimizers lesson: its printed ranking holds, and its paths are true paths on its surface.

Losses are recomputed here with an independent BCE formula and gradients by central finite
differences, so a wrong surface, a path off the surface or a wrong update rule shows.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

from demos import optimizers
from tests.demos.quick_run import quick_fixture
from weightgrad.engine import no_grad
from weightgrad.nn import MLP, make_moons


def bce(model: MLP) -> float:
    """Mean log(1 + e^-z) for target 1 and log(1 + e^z) for target 0, written out here."""
    xs, ys = make_moons(64, noise=0.1, seed=0)
    with no_grad():
        zs = [model(x).data for x in xs]
    return sum(math.log1p(math.exp(-z if y > 0 else z)) for z, y in zip(zs, ys)) / len(zs)


def loss_at(pair: tuple[str, str], a: float, b: float, seed: int = 0) -> float:
    """The loss with the two chosen weights at (a, b) and every other at its starting value."""
    model = MLP(2, [8, 8, 1], seed=seed)
    named = dict(model.named_parameters())
    named[pair[0]].data, named[pair[1]].data = a, b
    return bce(model)


lesson = quick_fixture(optimizers, "optimizers", name="lesson")


def test_every_optimizer_lowers_the_same_starting_loss(lesson) -> None:
    result, _, _ = lesson
    start = bce(MLP(2, [8, 8, 1], seed=0))
    assert set(result["curves"]) == {"SGD", "Momentum", "Adam", "AdamW", "Lion"}
    for name, curve in result["curves"].items():
        assert len(curve) == result["steps"] + 1
        assert curve[0] == pytest.approx(start, rel=1e-12), name  # the same initial weights
        assert curve[-1] < curve[0], name
    # The lesson's claim: momentum at plain SGD's learning rate gets further.
    assert result["final_loss"]["Momentum"] < result["final_loss"]["SGD"]


def test_printed_threshold_and_ranking_hold(lesson) -> None:
    result, printed, _ = lesson
    threshold = result["threshold"]
    reached = {}
    for name, curve in result["curves"].items():
        below = [k for k, loss in enumerate(curve) if loss < threshold]
        reached[name] = below[0] if below else None
    assert result["steps_to_threshold"] == reached
    best = min(k for k in reached.values() if k is not None)
    winners = [n for n, k in reached.items() if k == best]
    assert result["first"] == winners
    assert f"First below {threshold}: {' and '.join(winners)} at step {best};" in printed
    finals = {n: c[-1] for n, c in result["curves"].items()}
    assert result["lowest"] == min(finals, key=finals.get)
    assert f"lowest: {result['lowest']}." in printed
    for name, loss in finals.items():
        assert f"{name} {loss:.4f}" in printed


def test_paths_start_together_and_stay_on_the_grid(lesson) -> None:
    result, _, _ = lesson
    pair, grid = result["pair"], result["grid"]
    named = dict(MLP(2, [8, 8, 1], seed=0).named_parameters())
    start = (named[pair[0]].data, named[pair[1]].data)
    assert all(n.startswith("layers.1.") and ".w." in n for n in pair)
    for name, path in result["paths"].items():
        assert path[0] == start, name
        for a, b in path:
            assert min(grid["a"]) <= a <= max(grid["a"]), name
            assert min(grid["b"]) <= b <= max(grid["b"]), name


def test_contour_is_the_loss_of_those_two_weights(lesson) -> None:
    result, _, _ = lesson
    pair, grid = result["pair"], result["grid"]
    n_b, n_a = len(grid["b"]), len(grid["a"])
    for j, i in [(0, 0), (0, n_a - 1), (n_b - 1, 0), (n_b // 2, n_a // 3)]:
        expected = loss_at(pair, grid["a"][i], grid["b"][j])
        assert grid["loss"][j][i] == pytest.approx(expected, rel=1e-9)


def test_paths_are_on_the_surface(lesson) -> None:
    # Every other weight really stayed at its start (frozen): the loss seen along each path
    # is the surface's loss at the path's point.
    result, _, _ = lesson
    for name, path in result["paths"].items():
        losses = result["path_losses"][name]
        assert len(losses) == len(path)
        for k in [*range(0, len(path), 6), len(path) - 1]:
            assert losses[k] == pytest.approx(loss_at(result["pair"], *path[k]), rel=1e-9)


def test_first_steps_follow_each_update_rule(lesson) -> None:
    result, _, _ = lesson
    pair, paths, lr = result["pair"], result["paths"], result["lr"]
    a, b = paths["SGD"][0]
    h = 1e-6
    grad = ((loss_at(pair, a + h, b) - loss_at(pair, a - h, b)) / (2 * h),
            (loss_at(pair, a, b + h) - loss_at(pair, a, b - h)) / (2 * h))
    for k in (0, 1):
        assert abs(grad[k]) > 1e-3  # the pair was chosen for its large gradient
        # SGD and momentum (whose buffer starts as the first gradient): w -= lr * g.
        for name in ("SGD", "Momentum"):
            step = paths[name][1][k] - paths[name][0][k]
            assert step == pytest.approx(-lr[name] * grad[k], rel=1e-5)
        # Adam's bias-corrected first step is lr * g / (|g| + eps): lr against the gradient.
        step = paths["Adam"][1][k] - paths["Adam"][0][k]
        assert step == pytest.approx(-math.copysign(lr["Adam"], grad[k]), rel=1e-6)
    # Lion (Chen et al. 2023): lr * sign(...), so every weight moves by exactly lr each step.
    for p, q in pairwise(paths["Lion"]):
        for k in (0, 1):
            assert abs(q[k] - p[k]) == pytest.approx(lr["Lion"], abs=1e-12)


def test_pictures_parse_and_are_registered(lesson) -> None:
    _, _, out = lesson
    names = ["optimizers_loss.svg", "optimizers_paths.svg"]
    for name in names:
        assert ET.parse(out / name).getroot().tag.endswith("svg")
    entries = json.loads((out / "pictures.json").read_text())
    assert {e["file"] for e in entries} >= set(names)
    assert all(e["lesson"] == "Optimizers" and e["caption"] for e in entries)
