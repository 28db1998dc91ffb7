"""The mixture-of-experts lesson teaches what it says: the balancing loss spreads the inputs
over the experts and beats the collapsed mixture, the mixture comes near an MLP of the same
size with a fraction of the parameters per input; same seed, same output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from demos import mixture_of_experts as lesson
from tests.demos.quick_run import assert_same_seed, quick_fixture

PICTURES = ["moe_routing.svg", "moe_load.svg"]


run = quick_fixture(lesson, "moe")


def test_balance_accuracy_and_size(run: tuple[dict[str, Any], str, Path]) -> None:
    result, stdout, _ = run
    loads, acc = result["loads"], result["accuracy"]
    for share in loads.values():
        assert sum(share) == pytest.approx(1.0)
    assert max(loads["MoE + balancing"]) < max(loads["MoE, no balancing"])
    assert acc["MoE + balancing"] > acc["MoE, no balancing"]
    assert acc["MoE + balancing"] >= acc["MLP"] - 0.08
    # the same number of parameters, within one hidden unit's worth (4)
    assert abs(result["parameters"] - result["mlp_parameters"]) <= 4
    assert result["active"] < result["parameters"] / 2
    assert "Conclusion: the balancing loss spread the inputs" in stdout


def test_the_task_needs_a_different_line_per_quadrant() -> None:
    xs, ts = lesson.make_data(400, 3)
    # By hand: quadrant 0 (x, y >= 0) is split by the horizontal line y = 0.5.
    for (x, y), t in zip(xs, ts):
        if x >= 0 and y >= 0:
            assert t == (1.0 if y > 0.5 else 0.0)
        if x < 0 and y < 0:  # quadrant 3: the line at 135° through (-0.5, -0.5)
            assert t == (1.0 if -(x + 0.5) - (y + 0.5) > 0 else 0.0)


def test_same_seed_same_output_and_pictures(run: tuple[dict[str, Any], str, Path],
                                            tmp_path: Path) -> None:
    _, stdout, out = run
    assert_same_seed(lesson, stdout, out, tmp_path, PICTURES)
