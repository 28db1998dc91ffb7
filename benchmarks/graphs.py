"""Measurements 2-5: a very deep chain, a wide graph, bytes per node, and drawing an MLP.

Each graph is built by one function that takes the engine's Value class, so weightgrad and
micrograd build exactly the same graph from the same numbers, using only the ops both have
(+, * and relu: micrograd 0.1.0 has no tanh). Every op has two Value operands or one, never a
plain number, so each op creates exactly one node and "nodes" means the same on both sides.
"""

from __future__ import annotations

import gc
import math
import random
import statistics
import time
import tracemalloc
from pathlib import Path
from typing import Any

from benchmarks.harness import Contender, medians, round_robin
from benchmarks.moons import SEED, SIZES, AgreementError, micrograd
from weightgrad.engine import Value, draw_graph, render_svg, topological_order
from weightgrad.engine.render import RendererNotFound, find_renderer
from weightgrad.nn import MLP, make_moons

ADD, MUL, RELU = 0, 1, 2


def chain_backward(n_ops: int, repeats: int) -> dict[str, Any]:
    """Seconds for weightgrad's backward through `y = y + x` repeated n_ops times.

    The chain is rebuilt for every repeat, so a backward that caches its walk could not
    reuse it; only `y.backward()` is timed. dy/dx is n_ops + 1, exact in floating point.
    """
    backward_s, build_s = [], []
    for _ in range(repeats):
        gc.collect()
        x = Value(0.5)
        y = x
        t0 = time.perf_counter()
        for _ in range(n_ops):
            y = y + x
        build_s.append(time.perf_counter() - t0)
        try:
            t0 = time.perf_counter()
            y.backward()
            backward_s.append(time.perf_counter() - t0)
        except RecursionError:
            return {"s": None, "error": f"RecursionError at {n_ops:,} ops", "n_ops": n_ops}
        if x.grad != n_ops + 1:
            raise AgreementError(f"chain of {n_ops:,} ops: x.grad = {x.grad!r}, "
                                 f"expected {n_ops + 1}")
        del x, y  # free this chain before building the next
    return {"s": statistics.median(backward_s), "build_s": statistics.median(build_s),
            "n_ops": n_ops, "repeats": repeats, "error": None}


def micrograd_chain(n_ops: int = 1000) -> str:
    """What micrograd's (recursive) backward does on an n_ops-deep chain; the limit stays."""
    MicroValue, _ = micrograd()
    x = MicroValue(0.5)
    y = x
    for _ in range(n_ops):
        y = y + x
    try:
        y.backward()
    except RecursionError:
        return f"RecursionError at {n_ops:,} ops"
    return f"no error at {n_ops:,} ops"


def wide_plan(n_nodes: int, n_leaves: int, rng: random.Random
              ) -> tuple[list[float], list[list[tuple[int, int, int]]]]:
    """Leaf values and a level-by-level recipe for a wide graph of about n_nodes ops.

    Levels of `width` nodes (a power of two) each combine the level below: prev[i] + prev[j],
    prev[i] * leaf[j] or relu(prev[i]); a pairwise sum then joins the last level into one root.
    The depth is about n_nodes / width + log2(width), ~60 for 200,000 nodes, far within
    micrograd's recursion limit. Made in advance so that timing covers building, not planning.
    """
    width = 2 ** max(1, int(math.log2(max(2.0, n_nodes / 40))))
    levels = max(1, (n_nodes - (width - 1)) // width)
    leaves = [rng.uniform(-1.0, 1.0) for _ in range(n_leaves)]
    plan = []
    for _ in range(levels):
        level = []
        for i in range(width):
            kind = rng.randrange(3)
            j = rng.randrange(width) if kind == ADD else rng.randrange(n_leaves)
            level.append((kind, i, j))
        plan.append(level)
    while width > 1:
        width //= 2
        plan.append([(ADD, 2 * i, 2 * i + 1) for i in range(width)])
    return leaves, plan


def build_wide(value_cls: type, leaf_values: list[float], plan: list[list[tuple[int, int, int]]]
               ) -> tuple[list[Any], Any, float]:
    """(leaves, root, seconds to build) of the planned graph with `value_cls`'s Values."""
    leaves = [value_cls(v) for v in leaf_values]
    prev = [leaves[i % len(leaves)] for i in range(len(plan[0]))]
    t0 = time.perf_counter()
    for level in plan:
        cur = []
        append = cur.append
        for kind, i, j in level:
            if kind == ADD:
                append(prev[i] + prev[j])
            elif kind == MUL:
                append(prev[i] * leaves[j])
            else:
                append(prev[i].relu())
        prev = cur
    return leaves, prev[0], time.perf_counter() - t0


def wide_graph(n_nodes: int, n_leaves: int, repeats: int) -> dict[str, Any]:
    """Forward (building) and backward nodes per second on the wide graph, both engines.

    First a check that both engines give the same root and leaf gradients on it; then
    `repeats` rounds alternating weightgrad and micrograd, each building a fresh graph.
    """
    MicroValue, _ = micrograd()
    leaf_values, plan = wide_plan(n_nodes, n_leaves, random.Random(SEED))
    n_ops = sum(len(level) for level in plan)
    ours = build_wide(Value, leaf_values, plan)
    theirs = build_wide(MicroValue, leaf_values, plan)
    ours[1].backward()
    theirs[1].backward()
    pairs = [(ours[1].data, theirs[1].data)] + [(a.grad, b.grad) for a, b in zip(ours[0],
                                                                                 theirs[0])]
    if not all(math.isfinite(a) for a, _ in pairs):
        raise AgreementError("wide graph: a value or gradient is not finite; fix the plan")
    bad = [(a, b) for a, b in pairs if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)]
    if bad:
        raise AgreementError(f"wide graph: weightgrad and micrograd differ in {len(bad)} of "
                             f"{len(pairs)} root/leaf-gradient values, e.g. {bad[:3]}")
    del ours, theirs

    def sample(value_cls: type) -> dict[str, float]:
        _, root, forward = build_wide(value_cls, leaf_values, plan)
        t0 = time.perf_counter()
        root.backward()
        return {"forward": forward, "backward": time.perf_counter() - t0}

    times = round_robin([Contender("weightgrad", lambda: sample(Value), repeats),
                         Contender("micrograd", lambda: sample(MicroValue), repeats)])
    seconds = medians(times)
    return {"n_ops": n_ops, "depth": len(plan), "width": len(plan[0]), "repeats": repeats,
            "forward": {k: n_ops / s["forward"] for k, s in seconds.items()},
            "backward": {k: n_ops / s["backward"] for k, s in seconds.items()}}


