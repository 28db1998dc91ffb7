"""The shared-weights lesson teaches what it prints: the Conv1d kernel takes the pattern's
shape and finds it, each shared weight's gradient is the sum of its per-use parts, and the RNN
learns to remember its first input (from chance to near 100%). Same seed, same files."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

from demos import shared_weights

PICTURES = ["shared_weights_conv.svg", "shared_weights_gradients.svg", "shared_weights_rnn.svg"]


def test_quick_shared_weights_lesson_holds_its_claims(tmp_path: Path, capsys) -> None:
    r = shared_weights.main(["--quick", "--out", str(tmp_path / "a")])
    printed = capsys.readouterr().out
    pattern = shared_weights.PATTERN

    # (a) The kernel points the pattern's way: signs match, cosine computed here from the
    # learned numbers, and it finds most pattern starts in fresh signals with few false alarms.
    kernel = r["kernel"]
    assert [math.copysign(1.0, w) for w in kernel] == pattern
    cosine = sum(w * p for w, p in zip(kernel, pattern)) / math.hypot(*kernel) / math.hypot(
        *pattern)
    assert cosine >= 0.95
    assert abs(cosine - r["cosine"]) < 1e-12
    assert r["occurrences"] == 200  # 100 test signals, 2 pattern starts each
    assert r["found"] >= 0.85 * r["occurrences"]
    negatives = 100 * (shared_weights.LENGTH - len(pattern) + 1) - r["occurrences"]
    assert r["false_alarms"] <= 0.01 * negatives
    initial = r["kernel_init"]
    assert all(abs(w) <= 1 / math.sqrt(3) for w in initial)  # PyTorch's init, fan_in 3

    # The gradient of each shared weight is the sum of its uses' parts, to rounding.
    assert r["positions"] == shared_weights.LENGTH - len(pattern) + 1 == 28
    assert r["conv_gap"] < 1e-12 and r["rnn_gap"] < 1e-12
    hidden = shared_weights.HIDDEN
    assert r["parameters"] == {"conv": 3 + 1, "rnn": hidden * (1 + hidden + 2)}

    # (b) The RNN starts at chance and learns to remember the first of 5 inputs.
    assert r["rnn_accuracy_before"] <= 0.7
    assert r["rnn_accuracy"] >= 0.95
    assert f"sum of {r['positions']} per-position contributions" in printed
    assert f"{r['rnn_accuracy']:.0%} on 200 fresh sequences" in printed

    for name in PICTURES:
        assert ET.parse(tmp_path / "a" / name).getroot().tag.endswith("svg")
    entries = json.loads((tmp_path / "a" / "pictures.json").read_text())
    assert sorted(e["file"] for e in entries) == sorted(PICTURES)
    assert all(e["lesson"] == shared_weights.LESSON and e["caption"] for e in entries)

    again = shared_weights.main(["--quick", "--out", str(tmp_path / "b")])
    assert again == r
    for name in PICTURES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
