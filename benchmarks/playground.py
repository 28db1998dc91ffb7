"""The live page's speed and agreement, in headless Chromium: one edit of the largest graph
the page accepts (re-evaluate every value and gradient, rewrite the picture's numbers, and
lay the page out again), median of 50 edits; and the largest difference between the page's
numbers and the Python engine's over that graph (the browser's libm may differ from CPython's
in the last bit for exp, log, tanh, pow).
"""

from __future__ import annotations

import math
import statistics
import tempfile
from pathlib import Path
from typing import Any

from weightgrad.engine import Value, playground, topological_order
from weightgrad.engine.names import MAX_NODES
from weightgrad.nn import MLP

EDITS = 50
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def largest_graph(first: float = -1.0) -> tuple[Value, str]:
    """A tanh MLP's loss summed over as many points as fit in one page (wsum, tanh, sigmoid,
    exp, log, sub, powc and add nodes, just under the page's node limit), with `first` as the
    first input; and that input's name."""
    model = MLP(2, [8, 8, 1], activation="tanh", seed=0)
    loss: Value | None = None
    for k in range(1000):
        x = [Value(first if k == 0 else 0.1 * k - 1.0, f"x{k}_0"),
             Value(1.0 - 0.07 * k, f"x{k}_1")]
        score = model(x)
        term = (score.sigmoid() - 0.5) ** 2 + (1.0 + (-score).exp()).log()
        bigger = term if loss is None else loss + term
        if len(topological_order(bigger)) > MAX_NODES:
            break
        loss = bigger
    assert loss is not None
    loss.label = "loss"
    return loss, "x0_0"


def measure() -> dict[str, Any]:
    """Median ms per edit, and the largest page-vs-Python difference relative to the larger of
    the node's magnitude and the graph's largest finite number; ms None without Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"ms": None, "why": "playwright is not installed"}
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return {"ms": None, "why": "no Chromium (make browser installs Debian's)"}
    root, name = largest_graph()
    page_of_root = playground(root)
    names = [page_of_root.names[id(v)] for v in page_of_root.order]
    with tempfile.TemporaryDirectory() as folder:
        path = page_of_root.save_html(Path(folder) / "largest.html")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium), args=ARGS)
            page = browser.new_page()
            page.goto(path.as_uri())
            times = page.evaluate("""([name, n]) => {
                const wg = window.weightgrad, start = wg.get(name).data, ms = [];
                for (let k = 1; k <= n; k++) {
                  const t0 = performance.now();
                  wg.set(name, start + 0.01 * k);
                  document.body.getBoundingClientRect();  // style and layout, as painted
                  ms.push(performance.now() - t0);
                }
                return ms;
            }""", [name, EDITS])
            got = page.evaluate("(ns) => ns.map(n => window.weightgrad.get(n))", names)
            browser.close()
    final, _ = largest_graph(first=-1.0 + 0.01 * EDITS)  # Python at the page's last value
    final.backward()
    truth = [(v.data, v.grad) for v in playground(final).order]
    scale = max(abs(t) for pair in truth for t in pair if math.isfinite(t))
    worst = max(abs(js[key] - py[k]) / max(abs(py[k]), scale)
                for js, py in zip(got, truth) for k, key in enumerate(("data", "grad")))
    return {"ms": statistics.median(times), "nodes": len(names), "edits": EDITS,
            "max_relative_difference": worst}
