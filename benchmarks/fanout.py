"""Rendering graphs with high fan-out: a leaf used 300 times (`x + x + ... + x`) and an
intermediate used 100 times. Laid out naively such graphs took graphviz-pure 120 s (and crashed
Graphviz's dot); drawn with one full record and a small copy at every other use, they must
render well under the 2 s a picture may take."""

from __future__ import annotations

import statistics
import time
from typing import Any

from weightgrad.engine import RendererNotFound, Value, draw_graph, render_svg

CASES = {"a leaf used 300 times": (300, True), "an intermediate used 100 times": (100, False)}


def fan_out(uses: int, leaf: bool) -> Value:
    x = Value(1.5, "x")
    shared = x if leaf else x * 2.0
    out = shared
    for _ in range(uses - 1):
        out = out + shared
    return out


def measure(repeats: int) -> dict[str, Any]:
    """Median seconds of draw_graph + render_svg per case (None without a renderer)."""
    seconds: dict[str, float | None] = {}
    for name, (uses, leaf) in CASES.items():
        root = fan_out(uses, leaf)
        samples = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            try:
                render_svg(draw_graph(root))
            except RendererNotFound:
                break
            samples.append(time.perf_counter() - t0)
        seconds[name] = statistics.median(samples) if samples else None
    return {"s": seconds, "repeats": repeats}
