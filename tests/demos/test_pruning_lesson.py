"""The pruning lesson teaches what it prints: pruning costs accuracy, more at higher sparsity;
fine-tuning with the masks wins it back; magnitude beats random; pruned weights stay exactly 0
(read back from the saved weights and from the drawn diagram)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from demos import pruning
from tests.svg import parse

WEIGHTS = 2 * 16 + 16 * 16 + 16  # MLP(2, [16, 16, 1])


def visible(stroke: str) -> bool:
    return stroke not in ("none", "transparent")


def test_quick_pruning_lesson_holds_its_claims(tmp_path: Path, capsys) -> None:
    r = pruning.main(["--quick", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert r["sparsity"] == [0.3, 0.5, 0.7, 0.9]
    # round(s * 304): 91.2 -> 91, 152, 212.8 -> 213, 273.6 -> 274
    assert r["weights"] == WEIGHTS and r["pruned"] == [91, 152, 213, 274]
    dense, after, tuned = r["dense_accuracy"], r["pruned_accuracy"], r["finetuned_accuracy"]
    assert dense >= 0.95
    # The damage grows with sparsity: 90% loses more than 30% right after pruning.
    assert dense - after[3] > dense - after[0]
    # Fine-tuning with the masks brings it back within 5 points of dense, at 50% at least ...
    assert all(t >= dense - 0.05 for t in tuned[:2])
    up_to = int(re.search(r"within 5 points of dense up to (\d+)%", printed).group(1))
    assert up_to >= 50
    assert all(t >= dense - 0.05 for t in tuned[:r["sparsity"].index(up_to / 100) + 1])
    # ... and helps wherever pruning hurt.
    assert all(t >= a for t, a in zip(tuned, after))
    assert tuned[3] > after[3]
    # Magnitude matters: random pruning of as many weights is worse up to 70%.
    assert all(rand < a for rand, a in zip(r["random_accuracy"][:3], after[:3]))
    assert "Every pruned weight is still exactly 0 after fine-tuning." in printed

    # Pruned weights are exactly 0 after fine-tuning: the saved 70% model has 213 zeros
    # among its weights (a trained weight that is not pruned is never exactly 0).
    saved = json.loads((tmp_path / "pruning_70_weights.json").read_text())["state_dict"]
    weights = [x for name, xs in saved.items() if name.endswith(".w") for x in xs]
    assert len(weights) == WEIGHTS
    assert sum(x == 0.0 for x in weights) == 213

    # The diagram draws the surviving weights only.
    diagram = parse((tmp_path / "pruning_network_70.svg").read_text())
    drawn = [e for e in diagram.edges if any(visible(s) for s in e.strokes)]
    assert len(drawn) == WEIGHTS - 213
    assert len(diagram.nodes) == 2 + 16 + 16 + 1

    root = ET.parse(tmp_path / "pruning_accuracy.svg").getroot()
    assert root.tag.endswith("svg")
    registered = {e["file"] for e in json.loads((tmp_path / "pictures.json").read_text())}
    assert registered == {"pruning_accuracy.svg", "pruning_network_70.svg",
                          "pruning_70_weights.json"}
    assert all(e["lesson"] == "Pruning"
               for e in json.loads((tmp_path / "pictures.json").read_text()))
