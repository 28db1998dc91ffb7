"""draw_weights: Hinton diagrams parsed back as SVG, one square per weight and per bias, each
named after its parameter, coloured by its sign, with an area proportional to |w| on its
panel's stated scale; kernels and an RNNCell's several groups draw too."""

from __future__ import annotations

import math
import os
import re
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import pytest

from weightgrad.engine.palette import NEAR_ZERO, NEGATIVE, POSITIVE
from weightgrad.nn import (
    MLP,
    Conv1d,
    Linear,
    Module,
    ReLU,
    RNNCell,
    SelfAttention,
    Sequential,
    draw_weights,
    prune,
)

SVG = "{http://www.w3.org/2000/svg}"


def squares(svg: str) -> list[dict]:
    """Every weight or bias square: its kind, parameter name, value as written, colour and
    side, and the panel it sits in (with that panel's stated scale)."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    found = []
    for panel in root.iter(f"{SVG}g"):
        title = panel.find(f"{SVG}text").text
        scale = float(re.search(r"a full square is \|w\| = (\S+)$", title).group(1))
        for rect in panel.iter(f"{SVG}rect"):
            if rect.get("class") == "background":
                continue
            name, _ = rect.find(f"{SVG}title").text.split(" = ")
            assert rect.get("width") == rect.get("height")
            found.append({"kind": rect.get("class"), "name": name, "fill": rect.get("fill"),
                          "side": float(rect.get("width")), "x": float(rect.get("x")),
                          "y": float(rect.get("y")), "panel": title, "scale": scale})
    return found


def models() -> dict[str, Module]:
    return {"MLP": MLP(3, [4, 2], seed=0),
            "Sequential": Sequential(Linear(3, 4, seed=1), ReLU(), Linear(4, 2, seed=2)),
            "RNNCell": RNNCell(2, 3, seed=3), "Conv1d": Conv1d(2, 3, 4, seed=4),
            "SelfAttention": SelfAttention(2, seed=5),
            "Linear(bias=False)": Linear(3, 2, bias=False, seed=6)}


@pytest.mark.parametrize("name", list(models()))
def test_one_square_per_weight_and_per_bias_named_and_coloured(name: str) -> None:
    model = models()[name]
    drawn = squares(draw_weights(model).svg)
    kinds = {id(p): g.kind for _, g in model.weight_groups() for p in g.params}
    params = dict(model.named_parameters())
    assert sorted(s["name"] for s in drawn) == sorted(params)  # every parameter, once
    for s in drawn:
        p = params[s["name"]]
        assert s["kind"] == kinds[id(p)]
        assert s["fill"] == (POSITIVE if p.data > 0 else NEGATIVE if p.data < 0 else NEAR_ZERO)


@pytest.mark.parametrize("name", list(models()))
def test_area_is_proportional_to_abs_w_on_each_panels_scale(name: str) -> None:
    model = models()[name]
    drawn = squares(draw_weights(model).svg)
    params = dict(model.named_parameters())
    panels: dict[str, list[dict]] = {}
    for s in drawn:
        panels.setdefault(s["panel"], []).append(s)
    for members in panels.values():
        values = [abs(params[s["name"]].data) for s in members]
        biggest = max(values)
        assert members[0]["scale"] == pytest.approx(biggest, rel=5e-3)  # stated, 3 digits
        full = max(s["side"] for s in members)  # the cell's full square
        for s, v in zip(members, values):
            # side = FULL·cell·√(|w|/max): written to 0.01 px
            assert s["side"] == pytest.approx(full * math.sqrt(v / biggest), abs=0.011)


def test_panels_of_an_mlp_a_sequential_and_an_rnn_cell() -> None:
    titles = [sorted({s["panel"].split(";")[0] for s in squares(draw_weights(m).svg)})
              for m in (models()["MLP"], models()["Sequential"], models()["RNNCell"])]
    assert titles == [["layers.0: weight (4, 3), bias (4,)", "layers.1: weight (2, 4), bias (2,)"],
                      ["0: weight (4, 3), bias (4,)", "2: weight (2, 4), bias (2,)"],
                      ["RNNCell: weight_hh (3, 3), bias_hh (3,)",
                       "RNNCell: weight_ih (3, 2), bias_ih (3,)"]]


def test_rows_are_outputs_and_the_bias_is_the_last_column() -> None:
    model = Linear(3, 2, seed=0)
    drawn = squares(draw_weights(model).svg)
    # centres to 0.1 px: each coordinate is written to 0.01 px
    centre = {s["name"]: (round(s["x"] + s["side"] / 2, 1), round(s["y"] + s["side"] / 2, 1))
              for s in drawn}
    xs = sorted({centre[f"weight.0.{j}"][0] for j in range(3)})
    assert [centre[f"weight.1.{j}"][0] for j in range(3)] == xs  # columns: inputs
    assert centre["bias.0"][0] > xs[-1] and centre["bias.1"][0] == centre["bias.0"][0]
    assert centre["weight.0.0"][1] == centre["bias.0"][1] < centre["weight.1.0"][1]


def test_a_kernel_is_drawn_in_channels_with_a_gap_between() -> None:
    conv = Conv1d(2, 1, 3, seed=0)  # weight (1, 2, 3): 2 channels of 3 taps
    drawn = squares(draw_weights(conv).svg)
    centres = [s["x"] + s["side"] / 2 for s in drawn if s["kind"] == "weight"]
    steps = [round(b - a, 1) for a, b in pairwise(centres)]  # to 0.1 px, as written
    cell = steps[0]
    assert steps == [cell, cell, 1.5 * cell, cell, cell]


def test_pruned_weights_draw_as_empty_squares() -> None:
    model = MLP(3, [4, 2], seed=0)
    prune.l1_unstructured(model, 0.5)
    drawn = squares(draw_weights(model).svg)
    pruned = {n for n, p in model.named_parameters() if p.pruned}
    assert len(pruned) == 6 + 4
    assert all(s["side"] == 0 and s["fill"] == NEAR_ZERO for s in drawn if s["name"] in pruned)
    assert all(s["side"] > 0 for s in drawn if s["name"] not in pruned and s["kind"] == "weight")


def test_same_model_same_bytes_and_save_is_atomic(tmp_path: Path) -> None:
    a, b = draw_weights(MLP(3, [4, 2], seed=0)), draw_weights(MLP(3, [4, 2], seed=0))
    assert a.svg == b.svg and a._repr_svg_() == a.svg
    path = tmp_path / "deep" / "w.svg"
    assert a.save(path) == path
    assert path.read_text(encoding="utf-8") == a.svg
    path.write_text("old")
    draw_weights(RNNCell(2, 3, seed=0)).save(path)  # replaced whole
    assert "weight_ih" in path.read_text(encoding="utf-8")
    assert sorted(os.listdir(path.parent)) == ["w.svg"]  # no temporary file left behind


def test_what_it_refuses() -> None:
    with pytest.raises(TypeError, match=r"^draw_weights: module must be an nn.Module"):
        draw_weights([1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^draw_weights: module must be a Module with weights"):
        draw_weights(ReLU())
