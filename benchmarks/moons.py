"""Measurement 1: one training step of micrograd's moons classifier, three ways.

The step is micrograd's demo.ipynb: MLP(2, [16, 16, 1]) on 100 moons points, hinge loss plus
1e-4 · Σ w², zero the grads, backward, SGD at a fixed learning rate. The three contenders
(weightgrad, micrograd 0.1.0, hand-written plain Python) start from the same weights, and one
step of each must give the same loss and the same updated weights before anything is timed:
a fast step that computes something else would be a meaningless figure.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks import plain
from benchmarks.harness import Contender, medians, round_robin, timed
from weightgrad.nn import MLP, hinge_loss, l2_penalty, make_moons
from weightgrad.nn.optim import SGD

SEED = 1337
SIZES = [2, 16, 16, 1]
LR = 0.1
ALPHA = 1e-4  # L2 strength in micrograd's demo
TOLERANCE = 1e-9


class AgreementError(AssertionError):
    """Contenders that should compute the same numbers do not."""


def micrograd() -> tuple[Any, Any]:
    """micrograd 0.1.0's (engine.Value, nn.MLP); ImportError saying how to get it."""
    try:
        from micrograd.engine import Value
        from micrograd.nn import MLP as MicroMLP
    except ImportError as e:
        raise ImportError("micrograd 0.1.0 is needed for the comparison: "
                          "pip install micrograd==0.1.0 (it is in the dev extra)") from e
    return Value, MicroMLP


def weightgrad_mlp(sizes: list[int], weights: list[float]) -> MLP:
    """weightgrad's MLP of `sizes` holding `weights` (flat, in parameters() order)."""
    model = MLP(sizes[0], sizes[1:], seed=0)  # its drawn weights are replaced below
    for p, w in zip(model.parameters(), weights, strict=True):
        p.data = w
    return model


def micrograd_mlp(sizes: list[int], weights: list[float]) -> tuple[Any, Any]:
    """micrograd's Value class and its MLP of `sizes` holding `weights`."""
    Value, MicroMLP = micrograd()
    state = random.getstate()  # micrograd draws from the global generator; leave it as it was
    model = MicroMLP(sizes[0], sizes[1:])
    random.setstate(state)
    for p, w in zip(model.parameters(), weights, strict=True):
        p.data = w
    return Value, model


def update(opt: Any, loss: Any) -> float:
    """One step of a weightgrad optimizer on `loss`; the loss's value."""
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.data


@dataclass
class Step:
    """A contender's training step (returns the loss) and its current parameters, flat."""

    name: str
    step: Callable[[], float]
    params: Callable[[], list[float]]


def weightgrad_step(xs: list[list[float]], ys: list[int], weights: list[float]) -> Step:
    model = weightgrad_mlp(SIZES, weights)
    opt = SGD(model.parameters(), lr=LR)

    def step() -> float:
        # Inputs go in as plain floats, as in the README and demos/moons.py.
        scores = [model(x) for x in xs]
        return update(opt, hinge_loss(scores, ys) + ALPHA * l2_penalty(model.parameters()))

    return Step("weightgrad", step, lambda: [p.data for p in model.parameters()])


def micrograd_step(xs: list[list[float]], ys: list[int], weights: list[float]) -> Step:
    Value, model = micrograd_mlp(SIZES, weights)

    def step() -> float:
        # Verbatim in substance from micrograd's demo.ipynb (the accuracy line left out).
        inputs = [list(map(Value, xrow)) for xrow in xs]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        for p in model.parameters():
            p.data -= LR * p.grad
        return total_loss.data

    return Step("micrograd", step, lambda: [p.data for p in model.parameters()])


def plain_step(xs: list[list[float]], ys: list[int], weights: list[float]) -> Step:
    W, B = plain.unflatten(weights, SIZES)
    return Step("plain", lambda: plain.train_step(W, B, xs, ys, LR, ALPHA),
                lambda: plain.flatten(W, B))


def _max_diff(a: list[float], b: list[float]) -> float:
    if len(a) != len(b):
        raise AgreementError(f"parameter counts differ: {len(a)} and {len(b)}")
    return max(abs(x - y) for x, y in zip(a, b))


def build_and_check() -> tuple[list[Step], dict[str, float]]:
    """The three contenders from weightgrad's seeded weights, each one step in; the agreement.

    Raises AgreementError unless the three losses agree to TOLERANCE and the updated weights
    of weightgrad and of micrograd each agree with plain Python's to TOLERANCE.
    """
    xs, ys = make_moons(100, noise=0.1, seed=0)
    weights = [p.data for p in MLP(2, SIZES[1:], seed=SEED).parameters()]
    steps = [make(xs, ys, weights) for make in (weightgrad_step, micrograd_step, plain_step)]
    losses = {s.name: s.step() for s in steps}
    after = {s.name: s.params() for s in steps}
    agreement = {
        **{f"loss_{name}": loss for name, loss in losses.items()},
        "max_loss_diff": max(abs(a - b) for a in losses.values() for b in losses.values()),
        "max_weight_diff_weightgrad_plain": _max_diff(after["weightgrad"], after["plain"]),
        "max_weight_diff_micrograd_plain": _max_diff(after["micrograd"], after["plain"]),
        "max_weight_change": _max_diff(after["plain"], weights),
    }
    problems = [f"{k} = {v:.3g}" for k, v in agreement.items()
                if k.startswith("max_") and k != "max_weight_change" and not v <= TOLERANCE]
    if agreement["max_weight_change"] == 0.0:
        problems.append("one step changed no weight at all")
    if problems:
        raise AgreementError("moons step: contenders disagree beyond "
                             f"{TOLERANCE:g}: {'; '.join(problems)}; losses {losses}")
    return steps, agreement


def measure(repeats: dict[str, int]) -> dict[str, Any]:
    """Check agreement, then time steps round-robin; median ms per step for each contender.

    Each contender keeps training its own copy after the checked step (which doubles as a
    warm-up); the cost of a step hardly depends on where training has got to.
    """
    steps, agreement = build_and_check()
    contenders = [Contender(s.name, timed(s.step), repeats[s.name]) for s in steps]
    times = round_robin(contenders)
    ms = {name: 1000.0 * phases["step"] for name, phases in medians(times).items()}
    return {"ms": ms, "repeats": {name: len(t["step"]) for name, t in times.items()},
            "agreement": agreement}
