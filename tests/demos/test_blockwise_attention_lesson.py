"""The blockwise attention lesson teaches what it says: FlashAttention's online softmax and Ring
Attention give plain attention's outputs and gradients to 1e-12 while holding one tile of
scores at a time; and the same seed gives the same printout and pictures."""

from __future__ import annotations

import contextlib
import io
import json
import math
import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from demos import blockwise_attention as lesson
from weightgrad.engine import Value, no_grad

PICTURES = ["blockwise_attention_tiles.svg", "blockwise_attention_memory.svg",
            "blockwise_attention_ring.svg"]


def run_lesson(out: Path, seed: int = 0) -> tuple[dict[str, Any], str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = lesson.main(["--quick", "--seed", str(seed), "--out", str(out)])
    return result, buffer.getvalue()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, Path]:
    out = tmp_path_factory.mktemp("blockwise")
    result, stdout = run_lesson(out)
    return result, stdout, out


def test_the_conclusion_holds_and_is_printed(run: tuple[dict[str, Any], str, Path]) -> None:
    result, stdout, _ = run
    assert max(result["differences"].values()) <= 1e-12
    assert result["rescaled"] > 0
    n, b, p = result["n"], result["block"], result["devices"]
    assert result["peaks"] == {"plain": n * n, "FlashAttention": b * b,
                               "Ring Attention": (n // p) ** 2}
    assert f"plain {n * n} (= {n}·{n}), FlashAttention {b * b} (one tile)" in stdout
    assert "Conclusion: the same attention outputs and gradients to 1e-12" in stdout


def test_the_ring_gives_every_device_every_block_once(
        run: tuple[dict[str, Any], str, Path]) -> None:
    schedule = run[0]["schedule"]
    p = run[0]["devices"]
    assert schedule[0] == list(range(p))
    for d in range(p):
        assert sorted(step[d] for step in schedule) == list(range(p))
    for step in schedule:  # at each step the blocks are spread, one per device
        assert sorted(step) == list(range(p))


def softmax_attention_by_hand(qs: list[list[float]], ks: list[list[float]],
                              vs: list[list[float]]) -> list[list[float]]:
    out = []
    for q in qs:
        s = [sum(a * b for a, b in zip(q, k)) / math.sqrt(len(q)) for k in ks]
        e = [math.exp(x - max(s)) for x in s]
        out.append([sum(w / sum(e) * v[c] for w, v in zip(e, vs)) for c in range(len(vs[0]))])
    return out


def test_all_three_agree_with_attention_in_plain_floats() -> None:
    # Independent truth: the same formula in floats, not Values; odd sizes so the last tile
    # and ring block are short.
    rng = random.Random(7)
    qs, ks, vs = ([[rng.uniform(-3, 3) for _ in range(3)] for _ in range(7)] for _ in range(3))
    want = softmax_attention_by_hand(qs, ks, vs)
    with no_grad():
        leaves = [[[Value(x) for x in row] for row in m] for m in (qs, ks, vs)]
        results = [lesson.plain_attention(*leaves), lesson.flash_attention(*leaves, 3)[0],
                   lesson.ring_attention(*leaves, 3)[0]]
    for got in results:
        for row, wrow in zip(got, want):
            assert [o.data for o in row] == pytest.approx(wrow, rel=1e-12, abs=1e-13)


def test_the_counter_sees_scores_freed() -> None:
    counter = lesson.ScoreCounter()
    with no_grad():
        kept = [counter(Value(1.0)) for _ in range(3)]
        for _ in range(5):
            counter(Value(2.0))  # dropped at once
    assert counter.peak == 4 and len(kept) == 3


def test_same_seed_same_output_and_pictures(run: tuple[dict[str, Any], str, Path],
                                            tmp_path: Path) -> None:
    _, stdout, out = run
    _, again = run_lesson(tmp_path)
    assert again == stdout
    for name in PICTURES:
        assert ET.parse(out / name).getroot().tag.endswith("svg")
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()
    registered = {e["file"] for e in json.loads((out / "pictures.json").read_text())}
    assert registered == set(PICTURES)
    _, other = run_lesson(tmp_path / "other", seed=1)
    assert other != stdout  # the seed does reach the numbers
