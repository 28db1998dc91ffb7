"""Timing machinery shared by every measurement: round-robin rounds, medians, the environment.

The machine is shared and noisy, so contenders alternate (A, B, C, A, B, C, ...) instead of
running in blocks: a burst of load from elsewhere then lands on every contender alike rather
than on whichever block happened to be running. Medians, not means, so one slow round does
not move a figure. Python's garbage collector keeps its default settings throughout (it is
part of what a user's training step costs, and micrograd's reference cycles are exactly what
it is slow at); the run refuses to start if they have been changed.
"""

from __future__ import annotations

import datetime
import gc
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

# A sample runs one repeat of a contender and returns seconds per named phase
# (e.g. {"step": 0.25} or {"forward": 0.1, "backward": 0.2}), timed with time.perf_counter.
Sample = Callable[[], dict[str, float]]


@dataclass
class Contender:
    """One side of a comparison: its name, how to take one sample, and how many to take."""

    name: str
    sample: Sample
    repeats: int


def timed(fn: Callable[[], object], phase: str = "step") -> Sample:
    """A Sample that times one call of `fn` as a single phase."""
    def sample() -> dict[str, float]:
        t0 = time.perf_counter()
        fn()
        return {phase: time.perf_counter() - t0}
    return sample


def round_robin(contenders: list[Contender]) -> dict[str, dict[str, list[float]]]:
    """Take every contender's samples in alternating rounds; seconds[name][phase] per sample.

    Round r runs each contender that still needs samples, in the given order, so one with
    fewer repeats (micrograd, slow) drops out of the later rounds while the others go on.
    """
    times: dict[str, dict[str, list[float]]] = {c.name: {} for c in contenders}
    done = dict.fromkeys(times, 0)
    for _ in range(max(c.repeats for c in contenders)):
        for c in contenders:
            if done[c.name] >= c.repeats:
                continue
            # Collect (off the clock) whatever the previous sample left behind, so nobody is
            # billed for another contender's garbage: micrograd's graphs are reference cycles
            # that only the collector frees, and one may otherwise be collected in the middle
            # of the next contender's sample. The collector is not disabled: collections that
            # a sample's own allocations trigger are still timed, as in real training.
            gc.collect()
            for phase, seconds in c.sample().items():
                times[c.name].setdefault(phase, []).append(seconds)
            done[c.name] += 1
    return times


def medians(times: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, float]]:
    """Median seconds per contender and phase."""
    return {name: {phase: statistics.median(xs) for phase, xs in phases.items()}
            for name, phases in times.items()}


def default_gc_settings() -> tuple[bool, tuple[int, ...]]:
    """This interpreter's out-of-the-box (enabled, thresholds), asked of a pristine child.

    The defaults differ between Python versions, so they are read from a fresh interpreter
    in isolated mode (-I: no environment variables, no user site) without `site` (-S: no
    sitecustomize) rather than hard-coded.
    """
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", "import gc; print(gc.isenabled(), *gc.get_threshold())"],
        capture_output=True, text=True, check=True, timeout=60).stdout.split()
    return out[0] == "True", tuple(int(x) for x in out[1:])


def check_gc_defaults() -> dict[str, object]:
    """The collector's settings here; RuntimeError unless they are this Python's defaults."""
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    default_enabled, default_threshold = default_gc_settings()
    if (enabled, threshold) != (default_enabled, default_threshold):
        raise RuntimeError(
            f"garbage collector settings are not Python's defaults: enabled={enabled}, "
            f"thresholds={threshold} (defaults: enabled={default_enabled}, thresholds="
            f"{default_threshold}); the figures would not be what a user sees, so refusing")
    return {"gc_enabled": enabled, "gc_threshold": list(threshold)}


def environment() -> dict[str, object]:
    """What the figures were measured on: interpreter, platform, GC, recursion limit, date."""
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "machine": platform.machine(),
        **check_gc_defaults(),
        "recursion_limit": sys.getrecursionlimit(),
        "timer": "time.perf_counter",
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
