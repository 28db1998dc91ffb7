"""Any label text through every output format: intact and inert, or refused when made.

hypothesis draws label text from all of Unicode (control characters and lone surrogates
included) mixed with markup, DOT and escape snippets. A label is refused by `Value(...)`,
with a ValueError naming it, exactly when it holds a character no picture, page or terminal
can carry as text (the rule is restated here from Unicode's categories, not read from the
code). Any other label comes out of each format as the text it is:
- `draw_graph`'s SVG: the node's drawn text is the label, and the SVG holds nothing but
  Graphviz's own elements (no link, no script);
- the stepper page (`explain(...).html()`): the steps name the label, and the page's tags and
  attributes are the page's own;
- the playground page: its JSON names the label, and the same holds for its tags;
and, in real Chromium for a smaller sample, the pages show the label as text, run no script
of its making and ask nothing of the network.
"""

from __future__ import annotations

import json
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.browser import offline_page
from weightgrad.engine import Value, draw_graph, explain, playground, render_svg

SVG = "{http://www.w3.org/2000/svg}"
SNIPPETS = ['<', '>', '&', '"', "'", "\\", "\\N", "\\G", "\\E", "\\l", "&amp;", "&lt;b&gt;",
            "&#92;", "<script>alert(1)</script>", "</script>", '"] [URL="javascript:alert(1)',
            "<<TABLE>>", "{", "}", ";", "\n", "\x1b[31m", "\x00", "\ud800", "\udcff", "\ufffe",
            "\u2028", "\u202e", "%1", "n1", "${x}", "{{a}}", "  "]
LABELS = st.lists(st.one_of(st.text(st.characters(exclude_categories=()), max_size=6),
                            st.sampled_from(SNIPPETS)), min_size=1, max_size=5).map("".join)


def unprintable(label: str) -> bool:
    """The rule, from Unicode: control characters (Cc), surrogates (Cs), and the two
    noncharacters XML forbids."""
    return any(unicodedata.category(c) in ("Cc", "Cs") or c in "\ufffe\uffff" for c in label)


def graph(label: str) -> Value:
    x, w = Value(1.5, label), Value(-2.0, "w")
    out = x * w
    out.label = "out"
    return out


def spaced(text: str) -> str:
    # Graphviz writes a run of spaces as spaces and no-break spaces, so that SVG keeps them.
    return text.replace("\xa0", " ")


# -- the SVG --------------------------------------------------------------------------------

GRAPHVIZ_TAGS = {"svg", "g", "title", "polygon", "polyline", "path", "ellipse", "text", "a"}


def svg_is_inert(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML
    for element in root.iter():
        assert element.tag.removeprefix(SVG) in GRAPHVIZ_TAGS, element.tag
        for name in element.attrib:
            assert "href" not in name and not name.lower().startswith("on"), (element.tag, name)
    return root


def drawn_texts(root: ET.Element) -> dict[str, str]:
    """Each node's drawn text (its <text> elements joined), by its Graphviz name."""
    return {g.find(f"{SVG}title").text: "".join(t.text or "" for t in g.iter(f"{SVG}text"))
            for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


# -- the pages ---------------------------------------------------------------------------------

class Tags(HTMLParser):
    """Every start tag and attribute of a page, and the text of its elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page_is_inert(page: str, scripts: int) -> Tags:
    parsed = Tags()
    parsed.feed(page)
    names = [tag for tag, _ in parsed.tags]
    assert names.count("script") == scripts  # the page's own, and no other
    for tag, attrs in parsed.tags:
        assert tag.removeprefix("svg:") not in {"img", "iframe", "object", "embed", "foreignobject",
                                                "base", "form"}, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert not (name.endswith("href") and value and not value.startswith(("#", "data:"))), \
                (tag, name, value)
    return parsed


@given(LABELS)
def test_any_label_is_refused_when_made_or_comes_out_of_every_format_intact(label: str
                                                                            ) -> None:
    assume(label not in ("", "w", "out"))
    if unprintable(label):
        with pytest.raises(ValueError) as info:
            Value(1.0, label)
        assert repr(label)[:80] in str(info.value) and "U+" in str(info.value)
        return
    out = graph(label)
    # draw_graph: x is the first node (n0); its record reads label | data | grad
    root = svg_is_inert(render_svg(draw_graph(out)))
    assert spaced(drawn_texts(root)["n0"]) == spaced(f"{label}data 1.5grad ?")
    # the stepper page: every frame inert, the label in the steps and the frames
    story = explain(out)
    page = page_is_inert(story.html(), scripts=1)
    assert f"out = {label} * w = 1.5 * -2 = -3" in "".join(page.text)
    for frame in story.frames():
        assert spaced(drawn_texts(svg_is_inert(frame.svg))["n0"]).startswith(spaced(label))
    # the playground page: its JSON names the label, its picture draws it
    html = playground(out).html()
    parsed = page_is_inert(html, scripts=2)
    data = json.loads(html.split('id="wg-graph">', 1)[1].split("</script>", 1)[0])
    assert [n["name"] for n in data["nodes"]] == [label, "w", "out"]
    start = html.index("<svg", html.index('<div id="picture">'))
    picture = html[start:html.index("</svg>", start) + len("</svg>")]
    drawn = drawn_texts(svg_is_inert(picture))["n0"]
    assert spaced(drawn).startswith(spaced(label) + "data 1.5") and parsed.tags


BROWSER_LABELS = LABELS.filter(lambda s: s not in ("", "w", "out") and not unprintable(s))


@settings(max_examples=12)
@given(BROWSER_LABELS)
def test_in_a_real_browser_any_label_is_text_and_runs_nothing(chromium, tmp_path_factory,
                                                              label: str) -> None:
    folder = tmp_path_factory.mktemp("pages")
    out = graph(label)
    with offline_page(chromium, explain(out).html(), folder / "steps.html") as (page, log):
        assert page.evaluate("document.querySelector('#narration').textContent") == \
            f"out = {label} * w = 1.5 * -2 = -3"
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")  # step 3: x's gradient
        assert page.evaluate("document.querySelector('#viewer').dataset.node") == label
        log.assert_clean()
    with offline_page(chromium, playground(out).html(), folder / "play.html") as (page, log):
        assert page.evaluate("window.weightgrad.leaves()") == [label, "w"]
        page.evaluate("([n]) => window.weightgrad.set(n, 4)", [label])
        assert page.evaluate("window.weightgrad.get('out')")["data"] == -8.0
        assert page.evaluate("document.querySelector('#leaves .name').firstChild.nodeValue") \
            == label
        log.assert_clean()


def test_the_rule_refuses_what_it_should_and_nothing_else() -> None:
    assert unprintable("a\nb") and unprintable("\ud800") and unprintable("\x7f") \
        and unprintable("\x9f") and unprintable("\uffff")
    assert not any(unprintable(s) for s in ["\xa0", "\u2028", "\u202e", "😀", "\\N", "<&>"])
