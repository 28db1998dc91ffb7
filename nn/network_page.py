"""The network page's HTML, CSS and JavaScript (see `nn.network_playground`).

The script shares the engine's evaluator (`wgGraph`, from `engine.playground_eval`) and adds:
SGD training (`nn.optim.SGD`'s arithmetic) on the loss graph, the heat map (the one-point
graph re-evaluated at each grid cell with the current weights), the diagram's edges restyled
by the rule `draw_network` uses, the weight panel, and `window.weightgrad`:
`get(name)` -> {data, grad} of any node of the loss graph (weights by their dotted names,
"loss"); `set(name, x)` a weight; `weights()` their names; `step(lr)` one SGD step;
`train(n, lr)` n steps; `reset()`; `boundary()` -> {xs, ys, values} with values[r·G + c] the
model's output at (xs[c], ys[r]); `steps()` how many steps have run; `accuracy()` the share
of data points on their label's side of the boundary.
"""

from __future__ import annotations

from collections.abc import Sequence

from weightgrad.engine.op import Op
from weightgrad.engine.page import page_start
from weightgrad.engine.palette import NEAR_ZERO, NEGATIVE, POSITIVE
from weightgrad.engine.playground_eval import evaluator_js, js_string

from .draw import NEAR_ZERO_FRACTION
from .network_script import SCRIPT

_CSS = """
.hint { color: #555; margin: 0 0 .8rem; }
#top { display: flex; gap: 1.5rem; flex-wrap: wrap; align-items: flex-start; }
#controls { display: flex; flex-direction: column; gap: .5rem; min-width: 17rem; }
#controls input[type=number] { width: 6rem; font: inherit; }
#loss { font-family: ui-monospace, monospace; }
#loss-curve { background: #fafafa; border: 1px solid #ddd; }
#boundary { border: 1px solid #ddd; }
#network { overflow: auto; max-width: 100%; margin-top: 1rem; }
#network svg { max-width: 100%; height: auto; }
#network g.edge { cursor: pointer; }
#weight { border-top: 1px solid #ddd; padding-top: .5rem; max-width: 40rem; }
#w-steps { white-space: pre-wrap; font-size: .85rem; background: #f4f4f4; padding: .4rem; }
"""


def render_page(title: str, svg: str, data_json: str, ops: Sequence[Op]) -> str:
    """The page: `svg` the inlined network diagram, `data_json` the graphs and the data."""
    colours = ", ".join(js_string(c) for c in (POSITIVE, NEGATIVE, NEAR_ZERO))
    script = (SCRIPT.replace("/*EVALUATOR*/", evaluator_js(ops))
              .replace("/*COLOURS*/", colours)
              .replace("/*NEAR*/", repr(NEAR_ZERO_FRACTION)))
    return page_start(title, _CSS) + f"""\
<p class="hint">Press Train and watch the decision boundary (blue: the model says +1, orange:
-1) reshape behind the data while the edges follow the weights (blue positive, orange
negative, wider for larger |w|). Pause at any step and click an edge: its weight, its gradient
and the chain rule behind it for one data point.</p>
<div id="top">
<div id="controls">
<div><button type="button" id="train">Train</button>
<button type="button" id="step">Step</button>
<button type="button" id="reset">Reset</button></div>
<label>learning rate <input id="lr" type="number" step="any" value="0.1"></label>
<label>speed <select id="speed">
<option value="1">1 step a frame</option><option value="2">2 steps a frame</option>
<option value="5" selected>5 steps a frame</option><option value="10">10 steps a frame</option>
</select></label>
<p id="loss" aria-live="polite"></p>
<svg id="loss-curve" width="260" height="90" viewBox="0 0 260 90" role="img"
 aria-label="the loss over the steps"><polyline id="loss-line" fill="none"
 stroke="{POSITIVE}" stroke-width="2"/></svg>
</div>
<canvas id="boundary" width="320" height="320" role="img"
 aria-label="the decision boundary behind the data"></canvas>
</div>
<div id="network">
{svg}
</div>
<section id="weight" aria-label="the selected weight">
<label>weight <select id="w-pick"></select></label>
<label>value <input id="w-value" type="number" step="any"></label>
<span id="w-grad"></span>
<label>chain rule at data point <input id="w-point" type="number" min="1" step="1" value="1">
</label>
<pre id="w-steps"></pre>
</section>
<script type="application/json" id="wg-network">{data_json}</script>
<script>{script}</script>
</body>
</html>
"""
