"""The transfer lesson teaches what it says: a frozen first layer stays bit-identical to the saved
file, and fine-tuning reaches the target in fewer steps than training from scratch."""

from __future__ import annotations

import contextlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from demos import transfer
from tests.svg import parse

PICTURES = ["transfer_tasks.svg", "transfer_accuracy.svg", "transfer_network.svg",
            "transfer_network_grads.svg", "transfer_pretrained.json", "transfer_finetuned.json"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, str]:
    out = tmp_path_factory.mktemp("transfer")
    capture = tmp_path_factory.mktemp("stdout") / "stdout.txt"
    with capture.open("w") as f, contextlib.redirect_stdout(f):
        result = transfer.main(["--quick", "--out", str(out)])
    return result, out, capture.read_text()


def first_reaching(curve: list[float], target: float) -> int | None:
    return next((k for k, a in enumerate(curve) if a >= target), None)


def weights(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())["state_dict"]


def test_finetuning_reaches_the_target_in_fewer_steps(run: tuple[dict[str, Any], Path, str]
                                                      ) -> None:
    result, _, stdout = run
    target = result["target"]
    ft, scratch = result["finetune_steps"], result["scratch_steps"]
    assert ft is not None, "fine-tuning did not reach the target"
    assert scratch is not None, "training from scratch did not reach the target"
    assert ft < scratch
    # The step counts are where the printed curves first cross the target...
    assert first_reaching(result["finetune_curve"], target) == ft
    assert first_reaching(result["scratch_curve"], target) == scratch
    # ...and the pre-trained model had to learn something: it starts below the target on task B.
    assert result["finetune_curve"][0] < target
    assert f"Fine-tuning reached {target:.0%} in {ft} steps" in stdout
    assert f"reached {target:.0%} in {scratch} steps" in stdout


def test_frozen_first_layer_is_bit_identical_to_the_saved_file(
        run: tuple[dict[str, Any], Path, str]) -> None:
    result, out, _ = run
    before = weights(out / "transfer_pretrained.json")
    after = weights(out / "transfer_finetuned.json")
    assert before.keys() == after.keys()
    first = [k for k in before if k.startswith("layers.0.")]
    hidden = transfer.SIZES[0]
    assert len(first) == 2 * hidden  # a w list and a b per neuron
    for k in first:
        assert after[k] == before[k], k  # == on floats: not one bit may change
    # The layers above were trained: the equality above is not for want of training.
    assert any(after[k] != before[k] for k in before if k not in first)
    n_first = 2 * hidden + hidden  # 2 inputs per neuron, plus its bias
    assert result["frozen_params"] == n_first
    assert result["frozen_identical"] == n_first
    # Frozen is not gradient-free: backprop reached the layer, the optimizer skipped it.
    assert result["frozen_with_grad"] > 0
    assert result["moved_params"] > 0


def test_pictures_parse_and_are_registered(run: tuple[dict[str, Any], Path, str]) -> None:
    _, out, _ = run
    for name in ["transfer_tasks.svg", "transfer_accuracy.svg"]:
        assert ET.parse(out / name).getroot().tag.endswith("svg")
    h1, h2, n_out = transfer.SIZES
    for name in ["transfer_network.svg", "transfer_network_grads.svg"]:
        network = parse((out / name).read_text())
        assert len(network.edges) == 2 * h1 + h1 * h2 + h2 * n_out  # one edge per weight
    registered = {e["file"] for e in json.loads((out / "pictures.json").read_text())}
    assert registered == set(PICTURES)


def test_a_run_that_misses_the_target_says_so(run: tuple[dict[str, Any], Path, str],
                                              tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    result = transfer.main(["--quick", "--max-steps", "3", "--out", str(tmp_path)])
    assert result["scratch_steps"] is None
    assert "did not reach 95% within 3 steps" in capsys.readouterr().out
    assert len(result["scratch_curve"]) == 4  # accuracy after 0, 1, 2 and 3 steps, then stop
    # Same seed, same pre-training: the saved weights are the same bytes as the first run's.
    _, out, _ = run
    assert (tmp_path / "transfer_pretrained.json").read_bytes() == \
        (out / "transfer_pretrained.json").read_bytes()


def test_negative_step_budget_is_refused() -> None:
    with pytest.raises(SystemExit) as exc:
        transfer.main(["--max-steps", "-1"])
    assert exc.value.code == 2
