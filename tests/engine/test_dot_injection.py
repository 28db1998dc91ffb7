"""Nothing a user writes reaches DOT as markup: every string that a drawing function puts in
the DOT text (labels, tooltips, ids, input names, op symbols; rankdir is refused, see
tests/test_bad_input.py) is drawn as the text it is, and the SVG holds only Graphviz's own
elements: no link, no script. The issue's attack, an input name shaped like an HTML-like label
carrying `URL="javascript:..."`, is run in real Chromium: clicking every node and edge of the
pictures opens no dialog and goes nowhere.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.browser import offline_page
from weightgrad.engine import Value, draw_graph, ops, render_svg
from weightgrad.nn import MLP, draw_network

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"

HOSTILE = [
    '<x> URL="javascript:alert(1)" <y>',  # an HTML-like label, attributes after it
    '<<TABLE><TR><TD HREF="javascript:alert(2)">x</TD></TR></TABLE>>',
    '"] ; evil [URL="javascript:alert(3)"] ; x [label="',  # out of the quoted string
    'a\\"] [URL="javascript:alert(4)',  # an escaped quote that is not one
    "C:\\Net\\Gain",  # \N and \G: the node's and the graph's names in Graphviz
    "\\N\\G\\E\\T\\H\\L\\l\\n\\r\\",  # every escape, and a backslash at the end
    "&lt;script&gt;alert(5)&lt;/script&gt; &amp; &#92;",  # entities stay text
    "<script>alert(6)</script>",
    "}; digraph { x",
]


def inert(svg: str) -> ET.Element:
    """The SVG parsed; no element may link anywhere or run anything."""
    root = ET.fromstring(svg)
    for element in root.iter():
        assert element.tag in {f"{SVG}{t}" for t in ("svg", "g", "title", "polygon", "polyline",
                                                     "path", "ellipse", "text", "a")}, element.tag
        for name, value in element.attrib.items():
            assert "href" not in name.lower() and not name.lower().startswith("on"), name
            assert "javascript" not in value.lower() or name == f"{XLINK}title", (name, value)
    return root


def texts(root: ET.Element, cls: str) -> list[str]:
    """The drawn text of each node (or edge), its <text> elements joined."""
    return ["".join(t.text or "" for t in g.iter(f"{SVG}text"))
            for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def tooltips(root: ET.Element) -> list[str]:
    return [a.get(f"{XLINK}title", "") for a in root.iter(f"{SVG}a")]


def _shared(label: str) -> Value:
    """A labelled leaf used five times (drawn in full once, then as small named copies), so
    its name is in a record, in four copies and in their tooltips."""
    x = Value(2.0, label)
    out = x * 1.0
    for _ in range(4):
        out = out + x
    return out


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_label_is_drawn_as_text_in_records_copies_and_tooltips(hostile: str) -> None:
    root = inert(render_svg(draw_graph(_shared(hostile))))
    drawn = texts(root, "node")
    assert f"{hostile}data 2grad ?" in drawn  # the record: name | data | grad
    assert drawn.count(hostile) == 4  # the small copies beside its other uses
    shown = tooltips(root)
    assert f"{hostile} (input)" in shown  # the record's tooltip, and each copy's:
    assert sum(t.startswith(f"{hostile}, used 5 times") for t in shown) == 4


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_input_name_is_drawn_as_text(hostile: str) -> None:
    model = MLP(2, [2, 1], seed=0)
    root = inert(render_svg(draw_network(model, input_names=[hostile, "x2"])))
    assert hostile in texts(root, "node")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_op_symbol_is_drawn_as_text(hostile: str) -> None:
    ops.define("shady", lambda x: 2.0 * x, lambda out, x: (2.0,), ("2",), symbol=hostile)
    try:
        root = inert(render_svg(draw_graph(Value(1.0, "x").shady())))
    finally:
        ops.unregister("shady")
    assert hostile in texts(root, "node")


def test_clicking_every_node_and_edge_goes_nowhere(chromium, tmp_path: Path) -> None:
    attack = '<x> URL="javascript:alert(document.domain)" <y>'
    pictures = {"graph.svg": render_svg(draw_graph(_shared(attack))),
                "network.svg": render_svg(draw_network(MLP(2, [2, 1], seed=0),
                                                       input_names=[attack, "x2"]))}
    for name, svg in pictures.items():
        path = tmp_path / name
        with offline_page(chromium, svg, path) as (page, log):
            shapes = page.locator("g.node, g.edge")
            assert shapes.count() >= 5
            for i in range(shapes.count()):
                shapes.nth(i).click(force=True)
            assert page.url == path.as_uri()  # no navigation
            assert page.evaluate("document.querySelectorAll('a[href], a[*|href]').length") == 0
            log.assert_clean()  # no dialog, nothing asked of the network
