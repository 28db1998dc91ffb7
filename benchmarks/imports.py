"""How long `import weightgrad.engine` (and `weightgrad.nn`) takes in a fresh interpreter, beside
micrograd's, and which heavy modules each import pulls in.

Each sample starts a new Python, imports the package, and reports the import's own time
(measured inside the child with time.perf_counter, so interpreter start-up is not counted)
and whether graphviz or subprocess were loaded: the core must load neither (the pictures load
Graphviz on first use).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from benchmarks.harness import Contender, round_robin

CHILD = ("import sys, time; t = time.perf_counter(); import {module}; "
         "s = time.perf_counter() - t; import json; heavy = ('graphviz', 'subprocess'); "
         "print(json.dumps([s, sorted(m for m in heavy if m in sys.modules)]))")

CONTENDERS = {"weightgrad": "weightgrad.engine", "weightgrad.nn": "weightgrad.nn",
              "micrograd": "micrograd.engine"}


def _child(module: str) -> tuple[float, list[str]]:
    out = subprocess.run([sys.executable, "-c", CHILD.format(module=module)],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    seconds, loaded = json.loads(out)
    return seconds, loaded


def measure(repeats: int) -> dict[str, object]:
    """Median import ms per contender, and the heavy modules each one loaded."""
    loaded: dict[str, list[str]] = {}

    def sample(name: str) -> dict[str, float]:
        seconds, loaded[name] = _child(CONTENDERS[name])
        return {"import": seconds}

    times = round_robin([Contender(name, lambda n=name: sample(n), repeats)
                         for name in CONTENDERS])
    ms = {name: statistics.median(t["import"]) * 1000 for name, t in times.items()}
    return {"ms": ms, "loaded": loaded, "repeats": repeats}