def _traced_bytes() -> int:
    gc.collect()  # count what the graph keeps, not garbage waiting for the collector
    return tracemalloc.get_traced_memory()[0]


def bytes_per_node(value_cls: type, n_nodes: int) -> dict[str, float]:
    """Traced memory per node of a graph of about n_nodes `y = y * w` ops, before/after backward.

    The graph is many chains (depth ~100, so micrograd's recursive backward copes) joined
    pairwise by + into one root; one fixed leaf w, so no op adds a constant leaf.
    """
    n_chains = 2 ** max(1, round(math.log2(max(2.0, n_nodes / 100))))
    length = max(1, (n_nodes - (n_chains - 1)) // n_chains)
    n_ops = n_chains * length + n_chains - 1
    # Differences of traced memory are all that is used, so tracing someone else started
    # (python -X tracemalloc) is fine to share; only tracing started here is stopped here.
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        starts = [value_cls(1.0 + i / n_chains) for i in range(n_chains)]
        w = value_cls(1.000001)
        base = _traced_bytes()
        ends = []
        for y in starts:
            for _ in range(length):
                y = y * w
            ends.append(y)
        while len(ends) > 1:
            ends = [ends[i] + ends[i + 1] for i in range(0, len(ends), 2)]
        root = ends[0]
        forward = _traced_bytes() - base
        root.backward()
        after = _traced_bytes() - base
    finally:
        if started:
            tracemalloc.stop()
    return {"forward": forward / n_ops, "backward": after / n_ops, "n_ops": n_ops}


def memory(n_nodes: int) -> dict[str, Any]:
    """Bytes per node for weightgrad and micrograd on the same graph."""
    MicroValue, _ = micrograd()
    result = {"weightgrad": bytes_per_node(Value, n_nodes),
              "micrograd": bytes_per_node(MicroValue, n_nodes)}
    return {"n_ops": result["weightgrad"]["n_ops"],
            "forward": {k: v["forward"] for k, v in result.items()},
            "backward": {k: v["backward"] for k, v in result.items()}}


def svg_render(repeats: int) -> dict[str, Any]:
    """Median seconds of draw_graph + render_svg for MLP(2, [16, 16, 1])'s forward graph.

    Drawn unfused (one node per multiply and add), the largest form of that graph: the
    default fused model draws about a third as many nodes.
    """
    xs, _ = make_moons(100, noise=0.1, seed=0)
    root = MLP(2, SIZES[1:], seed=SEED, fused=False)(xs[0])
    nodes = len(topological_order(root))
    try:
        renderer = Path(find_renderer()).name
    except RendererNotFound as e:
        # A machine without Graphviz is not a broken engine: report it, measure the rest.
        return {"s": None, "repeats": 0, "renderer": f"none ({e})", "nodes": nodes,
                "svg_bytes": None}
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        svg = render_svg(draw_graph(root))
        seconds.append(time.perf_counter() - t0)
    if "<svg" not in svg:
        raise AgreementError("render_svg returned no SVG")
    return {"s": statistics.median(seconds), "repeats": repeats, "renderer": renderer,
            "nodes": nodes, "svg_bytes": len(svg.encode("utf-8"))}
