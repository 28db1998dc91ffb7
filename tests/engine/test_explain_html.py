"""The step-through HTML page: static checks of render_page, and a real browser (Debian's
Chromium through playwright, offline, from file://) clicking and keying through it.

`check_stepper_page(chromium, page_html, tmp_path, expected=...)` runs every browser check on
any page text, so a page made by other code (engine.explain(...).html()) can reuse it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from weightgrad.engine.explain_html import Frame, render_page

SVG_NAMESPACES = ('xmlns="http://www.w3.org/2000/svg"', 'xmlns:xlink="http://www.w3.org/1999/xlink"')


def dot_to_svg(dot: str) -> str:
    """A complete SVG document (prologue, DOCTYPE and all) from graphviz-pure or dot."""
    exe = Path(sys.executable).parent / "graphviz-pure"
    found = str(exe) if exe.exists() else shutil.which("graphviz-pure") or shutil.which("dot")
    if found is None:
        pytest.fail("no Graphviz renderer: graphviz-pure (a core dependency) is not installed")
    done = subprocess.run([found, "-Tsvg"], input=dot, capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout


def neuron_dot(highlight: str) -> str:
    """out = x1*w1 + b drawn as dot would get it from the engine, one node outlined in red."""
    fills = {"x1": "#d9d9d9", "w1": "#fff3a0", "b": "#fff3a0", "m": "white", "out": "#b7e4b0"}
    labels = {"x1": "{x1 | data 5 | grad 0.7}", "w1": "{w1 | data 0.7 | grad 5}",
              "b": "{b | data 1 | grad 1}", "m": "{m | data 3.5 | grad 1}",
              "out": "{out | data 4.5 | grad 1}"}
    lines = ["digraph G {", "rankdir=LR;", "node [shape=record, style=filled];"]
    for name, label in labels.items():
        extra = ', color="#d62728", penwidth=3' if name == highlight else ""
        lines.append(f'{name} [label="{label}", fillcolor="{fills[name]}"{extra}];')
    lines += ['mul [label="*", shape=circle];', 'add [label="+", shape=circle];',
              "x1 -> mul; w1 -> mul; mul -> m; m -> add; b -> add; add -> out;", "}"]
    return "\n".join(lines)


NARRATED = [
    ("m", "forward", "m = x1 * w1 = 5 * 0.7 = 3.5"),
    ("out", "forward", "out = m + b = 3.5 + 1 = 4.5"),
    ("w1", "backward", "w1.grad += m.grad * x1 = 1 * 5 = 5"),
    ("b", "backward", "b.grad += out.grad * 1 = 1 * 1 = 1"),
]


@pytest.fixture(scope="module")
def frames() -> list[Frame]:
    return [Frame(svg=dot_to_svg(neuron_dot(node)), narration=text, node=node, kind=kind)
            for node, kind, text in NARRATED]


# --- render_page on its own ---------------------------------------------------------------------

def test_page_inlines_every_frame_without_prologue(frames: list[Frame]) -> None:
    assert frames[0].svg.startswith("<?xml")  # the renderer's real output, prologue included
    page = render_page("out = x1*w1 + b", frames)
    assert page.startswith("<!DOCTYPE html>")
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert page.count("<svg") == len(frames)
    assert page.count('class="frame"') == len(frames)
    assert page.count(" hidden>") == len(frames) - 1  # all but the first start hidden
    ids = re.findall(r'\sid="([^"]*)"', page)
    assert len(ids) == len(set(ids)), "ids clash between inlined SVGs"
    assert "<title>out = x1*w1 + b</title>" in page and "<h1>out = x1*w1 + b</h1>" in page


def test_page_escapes_text() -> None:
    svg = dot_to_svg('digraph { a [label="a"] }')
    evil = "<script>alert(1)</script> & \"quoted\""
    page = render_page("<b>title</b>", [Frame(svg, evil, 'a"><x', "forward"),
                                        Frame(svg, "ok", "a", "backward")])
    assert page.count("<script>") == 1  # the page's own
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;" in page
    assert "<b>title</b>" not in page and "&lt;b&gt;title&lt;/b&gt;" in page
    assert 'data-node="a&quot;&gt;&lt;x"' in page


def test_page_names_no_url_but_the_svg_namespaces(frames: list[Frame]) -> None:
    page = render_page("t", frames)
    rest = page
    for declaration in SVG_NAMESPACES:
        rest = rest.replace(declaration, "")
    assert "http://" not in rest and "https://" not in rest
    for ref in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert ref.startswith(("#", "data:")), ref


def test_frames_are_checked() -> None:
    with pytest.raises(ValueError, match="forward"):
        Frame("<svg></svg>", "x", "a", "sideways")
    with pytest.raises(ValueError, match="at least one"):
        render_page("t", [])
    with pytest.raises(ValueError, match="<svg>"):
        render_page("t", [Frame("<?xml version='1.0'?><p>no</p>", "x", "a", "forward")])


# --- in a real browser --------------------------------------------------------------------------

def check_stepper_page(chromium, page_html: str, tmp_path: Path, *, title: str | None = None,
                       expected: Sequence[tuple[str, str, str]] | None = None) -> None:
    """Open `page_html` from file:// in an offline browser context and step through it every
    way a reader can, checking each state. `expected` lists (node, kind, narration) per step,
    e.g. `[(f.node, f.kind, f.narration) for f in frames]`; without it the page's own frames are
    the reference. Fails on any network request, console error or page error."""
    path = tmp_path / "page.html"
    path.write_text(page_html, encoding="utf-8")
    context = chromium.new_context()
    context.set_offline(True)
    requested: list[str] = []
    blocked: list[str] = []

    def block_network(route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", block_network)
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    console: list[str] = []
    errors: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(path.as_uri())
        frames = page.locator(".frame")
        n = frames.count()
        if expected is None:
            expected = [(frames.nth(i).get_attribute("data-node"),
                         frames.nth(i).get_attribute("data-kind"),
                         frames.nth(i).get_attribute("data-narration")) for i in range(n)]
        assert n == len(expected) >= 2, f"page has {n} frames, expected {len(expected)}"
        if title is not None:
            assert page.title() == title and page.locator("h1").inner_text() == title

        def at(i: int) -> None:
            node, kind, narration = expected[i]
            assert page.locator("#counter").inner_text() == f"Step {i + 1} of {n}"
            assert page.locator("#narration").inner_text() == narration
            visible = page.locator(".frame:visible")
            assert visible.count() == 1, "exactly one frame must be visible"
            assert visible.get_attribute("data-node") == node
            assert visible.get_attribute("data-kind") == kind
            assert visible.get_attribute("data-step") == str(i + 1)
            box = visible.locator("svg").bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0
            current = page.locator("#steps li.current")
            assert current.count() == 1 and current.get_attribute("data-step") == str(i + 1)
            assert page.locator("#prev").is_disabled() == (i == 0)
            assert page.locator("#next").is_disabled() == (i == n - 1)

        at(0)
        page.click("#next")
        at(1)
        page.click("#prev")
        at(0)
        page.keyboard.press("ArrowRight")
        at(1)
        page.keyboard.press("ArrowLeft")
        at(0)
        page.keyboard.press("ArrowLeft")  # already first: stays
        at(0)
        page.keyboard.press("End")
        at(n - 1)
        page.keyboard.press("ArrowRight")  # already last: stays
        at(n - 1)
        page.keyboard.press("Home")
        at(0)
        for i in (n - 1, n // 2, 0):
            page.locator("#steps li").nth(i).click()
            at(i)
        for i in range(1, n):  # walk to the end with the button, as a reader would
            page.click("#next")
            at(i)
    finally:
        context.close()
    assert not blocked, f"page tried the network: {blocked}"
    assert all(url.startswith(("file:", "data:")) for url in requested), requested
    assert not errors, f"page errors: {errors}"
    assert not [line for line in console if line.startswith("error")], console


def test_page_steps_in_a_real_browser(chromium, frames: list[Frame], tmp_path: Path) -> None:
    assert len({f.node for f in frames}) == len({f.narration for f in frames}) == len(frames)
    page_html = render_page("out = x1*w1 + b, step by step", frames)
    check_stepper_page(chromium, page_html, tmp_path, title="out = x1*w1 + b, step by step",
                       expected=[(f.node, f.kind, f.narration) for f in frames])


def test_explain_page_of_the_seed_neuron_steps_in_a_real_browser(chromium, tmp_path: Path
                                                                 ) -> None:
    from weightgrad.engine import Value, explain

    x1, w1, x2, w2, b = (Value(5, "x1"), Value(0.7, "w1"), Value(2, "x2"), Value(0.3, "w2"),
                         Value(1, "b"))
    out = x1 * w1 + x2 * w2 + b
    out.label = "out"
    story = explain(out)
    expected = [(story.name(s.target), s.kind, s.text) for s in story.steps]
    assert ("w1", "backward", "w1.grad += n1.grad * x1 = 1 * 5 = 5") in expected
    check_stepper_page(chromium, story.html(title="seed neuron"), tmp_path,
                       title="seed neuron", expected=expected)
