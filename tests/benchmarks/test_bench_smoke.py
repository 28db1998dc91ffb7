"""Smoke run of the benchmarks (`--quick`): the harness works and its contenders agree.

No timing is asserted here: speed is what `make bench` reports, not what tests decide. What is
asserted is that the contenders compute the same step (the harness refuses to time them
otherwise) and that every measurement came out as a positive number.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("micrograd", reason="micrograd comes with the dev extra")

from benchmarks import bench, digits, moons, plain, plain_digits
from benchmarks.harness import Contender, round_robin


def test_quick_run_agrees_and_measures_everything(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    result = bench.main(["--quick", "--json", str(out)])

    agreement = result["agreement"]
    assert agreement["max_loss_diff"] <= moons.TOLERANCE
    assert agreement["max_weight_diff_weightgrad_plain"] <= moons.TOLERANCE
    assert agreement["max_weight_diff_micrograd_plain"] <= moons.TOLERANCE

    assert set(result["measurements"]) == set(bench.MEASUREMENT_KEYS)
    why = result["details"]["playground"].get("why")
    for key in bench.MEASUREMENT_KEYS:
        figures = result["measurements"][key]
        browser = key in ("playground_edit_ms", "network_page_steps_per_s")
        if browser and why and os.environ.get("CI") != "true":
            print(f"{key} not measured: {why}")  # a browser is needed; CI has one
            continue
        assert figures, key
        for contender, x in figures.items():
            assert isinstance(x, float) and math.isfinite(x) and x > 0, (key, contender, x)
    assert set(result["measurements"]["moons_step_ms"]) == {"weightgrad", "micrograd", "plain"}
    assert set(result["measurements"]["digits_epoch_s"]) == {"weightgrad", "plain"}
    assert set(result["measurements"]["digits_step_ms"]) == {"weightgrad", "micrograd"}
    digits_runs = result["details"]["digits"]
    assert digits_runs["epoch"]["agreement"]["max_weight_diff_weightgrad_plain"] <= 1e-9
    assert digits_runs["step"]["agreement"]["max_weight_diff_weightgrad_micrograd"] <= 1e-9
    assert result["details"]["micrograd_chain"].startswith("RecursionError")
    assert result["meta"]["gc_enabled"] is True

    printed = capsys.readouterr().out
    assert "measure" in printed and "moons step, ms" in printed and "target" in printed
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(json.dumps(result))


def test_agreement_check_refuses_a_contender_that_computes_something_else(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real_step = plain.train_step

    def wrong_step(W, B, xs, ys, lr, alpha):  # twice the L2 strength: a different loss
        return real_step(W, B, xs, ys, lr, 2 * alpha)

    monkeypatch.setattr(plain, "train_step", wrong_step)
    with pytest.raises(moons.AgreementError, match="disagree"):
        moons.build_and_check()


def test_round_robin_alternates_and_stops_each_contender_at_its_repeats() -> None:
    calls: list[str] = []

    def sample(name: str) -> Callable[[], dict[str, float]]:
        def run() -> dict[str, float]:
            calls.append(name)
            return {"step": 1.0}
        return run

    times = round_robin([Contender("a", sample("a"), 3), Contender("b", sample("b"), 1),
                         Contender("c", sample("c"), 2)])
    assert calls == ["a", "b", "c", "a", "c", "a"]
    assert {name: len(t["step"]) for name, t in times.items()} == {"a": 3, "b": 1, "c": 2}


def test_digits_agreement_refuses_a_plain_epoch_that_computes_something_else(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real_batch = plain_digits.train_batch

    def wrong_batch(W, B, state, xs, ys, lr):  # twice the learning rate: other weights
        return real_batch(W, B, state, xs, ys, 2 * lr)

    monkeypatch.setattr(plain_digits, "train_batch", wrong_batch)
    with pytest.raises(moons.AgreementError, match="digits epoch: contenders disagree"):
        digits.measure_epoch(2, 1)
