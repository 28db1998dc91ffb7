"""draw_graph: one record per Value, one node per op, colours by kind and sign, checked by
parsing the rendered SVG (never by comparing bytes)."""

from __future__ import annotations

import pytest

from tests.svg import parse
from weightgrad.engine import GraphTooLarge, Value, draw_graph, render_svg
from weightgrad.engine.palette import FILL, HIGHLIGHT, NEGATIVE, POSITIVE
from weightgrad.nn import Parameter


def neuron() -> tuple[Value, dict[str, Value]]:
    leaves = {"x1": Value(5, "x1"), "w1": Parameter(0.7, "w1"), "x2": Value(2, "x2"),
              "w2": Parameter(-0.3, "w2"), "b": Parameter(1, "b")}
    out = leaves["x1"] * leaves["w1"] + leaves["x2"] * leaves["w2"] + leaves["b"]
    out.label = "out"
    return out, leaves


def value_nodes(picture):  # type: ignore[no-untyped-def]
    return {k: v for k, v in picture.nodes.items() if not k.endswith("op")}


def test_records_ops_and_edges_are_counted() -> None:
    out, _ = neuron()
    out.backward()
    picture = parse(render_svg(draw_graph(out)))
    assert len(value_nodes(picture)) == 9  # 5 leaves, 2 products, 1 sum, out
    assert len(picture.nodes) - 9 == 4  # *, *, +, +
    assert len(picture.edges) == 4 * 3  # two operands in, one result out, per op
    names = {v.texts[0] for v in value_nodes(picture).values()}
    assert names == {"x1", "w1", "x2", "w2", "b", "n1", "n2", "n3", "out"}
    text = picture.text()
    assert "data 0.7" in text and "grad 5" in text and "data 2.9" in text  # 3.5 - 0.6
    assert "grad -0.3" in text and "grad 2" in text  # d out/d x2 = w2, d out/d w2 = x2


def test_before_backward_grads_read_not_computed() -> None:
    out, _ = neuron()
    picture = parse(render_svg(draw_graph(out)))
    grads = [t for n in value_nodes(picture).values() for t in n.texts if t.startswith("grad")]
    assert grads == ["grad ?"] * 9


def test_a_plus_a_is_drawn_with_two_edges() -> None:
    a = Value(2.0, "a")
    s = a + a
    picture = parse(render_svg(draw_graph(s)))
    a_edges = [e for e in picture.edges if e.title.startswith("n0->")]
    assert len(a_edges) == 2


def test_kinds_and_gradient_signs_are_coloured() -> None:
    out, _ = neuron()
    neg = out * -1.0
    neg.label = "neg"
    neg.backward()  # every gradient is now the negative of the above
    picture = parse(render_svg(draw_graph(neg)))
    by_name = {n.texts[0]: n for n in value_nodes(picture).values()}
    assert FILL["parameter"] in by_name["w1"].fills
    assert FILL["input"] in by_name["x1"].fills
    assert FILL["output"] in by_name["neg"].fills
    assert NEGATIVE in by_name["w1"].fills  # grad -5, in orange text
    assert POSITIVE in by_name["neg"].fills  # grad 1, in blue


def test_highlight_outlines_one_node() -> None:
    out, leaves = neuron()
    picture = parse(render_svg(draw_graph(out, highlight=leaves["w2"])))
    lit = [n.texts[0] for n in value_nodes(picture).values() if HIGHLIGHT in n.strokes]
    assert lit == ["w2"]


def test_same_graph_same_dot_text() -> None:
    assert draw_graph(neuron()[0]).source == draw_graph(neuron()[0]).source


def test_size_limit_names_the_limit() -> None:
    x = Value(1.0)
    for _ in range(1500):
        x = x + 1.0  # 1 + 1500 * 2 Values
    with pytest.raises(GraphTooLarge, match="at most 2000"):
        draw_graph(x)
    assert len(draw_graph(x, max_nodes=4000).source) > 0
