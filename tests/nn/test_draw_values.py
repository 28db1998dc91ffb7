"""draw_network(model, color_by={name: number}): edges coloured and sized by a number given per
parameter (the continual lesson draws EWC's importance this way), and bad mappings refused."""

from __future__ import annotations

import random

import pytest

from tests.svg import parse
from weightgrad.engine import render_svg
from weightgrad.engine.palette import NEAR_ZERO, NEGATIVE, POSITIVE
from weightgrad.nn import MLP, Neuron, draw_network


def test_edges_follow_the_given_numbers_not_the_weights() -> None:
    n = Neuron(3, "linear", random.Random(0))
    for p in n.w:
        p.data = 1.0  # every weight the same: any difference below comes from the mapping
    picture = parse(render_svg(draw_network(n, color_by={"w.0": 2.0, "w.1": -1.0})))
    edge = {e.title.split("->")[0]: e for e in picture.edges}
    assert edge["in0"].strokes[0] == POSITIVE
    assert edge["in1"].strokes[0] == NEGATIVE
    assert edge["in2"].strokes[0] == NEAR_ZERO  # not given: 0
    # width 0.6 + 4.4·|x| / max|x|: 5.0 for the largest, 0.6 + 2.2 for half of it
    assert edge["in0"].widths[0] == pytest.approx(5.0)
    assert edge["in1"].widths[0] == pytest.approx(2.8)


def test_a_mapping_over_a_whole_mlp() -> None:
    model = MLP(2, [3, 1], seed=0)
    values = {name: float(i) for i, (name, _) in enumerate(model.named_parameters())}
    picture = parse(render_svg(draw_network(model, color_by=values)))
    assert len(picture.edges) == 2 * 3 + 3
    assert all(e.strokes[0] in (POSITIVE, NEAR_ZERO) for e in picture.edges)


def test_bad_mappings_are_refused() -> None:
    n = Neuron(2, "linear", random.Random(0))
    with pytest.raises(ValueError, match=r"draw_network: color_by .*unknown name\(s\): w\.7"):
        draw_network(n, color_by={"w.7": 1.0})
    with pytest.raises(TypeError, match=r"color_by\['w.0'\] must be a finite number"):
        draw_network(n, color_by={"w.0": "big"})
    with pytest.raises(ValueError, match=r"color_by\['w.0'\] must be a finite number"):
        draw_network(n, color_by={"w.0": float("nan")})
