"""What Jupyter shows for weightgrad's objects: explain and playground pages inline in an
iframe `srcdoc` (the page itself, escaped), graphs, networks and Hinton diagrams as SVG,
`model.summary()` as an HTML table holding the same cells as its unchanged text."""

import html
import pickle
from html.parser import HTMLParser

from weightgrad.engine import Value, draw_graph, explain, playground
from weightgrad.nn import MLP, draw_network, draw_weights


def _srcdoc(shown: str) -> str:
    assert shown.startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in shown
    return html.unescape(shown.split('srcdoc="', 1)[1].split('" sandbox=', 1)[0])


def _neuron() -> Value:
    x, w = Value(2.0, "x"), Value(-3.0, "w")
    out = x * w + Value(1.0, "b")
    out.label = "out"
    return out


def test_explain_and_playground_show_their_page_in_an_iframe():
    out = _neuron()
    story = explain(out)
    assert _srcdoc(story._repr_html_()) == story.html()
    live = playground(out)
    assert _srcdoc(live._repr_html_()) == live.html()


def test_pictures_are_inline_svg():
    assert draw_graph(_neuron())._repr_mimebundle_()["image/svg+xml"].lstrip().startswith(
        ("<?xml", "<svg"))
    model = MLP(2, [2, 1], seed=0)
    assert "<svg" in draw_network(model)._repr_mimebundle_()["image/svg+xml"]
    assert draw_weights(model)._repr_svg_().startswith("<svg")


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_data(self, data):
        if self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def test_summary_is_text_in_a_terminal_and_a_table_in_a_notebook():
    model = MLP(2, [3, 1], seed=0)
    text = model.summary()
    lines = text.splitlines()
    assert isinstance(text, str) and lines[0].split()[0] == "layer"  # the text, as before
    parser = _Cells()
    parser.feed(text._repr_html_())
    # the text's rows, without the two rules of dashes, split on its column gaps
    rows = [ln for ln in lines if not set(ln) <= {"-", " "}]
    assert len(parser.rows) == len(rows)
    for cells, line in zip(parser.rows, rows):
        assert [c for c in cells if c] == [c.strip() for c in line.split("  ") if c.strip()]
    assert parser.rows[-1][0] == "total" and parser.rows[-1][3] == "13"  # 2*3+3 + 3*1+1
    copied = pickle.loads(pickle.dumps(text))  # a str subclass that still pickles
    assert copied == text and copied._repr_html_() == text._repr_html_()
