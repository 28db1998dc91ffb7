"""The playground's page: HTML, CSS and the JavaScript that recomputes the graph on each edit.

The evaluator follows `backward()` exactly: forward in topological order, then every node's
gradient passed to its parents in reverse order, each parent in `accumulation_order`, each
contribution the op's `chain` (g · d, or (g / divisor) · numerator for a quotient). So + - * /,
neg and relu give the same bits as Python; exp, log, pow, tanh go through the browser's libm.

The JavaScript API, for tests and for people who script the page (`window.weightgrad`):
`get(name)` -> {data, grad} at full precision, for any node; `set(name, x)` for an editable
leaf, recomputing everything before it returns; `leaves()` -> the editable leaves' names in
the picture's order; `step(lr)` moves every parameter by -lr·grad (inputs never) and
recomputes; `reset()` restores the values the page was built with. An unknown name, or `set`
of a node that is not an editable leaf, throws an Error naming it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from .explain_html import _LEGEND
from .ops import Op
from .page import page_start
from .palette import NEGATIVE, POSITIVE, UNKNOWN, ZERO
from .playground_eval import evaluator_js, js_string

_CSS = """
#layout { display: flex; gap: 1.2rem; align-items: flex-start; flex-wrap: wrap; }
#leaves { min-width: 18rem; }
#leaves .leaf { display: grid; grid-template-columns: 6rem 7rem 9rem; gap: .4rem;
  align-items: center; padding: .15rem .3rem; border-radius: 4px; }
#leaves .leaf.selected { background: #ffe98a; }
#leaves .leaf .name { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
#leaves .leaf .name small { color: #777; margin-left: .3em; }
#leaves input[type=number] { width: 6.5rem; font: inherit; }
#tools { display: flex; flex-direction: column; gap: .8rem; }
#tools section { border-top: 1px solid #ddd; padding-top: .5rem; }
#lr { width: 6rem; font: inherit; }
#curve { display: block; margin-top: .4rem; background: #fafafa; border: 1px solid #ddd; }
#curve-note { font-family: ui-monospace, monospace; font-size: .85rem; margin: .2rem 0; }
#goal { font-weight: bold; }
#goal-status { font-weight: normal; }
#goal-status.reached { color: #2e7d32; font-weight: bold; }
#quiz .sign { display: block; margin: .15rem 0; }
#quiz .right, #quiz-feedback.right { color: #2e7d32; }
#quiz .wrong, #quiz-feedback.wrong { color: #b00020; }
#quiz-feedback { white-space: pre-wrap; font-size: .9rem; }
#readout { font-family: ui-monospace, monospace; padding: .4rem .6rem; background: #f4f4f4;
  border-left: 4px solid POSITIVE; min-height: 1.4em; }
#picture { overflow: auto; max-width: 100%; }
#picture svg { max-width: 100%; height: auto; }
#picture g.node.wg-selected polygon[stroke="black"] { stroke: #b8860b; stroke-width: 3; }
""".replace("POSITIVE", POSITIVE)

def render_page(title: str, svg: str, data: dict, ops: Sequence[Op]) -> str:
    """The page's HTML: `svg` the inlined picture, `data` the graph JSON, `ops` its ops."""
    from .playground import page_json
    from .playground_learn import LEARN
    from .playground_script import SCRIPT

    script = (SCRIPT.replace("/*EVALUATOR*/", evaluator_js(ops))
              .replace("/*COLOURS*/", f"{js_string(POSITIVE)}, {js_string(NEGATIVE)}, "
                                      f"{js_string(ZERO)}, {js_string(UNKNOWN)}")
              .replace("/*LEARN*/", LEARN))
    esc = html.escape
    goal = ""
    if data.get("goal"):
        target, tol = data["goal"]["target"], data["goal"]["tol"]
        root = esc(data["nodes"][-1]["name"])
        goal = (f'<p id="goal">Goal: make {root} = {target:.12g} (within {tol:g}). '
                '<span id="goal-status" aria-live="polite"></span></p>')
    else:
        goal = '<p id="goal" hidden><span id="goal-status"></span></p>'
    return page_start(title, _CSS) + f"""\
<p class="legend">{_LEGEND}. Edit any leaf: every value and gradient is recomputed, and
the numbers an edit changed are underlined.</p>
<p id="readout" aria-live="polite"></p>
{goal}
<div id="layout">
<div id="tools">
<div id="leaves" role="group" aria-label="editable leaves"></div>
<section id="descent" aria-label="gradient descent by hand">
<label>learning rate <input id="lr" type="number" step="any" value="0.01"></label>
<button type="button" id="step">Step</button> <button type="button" id="reset">Reset</button>
<svg id="curve" width="240" height="80" viewBox="0 0 240 80" role="img"
 aria-label="the output over the steps"><polyline id="curve-line" fill="none"
 stroke="{POSITIVE}" stroke-width="2"/></svg>
<p id="curve-note"></p>
</section>
<section id="back-to-python">
<button type="button" id="copy-python">Copy the leaves as Python</button>
<textarea id="python-text" rows="6" cols="32" readonly hidden
 aria-label="the leaves as Python assignments"></textarea>
</section>
<section id="quiz-section">
<button type="button" id="quiz-start">Quiz me on the gradients</button>
<div id="quiz" hidden>
<div id="quiz-signs"></div>
<button type="button" id="quiz-signs-check">Check the signs</button>
<p id="quiz-question"></p>
<input id="quiz-answer" type="text" inputmode="decimal" aria-label="your answer" hidden>
<button type="button" id="quiz-check" hidden>Check</button>
<pre id="quiz-feedback" aria-live="polite"></pre>
<p id="quiz-score" aria-live="polite"></p>
<button type="button" id="quiz-stop">End the quiz</button>
</div>
</section>
</div>
<div id="picture">
{svg}
</div>
</div>
<script type="application/json" id="wg-graph">{page_json(data)}</script>
<script>{script}</script>
</body>
</html>
"""
