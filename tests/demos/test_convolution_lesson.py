"""The convolution lesson teaches what it says: --quick trains a CNN that reads digits, counts
its parameters beside the MLP's, measures both on shifted test digits, keeps the frozen filters
bit-identical to the saved file while a new head learns 5-9, every picture parses and is
registered, and the same seed prints the same numbers and writes the same bytes."""

from __future__ import annotations

import contextlib
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sklearn", reason="scikit-learn comes with the demos extra")

from demos import convolution

PICTURES = ["convolution_filters.svg", "convolution_feature_maps.svg", "convolution_shifted.svg",
            "convolution_transfer.svg", "convolution_hinton.svg"]
FILES = [*PICTURES, "convolution_pretrained.json", "convolution_finetuned.json"]

Run = tuple[dict[str, Any], Path, str, float]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("convolution")
    capture = tmp_path_factory.mktemp("stdout") / "stdout.txt"
    start = time.perf_counter()
    with capture.open("w") as f, contextlib.redirect_stdout(f):
        result = convolution.main(["--quick", "--out", str(out)])
    return result, out, capture.read_text(), time.perf_counter() - start


def test_quick_is_quick_and_the_cnn_learns_the_digits(run: Run) -> None:
    result, _, printed, elapsed = run
    assert elapsed < 30, f"--quick took {elapsed:.1f} s"
    accuracy = result["shifted"]["CNN"]["as is"]
    assert accuracy >= convolution.QUICK_SHOULD_REACH  # ten classes: chance is 0.1
    assert printed.startswith("convolution: the CNN has 810 parameters")
    assert f"test accuracy CNN {accuracy:.1%}" in printed


def test_parameter_counts_are_the_layers_by_hand(run: Run) -> None:
    result, _, printed, _ = run
    conv = 8 * (1 * 3 * 3 + 1)  # 8 filters of 1×3×3 weights and a bias
    head = (8 * 3 * 3) * 10 + 10  # 8 pooled 3×3 maps, flattened, to 10 scores
    assert result["parameters"] == {"CNN": conv + head, "MLP": 64 * 32 + 32 + 32 * 10 + 10}
    assert "the MLP 2,410" in printed and f"bias: {conv})" in printed


def test_shifted_moves_the_ink_and_fills_with_background() -> None:
    image = [[[float(3 * r + c) for c in range(8)] for r in range(8)]]
    down = convolution.shifted(image, 1, 0)
    left = convolution.shifted(image, 0, -1)
    assert down[0][0] == [0.0] * 8 and down[0][1:] == image[0][:7]
    assert [row[:7] for row in left[0]] == [row[1:] for row in image[0]]
    assert all(row[7] == 0.0 for row in left[0])


def test_shifted_accuracies_are_printed_for_both_models(run: Run) -> None:
    result, _, printed, _ = run
    n = convolution.QUICK.tests
    for name, row in result["shifted"].items():
        assert list(row) == ["as is", *convolution.SHIFTS, "mean shifted"]
        for way in ("as is", *convolution.SHIFTS):
            assert (row[way] * n) == pytest.approx(round(row[way] * n))  # hits out of n
        assert row["mean shifted"] == pytest.approx(
            sum(row[w] for w in convolution.SHIFTS) / 4)
        words = ", ".join(f"{w} {row[w]:.1%}" for w in convolution.SHIFTS)
        assert f"{name} {words} (mean {row['mean shifted']:.1%}, from {row['as is']:.1%})" \
            in printed


def state(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())["state_dict"]


def test_the_frozen_conv_is_bit_identical_to_the_saved_file(run: Run) -> None:
    result, out, printed, _ = run
    before = state(out / "convolution_pretrained.json")
    after = state(out / "convolution_finetuned.json")
    assert before.keys() == after.keys()
    conv = [k for k in before if k.startswith("0.")]
    assert conv == [*(f"0.weight.{o}" for o in range(8)), "0.bias"]
    for k in conv:
        assert after[k] == before[k], k  # == on floats: not one bit moved
    assert any(after[k] != before[k] for k in before if k.startswith("4."))  # a new head
    assert result["frozen"] == result["identical"] == 80
    assert result["with_grad"] > 0  # backprop reached the filters; Adam skipped them
    assert "80 of the 80 frozen parameters are bit-identical" in printed


def test_the_steps_to_the_target_are_where_the_curves_cross_it(run: Run) -> None:
    result, _, _, _ = run
    plan = convolution.QUICK
    for name, curve in result["curves"].items():
        assert [s for s, _ in curve] == list(range(0, plan.steps + 1, plan.every))
        crossing = next((s for s, a in curve if a >= convolution.TARGET), None)
        assert result["reached"][name] == crossing


def test_pictures_parse_and_are_registered(run: Run) -> None:
    _, out, _, _ = run
    registered = {e["file"]: e for e in json.loads((out / "pictures.json").read_text())}
    assert set(registered) == set(PICTURES)
    for name in PICTURES:
        assert ET.parse(out / name).getroot().tag.endswith("svg")
        assert registered[name]["lesson"] == convolution.LESSON and registered[name]["caption"]


def test_the_same_seed_gives_the_same_numbers_and_bytes(run: Run, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    result, out, printed, _ = run
    again = convolution.main(["--quick", "--out", str(tmp_path)])
    assert again == result
    assert capsys.readouterr().out.replace(str(tmp_path), str(out)) == printed
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
