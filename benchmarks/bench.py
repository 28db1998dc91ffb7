"""weightgrad against micrograd 0.1.0 and hand-written Python: speed and memory, one table.

    python -m benchmarks.bench            # full sizes (about a minute)
    python -m benchmarks.bench --quick    # smaller sizes, fewer repeats (a smoke run)
    python -m benchmarks.bench --json out/bench.json

Measures (1) a moons training step, three ways, after checking all three agree; (1b) an epoch
of the digits lesson against plain Python and a 32-sample digits step against micrograd
(benchmarks/digits.py), each checked to agree first; (2) backward through a 1,000,000-op chain
(and that micrograd's recursion fails at 1,000); (3) nodes per second building and
back-propagating a wide graph; (4) traced bytes per graph node; (5) drawing and rendering
MLP(2, [16, 16, 1])'s graph as SVG; (6) import time in a fresh interpreter, and that the core
loads neither graphviz nor subprocess. Progress goes to stderr, the table to stdout. A missed
target prints MISS and the exit status stays 0; contenders that disagree raise AgreementError.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import digits, fanout, graphs, imports, moons, network_page, playground
from benchmarks.harness import environment
from benchmarks.report import header, table
from benchmarks.summary import notes, summarize

# Every key of result["measurements"]; each maps contender name -> a positive number.
MEASUREMENT_KEYS = (
    "moons_step_ms", "chain_backward_s", "wide_forward_nodes_per_s",
    "wide_backward_nodes_per_s", "bytes_per_node_forward", "bytes_per_node_after_backward",
    "svg_render_s", "import_ms", "fanout_svg_s", "playground_edit_ms",
    "network_page_steps_per_s", "digits_epoch_s", "digits_step_ms",
)


@dataclass(frozen=True)
class Sizes:
    """How big and how often; micrograd's moons step takes seconds, so it gets fewer repeats."""

    moons_repeats: tuple[tuple[str, int], ...] = (("weightgrad", 20), ("micrograd", 5),
                                                  ("plain", 20))
    chain_ops: int = 1_000_000
    chain_repeats: int = 3
    micrograd_chain_ops: int = 1_000
    wide_nodes: int = 200_000
    wide_leaves: int = 1_000
    wide_repeats: int = 3
    memory_nodes: int = 100_000
    svg_repeats: int = 3
    import_repeats: int = 7
    digits_batches: int | None = None  # None: the whole epoch (45 batches of 32)
    digits_repeats: int = 5
    digits_step_samples: int = 32
    digits_step_repeats: tuple[tuple[str, int], ...] = (("weightgrad", 10), ("micrograd", 3))


FULL = Sizes()
QUICK = Sizes(moons_repeats=(("weightgrad", 3), ("micrograd", 1), ("plain", 3)),
              chain_ops=100_000, wide_nodes=20_000, memory_nodes=20_000, svg_repeats=1,
              import_repeats=1, digits_batches=4, digits_repeats=1, digits_step_samples=4,
              digits_step_repeats=(("weightgrad", 1), ("micrograd", 1)))


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(sizes: Sizes) -> dict[str, Any]:
    """Take every measurement; the raw results, keyed by measurement."""
    progress("moons step: agreement check, then round-robin timing")
    out: dict[str, Any] = {"moons": moons.measure(dict(sizes.moons_repeats))}
    progress("digits: an epoch against plain Python, a step against micrograd (agreement "
             "checked first)")
    out["digits_epoch"] = digits.measure_epoch(sizes.digits_batches, sizes.digits_repeats)
    out["digits_step"] = digits.measure_step(sizes.digits_step_samples,
                                             dict(sizes.digits_step_repeats))
    progress(f"backward through a {sizes.chain_ops:,}-op chain")
    out["chain"] = graphs.chain_backward(sizes.chain_ops, sizes.chain_repeats)
    out["micrograd_chain"] = graphs.micrograd_chain(sizes.micrograd_chain_ops)
    progress(f"wide graph of ~{sizes.wide_nodes:,} nodes")
    out["wide"] = graphs.wide_graph(sizes.wide_nodes, sizes.wide_leaves, sizes.wide_repeats)
    progress(f"bytes per node, ~{sizes.memory_nodes:,} nodes")
    out["memory"] = graphs.memory(sizes.memory_nodes)
    progress("SVG of MLP(2, [16, 16, 1])'s forward graph")
    out["svg"] = graphs.svg_render(sizes.svg_repeats)
    progress("SVG of graphs with high fan-out")
    out["fanout"] = fanout.measure(sizes.svg_repeats)
    progress("playground page: edits of the largest graph in headless Chromium")
    out["playground"] = playground.measure()
    progress("network page: training live in headless Chromium")
    out["network_page"] = network_page.measure()
    progress("import time, fresh interpreters")
    out["imports"] = imports.measure(sizes.import_repeats)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes and fewer repeats (for a smoke run)")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="also write the figures as JSON to PATH")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    meta = {**environment(), "quick": args.quick, "sizes": asdict(sizes)}
    result, rows = summarize(run(sizes), meta)
    print(header(meta))
    print()
    print(table(rows))
    print()
    print(notes(result))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        progress(f"wrote {args.json}")
    return result


if __name__ == "__main__":
    main()
