"""draw_network: one node per input and neuron, one edge per weight, colour by sign, width
by magnitude, numbers on every edge; checked by parsing the rendered SVG."""

from __future__ import annotations

import random
import re

import pytest

from tests.svg import parse
from weightgrad.engine import render_svg
from weightgrad.nn import MLP, Neuron, draw_network
from weightgrad.nn.draw import NEAR_ZERO, NEGATIVE, POSITIVE


def test_one_node_per_input_and_neuron_one_edge_per_weight() -> None:
    model = MLP(3, [4, 2], seed=0)
    picture = parse(render_svg(draw_network(model)))
    assert len(picture.nodes) == 3 + 4 + 2
    assert len(picture.edges) == 3 * 4 + 4 * 2
    assert {"x1", "x2", "x3"} <= {n.texts[0] for n in picture.nodes.values()}


def test_colour_by_sign_grey_near_zero_and_width_by_magnitude() -> None:
    n = Neuron(4, "tanh", random.Random(0))
    for w, x in zip(n.w, [0.9, -0.6, 0.01, 0.3]):
        w.data = x
    svg = render_svg(draw_network(n))
    picture = parse(svg)
    colour = {e.title.split("->")[0]: e.strokes[0] for e in picture.edges}
    assert colour == {"in0": POSITIVE, "in1": NEGATIVE, "in2": NEAR_ZERO, "in3": POSITIVE}
    w = {e.title.split("->")[0]: e.widths[0] for e in picture.edges}
    assert w["in0"] > w["in1"] > w["in3"] > w["in2"]


def test_each_edge_shows_its_weight_and_gradient() -> None:
    n = Neuron(2, "relu", random.Random(0))
    n.w[0].data, n.w[1].data, n.b.data = 0.8, -0.6, 0.2
    n([0.5, 0.3]).backward()
    picture = parse(render_svg(draw_network(n)))
    tooltips = sorted(e.tooltip for e in picture.edges)
    assert tooltips == ["w.0 = 0.8, grad 0.5", "w.1 = -0.6, grad 0.3"]
    labels = "\n".join(t for e in picture.edges for t in e.texts)
    assert "w 0.8" in labels and "g 0.5" in labels  # small network: labels too
    assert any("b 0.2" in t for node in picture.nodes.values() for t in node.texts)


def test_big_network_keeps_numbers_in_tooltips() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    picture = parse(render_svg(draw_network(model)))
    assert len(picture.edges) == 2 * 16 + 16 * 16 + 16
    assert all(e.texts == [] for e in picture.edges)
    assert all(re.fullmatch(r"layers\.\d\.neurons\.\d+\.w\.\d+ = \S+, grad \S+", e.tooltip)
               for e in picture.edges)


def test_color_by_gradient() -> None:
    n = Neuron(2, "linear", random.Random(0))
    n.w[0].data, n.w[1].data = 0.5, 0.5
    n([1.0, -1.0]).backward()  # grads: +1, -1
    picture = parse(render_svg(draw_network(n, color_by="grad")))
    colour = {e.title.split("->")[0]: e.strokes[0] for e in picture.edges}
    assert colour == {"in0": POSITIVE, "in1": NEGATIVE}
    with pytest.raises(ValueError, match="color_by"):
        draw_network(n, color_by="size")


def test_pruned_weights_are_gone_from_the_diagram() -> None:
    model = MLP(2, [4, 1], seed=0)
    pruned = [model.layers[0].neurons[1].w[0], model.layers[1].neurons[0].w[3]]
    for p in pruned:
        p.data, p.pruned = 0.0, True
    picture = parse(render_svg(draw_network(model)))
    assert len(picture.edges) == 2 * 4 + 4 - len(pruned)
    titles = {e.title for e in picture.edges}
    assert "in0->L0n1" not in titles and "L0n3->L1n0" not in titles
    assert "in1->L0n1" in titles


def test_frozen_layers_are_marked() -> None:
    model = MLP(2, [3, 1], seed=0)
    model.layers[0].freeze()
    svg = render_svg(draw_network(model))
    assert "layers.0 (relu, frozen)" in svg
    assert "layers.1 (linear)" in svg and "layers.1 (linear, frozen)" not in svg
