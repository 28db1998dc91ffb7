"""The continual lesson teaches what it says: training on task B alone makes task A collapse,
EWC's penalty keeps most of A while B is learnt; the Fisher diagonal is the mean squared
per-point gradient (checked against finite differences); same seed, same output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from demos import continual as lesson
from tests.demos.quick_run import assert_same_seed, quick_fixture
from weightgrad.nn import MLP, binary_cross_entropy_with_logits

PICTURES = ["continual_accuracy.svg", "continual_importance.svg"]


run = quick_fixture(lesson, "continual")


def test_forgetting_and_ewc(run: tuple[dict[str, Any], str, Path]) -> None:
    result, stdout, _ = run
    (_, a_plain, b_plain), *ewc = result["rows"]
    assert result["before"] >= 0.95
    assert result["before"] - a_plain >= 0.30  # catastrophic forgetting
    assert max(a for _, a, _ in ewc) - a_plain >= (result["before"] - a_plain) / 2
    assert min(b for _, _, b in result["rows"]) >= 0.9
    assert len(ewc) == 2  # two λ
    assert f"no EWC: task A {a_plain:.1%}, task B {b_plain:.1%}" in stdout
    assert "Conclusion: training on B alone cost task A" in stdout


def test_fisher_is_the_mean_squared_gradient_by_finite_differences() -> None:
    model = MLP(2, [3, 2], seed=0)
    data = ([[0.3, -0.5], [1.1, 0.4]], [1.0, 0.0])
    fisher = lesson.fisher_diagonal(model, data, 0)
    for name, p in list(model.named_parameters())[::4]:
        squares = []
        for x, y in zip(*data):
            x0, h = p.data, 1e-6
            p.data = x0 + h
            up = binary_cross_entropy_with_logits([model(x)[0]], [y]).data
            p.data = x0 - h
            down = binary_cross_entropy_with_logits([model(x)[0]], [y]).data
            p.data = x0
            squares.append(((up - down) / (2 * h)) ** 2)
        assert fisher[name] == pytest.approx(sum(squares) / 2, rel=1e-5, abs=1e-12)
    # The output that A does not read has no say in A's Fisher.
    assert all(v == 0.0 for k, v in fisher.items() if k.startswith("layers.1.neurons.1."))


def test_penalty_by_hand() -> None:
    model = MLP(1, [1], seed=0)
    (wname, w), (bname, b) = model.named_parameters()
    anchor = {wname: w.data - 0.5, bname: b.data + 2.0}
    penalty = lesson.ewc_penalty(model, {wname: 3.0, bname: 0.25}, anchor, 10.0)()
    assert penalty.data == pytest.approx(10.0 / 2 * (3.0 * 0.5 ** 2 + 0.25 * 2.0 ** 2))


def test_same_seed_same_output_and_pictures(run: tuple[dict[str, Any], str, Path],
                                            tmp_path: Path) -> None:
    _, stdout, out = run
    assert_same_seed(lesson, stdout, out, tmp_path, PICTURES)
