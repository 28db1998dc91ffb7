"""The digits lesson teaches what it says: --quick reaches >= 85% test accuracy in under 20 s,
the weights of blank pixels never move, saliency from the inputs' .grad is the derivative
(checked here against central differences computed by the test), every picture parses and is
registered, and the same seed prints the same numbers and writes the same bytes."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("sklearn", reason="scikit-learn comes with the demos extra")

from demos import digits
from weightgrad.engine import no_grad
from weightgrad.nn import MLP, load_digits

PICTURES = ["digits_curves.svg", "digits_weights_before.svg", "digits_weights_after.svg",
            "digits_hinton.svg", "digits_saliency.svg", "digits_confusion.svg",
            "digits_mistakes.svg"]


def test_quick_digits_lesson_learns_fast_and_the_same_seed_gives_the_same_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = time.perf_counter()
    first = digits.main(["--quick", "--out", str(tmp_path / "a")])
    elapsed = time.perf_counter() - start
    printed = capsys.readouterr().out
    assert elapsed < 20, f"--quick took {elapsed:.1f} s"
    assert first["epochs"] == digits.QUICK_EPOCHS
    assert first["test_accuracy"] >= 0.85
    assert first["accuracy_before"] < 0.3  # ten classes: chance is about 0.1
    assert first["blank_pixels"] >= 1 and first["saliency_error"] < 1e-6
    assert printed.startswith("digits: MLP(64, [32, 10])")
    assert f"test accuracy {first['test_accuracy']:.1%}" in printed

    registered = {e["file"]: e for e in json.loads((tmp_path / "a" / "pictures.json").read_text())}
    assert set(registered) == set(PICTURES)
    for name in PICTURES:
        root = ET.parse(tmp_path / "a" / name).getroot()
        assert root.tag.endswith("svg")
        assert registered[name]["lesson"] == digits.LESSON and registered[name]["caption"]

    second = digits.main(["--quick", "--out", str(tmp_path / "b")])
    assert second == first
    again = capsys.readouterr().out
    assert again.replace("/b/", "/a/") == printed  # the same numbers, word for word
    for name in PICTURES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_saliency_is_the_derivative_of_the_true_class_score() -> None:
    model = MLP(64, [8, 10], init="kaiming", seed=3)
    images, labels = load_digits("test", seed=0)
    before = [(p.data, p.grad) for p in model.parameters()]
    for image, label in zip(images[:3], labels[:3]):
        got = digits.saliency(model, image, label)
        h = 1e-6
        with no_grad():
            for j in range(64):
                up = model([p + h if i == j else p for i, p in enumerate(image)])[label].data
                down = model([p - h if i == j else p for i, p in enumerate(image)])[label].data
                assert got[j] == pytest.approx((up - down) / (2 * h), abs=1e-6)
    # reading a saliency map leaves the model as it was: no weight moved, no gradient left
    assert [(p.data, p.grad) for p in model.parameters()] == before
