"""One self-contained HTML page that steps through the frames of a forward and backward pass.

Each frame is a Graphviz SVG picture of the graph with one node highlighted, plus one line of
narration (`w1.grad += out.grad * x1 = 1 * 5 = 5`). The page inlines every SVG and carries its
own CSS and JS, loads nothing from anywhere (a Content-Security-Policy says so to the browser),
and works opened straight from disk. Readers step with the Previous / Next buttons, the arrow
keys, Home / End, or by clicking a step in the list.

What tests and readers can rely on: buttons `#prev` / `#next` (disabled at the ends), `#counter`
("Step k of N"), `#narration`, the list `#steps` whose current `<li>` has class `current`, and
one visible `.frame` per step carrying `data-node` and `data-kind`; `#viewer` mirrors the
current frame's `data-step`, `data-node` and `data-kind`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .page import page_start
from .palette import FILL, NEGATIVE, POSITIVE

KINDS = ("forward", "backward")


@dataclass(frozen=True)
class Frame:
    """One step: a complete SVG document from `dot -Tsvg`, its narration, what it highlights."""

    svg: str
    narration: str
    node: str
    kind: str  # "forward" or "backward"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Frame.kind must be 'forward' or 'backward', not {self.kind!r}")


_SVG_START = re.compile(r"<svg[\s>]")
# Graphviz numbers its ids from scratch in every picture (graph0, node1, ...); inlined side by
# side they would clash, and a url(#...) gradient would resolve into a hidden frame, which
# Chromium does not paint. Each frame's ids therefore get a prefix of their own.
_ID_ATTR = re.compile(r'(\sid=")([^"]*)(")')
_ID_REF = re.compile(r'(url\(#|href="#)([^)"]*)')


def inline_svg(svg: str, prefix: str) -> str:
    """The `<svg>` element of a dot -Tsvg document, without the XML prologue, DOCTYPE and
    leading comments (not valid inside HTML), with every id and id reference given `prefix`."""
    match = _SVG_START.search(svg)
    if match is None:
        raise ValueError("frame has no <svg> element; expected the output of dot -Tsvg")
    body = svg[match.start():].strip()
    body = _ID_ATTR.sub(lambda m: f"{m[1]}{prefix}{m[2]}{m[3]}", body)
    return _ID_REF.sub(lambda m: f"{m[1]}{prefix}{m[2]}", body)


_CSS = """
.controls { display: flex; gap: .6rem; align-items: center; margin-bottom: .5rem; }
.controls button { font: inherit; padding: .2rem .8rem; }
#narration { font-family: ui-monospace, monospace; font-size: 1.05rem; margin: .4rem 0 .8rem;
  padding: .4rem .6rem; background: #f4f4f4; border-left: 4px solid #888; }
#viewer[data-kind="forward"] #narration { border-left-color: #2e7d32; }
#viewer[data-kind="backward"] #narration { border-left-color: POSITIVE; }
.frame { margin: 0; overflow: auto; }
.frame svg { max-width: 100%; height: auto; }
#steps { font-family: ui-monospace, monospace; font-size: .9rem; }
#steps li { cursor: pointer; padding: .05rem .3rem; }
#steps li:hover { background: #eef; }
#steps li.current { background: #ffe98a; font-weight: bold; }
#steps .kind { color: #777; margin-right: .5em; }
""".replace("POSITIVE", POSITIVE)

# Reads everything from the DOM the page already shows, so it works without JS (first frame).
_JS = """
(function () {
  "use strict";
  var viewer = document.getElementById("viewer");
  var frames = Array.prototype.slice.call(document.querySelectorAll(".frame"));
  var items = Array.prototype.slice.call(document.querySelectorAll("#steps li"));
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  var counter = document.getElementById("counter");
  var narration = document.getElementById("narration");
  var current = 0;

  function show(i) {
    current = Math.max(0, Math.min(frames.length - 1, i));
    frames.forEach(function (f, k) {
      f.hidden = k !== current;
      if (k === current) { f.setAttribute("aria-current", "step"); }
      else { f.removeAttribute("aria-current"); }
    });
    items.forEach(function (li, k) { li.classList.toggle("current", k === current); });
    var frame = frames[current];
    viewer.dataset.step = String(current + 1);
    viewer.dataset.node = frame.dataset.node;
    viewer.dataset.kind = frame.dataset.kind;
    counter.textContent = "Step " + (current + 1) + " of " + frames.length;
    narration.textContent = frame.dataset.narration;
    prev.disabled = current === 0;
    next.disabled = current === frames.length - 1;
    items[current].scrollIntoView({block: "nearest"});
  }

  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  items.forEach(function (li, k) { li.addEventListener("click", function () { show(k); }); });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }  // leave browser shortcuts alone
    var to = {ArrowLeft: current - 1, ArrowRight: current + 1,
              Home: 0, End: frames.length - 1}[e.key];
    if (to !== undefined) { e.preventDefault(); show(to); }
  });
  show(0);
})();
"""

def _swatch(colour: str, text: str, dashed: bool = False) -> str:
    border = "border-style:dashed;" if dashed else ""
    return f'<span class="swatch" style="background:{colour};{border}"></span>{text}'


# Built from the pictures' own colours (engine.palette), so the legend says what the pictures show.
_LEGEND = "Colours: " + "".join([
    _swatch(FILL["input"], "inputs grey"),
    _swatch(FILL["parameter"], "parameters yellow"),
    _swatch(FILL["constant"], "constants dashed", dashed=True),
    _swatch(FILL["output"], "output green; gradient sign"),
    _swatch(POSITIVE, "blue positive"),
    _swatch(NEGATIVE, "orange negative"),
])



def render_page(title: str, frames: Sequence[Frame]) -> str:
    """The HTML text of one self-contained page that steps through `frames` in order."""
    if not frames:
        raise ValueError("render_page needs at least one frame")
    esc = html.escape
    n = len(frames)
    first = frames[0]
    figures, items = [], []
    for k, frame in enumerate(frames, start=1):
        hidden = "" if k == 1 else " hidden"
        figures.append(
            f'<figure class="frame" id="frame-{k}" data-step="{k}" data-node="{esc(frame.node)}"'
            f' data-kind="{esc(frame.kind)}" data-narration="{esc(frame.narration)}"{hidden}>\n'
            f"{inline_svg(frame.svg, f'f{k}-')}\n</figure>"
        )
        current = ' class="current"' if k == 1 else ""
        items.append(f'<li{current} data-step="{k}"><span class="kind">{esc(frame.kind)}</span>'
                     f"{esc(frame.narration)}</li>")
    disabled_next = " disabled" if n == 1 else ""
    return page_start(title, _CSS) + f"""<p class="legend">{_LEGEND}</p>
<main id="viewer" data-step="1" data-node="{esc(first.node)}" data-kind="{esc(first.kind)}">
<div class="controls">
<button type="button" id="prev" disabled>&larr; Previous</button>
<button type="button" id="next"{disabled_next}>Next &rarr;</button>
<span id="counter" aria-live="polite">Step 1 of {n}</span>
<span class="hint">(arrow keys, Home, End)</span>
</div>
<p id="narration">{esc(first.narration)}</p>
{chr(10).join(figures)}
<ol id="steps">
{chr(10).join(items)}
</ol>
</main>
<script>{_JS}</script>
</body>
</html>
"""
