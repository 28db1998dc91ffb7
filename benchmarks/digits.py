"""Measurement: training on real data, the digits lesson's (demos/digits.py) network.

1. One epoch of MLP(64, [32, 10]) (relu, Kaiming) on the 1,438 training digits: minibatches
   of 32, mean cross-entropy, Adam at lr 0.01, weightgrad against the same epoch written by
   hand in plain Python (benchmarks/plain_digits.py). Both start from the same weights and
   must reach the same losses and weights (to TOLERANCE) before anything is timed.
2. One 32-sample training step of the same network, weightgrad against micrograd 0.1.0.
   micrograd's Value has no exp, so it cannot compute a softmax or cross-entropy: this step
   is MSE against one-hot targets with plain SGD, the same step for both, checked to agree.
"""

from __future__ import annotations

import random
from typing import Any

from benchmarks import plain, plain_digits
from benchmarks.harness import Contender, medians, round_robin, timed
from benchmarks.moons import AgreementError, Step, _max_diff, micrograd_mlp, update, weightgrad_mlp
from benchmarks.report import Row, number, ratio, times, verdict
from weightgrad.nn import MLP, cross_entropy, load_digits, mse_loss
from weightgrad.nn.optim import SGD, Adam

SEED = 0
SIZES = [64, 32, 10]
BATCH = 32
LR = 0.01  # the lesson's Adam learning rate
SGD_LR = 0.1  # for the micrograd step
TOLERANCE = 1e-9
TARGET_X_PLAIN = 2.0  # weightgrad's epoch at most this many times the plain-Python one
TRAIN_SIZE = 1438  # load_digits("train")


def _data(n_batches: int | None) -> tuple[list[list[float]], list[int], list[list[int]]]:
    """The training digits and a fixed shuffled order cut into batches (the first n)."""
    xs, ys = load_digits("train", seed=0)
    order = list(range(len(xs)))
    random.Random(SEED).shuffle(order)
    batches = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
    return xs, ys, batches[:n_batches]


def _weights() -> list[float]:
    return [p.data for p in MLP(SIZES[0], SIZES[1:], init="kaiming", seed=SEED).parameters()]


def weightgrad_epoch(xs: list[list[float]], ys: list[int], batches: list[list[int]],
                     weights: list[float]) -> Step:
    model = weightgrad_mlp(SIZES, weights)
    opt = Adam(model.parameters(), lr=LR)

    def epoch() -> float:  # demos/digits.py's train_epoch, over fixed batches
        losses = []
        for batch in batches:
            loss = cross_entropy([model(xs[i]) for i in batch], [ys[i] for i in batch])
            losses.append(update(opt, loss))
        return sum(losses) / len(losses)

    return Step("weightgrad", epoch, lambda: [p.data for p in model.parameters()])


def plain_epoch(xs: list[list[float]], ys: list[int], batches: list[list[int]],
                weights: list[float]) -> Step:
    W, B = plain.unflatten(weights, SIZES)
    state = plain_digits.AdamState.zeros(W, B)
    return Step("plain", lambda: plain_digits.train_epoch(W, B, state, xs, ys, batches, LR),
                lambda: plain.flatten(W, B))


def _check(name: str, steps: list[Step], weights: list[float]) -> dict[str, float]:
    """Run each contender once; AgreementError unless losses and weights agree."""
    losses = {s.name: s.step() for s in steps}
    after = {s.name: s.params() for s in steps}
    first, *others = steps
    agreement = {f"loss_{n}": x for n, x in losses.items()}
    agreement["max_loss_diff"] = max(abs(a - b) for a in losses.values() for b in losses.values())
    for s in others:
        agreement[f"max_weight_diff_{first.name}_{s.name}"] = _max_diff(after[first.name],
                                                                        after[s.name])
    problems = [f"{k} = {v:.3g}" for k, v in agreement.items()
                if k.startswith("max_") and not v <= TOLERANCE]
    if _max_diff(after[first.name], weights) == 0.0:
        problems.append("training changed no weight at all")
    if problems:
        raise AgreementError(f"{name}: contenders disagree beyond {TOLERANCE:g}: "
                             f"{'; '.join(problems)}; losses {losses}")
    return agreement


def measure_epoch(n_batches: int | None, repeats: int) -> dict[str, Any]:
    """Seconds per epoch (or per `n_batches` of it), weightgrad and plain Python."""
    xs, ys, batches = _data(n_batches)
    weights = _weights()
    steps = [weightgrad_epoch(xs, ys, batches, weights), plain_epoch(xs, ys, batches, weights)]
    agreement = _check("digits epoch", steps, weights)  # doubles as a warm-up
    times = round_robin([Contender(s.name, timed(s.step), repeats) for s in steps])
    return {"s": {name: phases["step"] for name, phases in medians(times).items()},
            "repeats": repeats, "batches": len(batches), "samples": sum(map(len, batches)),
            "agreement": agreement}


def _onehot(y: int) -> list[float]:
    return [1.0 if k == y else 0.0 for k in range(SIZES[-1])]


def weightgrad_mse_step(xs: list[list[float]], ys: list[int], weights: list[float]) -> Step:
    model = weightgrad_mlp(SIZES, weights)
    opt = SGD(model.parameters(), lr=SGD_LR)
    targets = [t for y in ys for t in _onehot(y)]

    def step() -> float:
        return update(opt, mse_loss([z for x in xs for z in model(x)], targets))

    return Step("weightgrad", step, lambda: [p.data for p in model.parameters()])


def micrograd_mse_step(xs: list[list[float]], ys: list[int], weights: list[float]) -> Step:
    Value, model = micrograd_mlp(SIZES, weights)
    targets = [_onehot(y) for y in ys]
    n = len(xs) * SIZES[-1]

    def step() -> float:
        # micrograd's own idiom (its demo's loop), with a squared error in place of the hinge
        scores = [model([Value(p) for p in x]) for x in xs]
        loss = sum((z - t) ** 2 for zs, ts in zip(scores, targets) for z, t in zip(zs, ts))
        loss = loss * (1.0 / n)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= SGD_LR * p.grad
        return loss.data

    return Step("micrograd", step, lambda: [p.data for p in model.parameters()])


def measure_step(samples: int, repeats: dict[str, int]) -> dict[str, Any]:
    """Milliseconds per `samples`-sample MSE step, weightgrad and micrograd."""
    xs, ys, batches = _data(1)
    xs, ys = [xs[i] for i in batches[0][:samples]], [ys[i] for i in batches[0][:samples]]
    weights = _weights()
    steps = [weightgrad_mse_step(xs, ys, weights), micrograd_mse_step(xs, ys, weights)]
    agreement = _check("digits MSE step", steps, weights)
    times = round_robin([Contender(s.name, timed(s.step), repeats[s.name]) for s in steps])
    return {"ms": {name: 1000.0 * phases["step"] for name, phases in medians(times).items()},
            "repeats": repeats, "samples": samples, "agreement": agreement}


def report(epoch: dict[str, Any], step: dict[str, Any]) -> dict[str, Any]:
    """What bench.py adds to its result and table: measurements, ratios, targets, rows, and a
    note saying what was measured."""
    s, ms = epoch["s"], step["ms"]
    x_plain, x_mg = ratio(s["weightgrad"], s["plain"]), ratio(ms["micrograd"], ms["weightgrad"])
    target = {"target": f"<= {TARGET_X_PLAIN:g}x the plain-Python epoch",
              "ok": None if x_plain is None else x_plain <= TARGET_X_PLAIN}
    whole = "epoch" if epoch["samples"] == TRAIN_SIZE else f"{epoch['samples']} samples"
    rows = [
        Row(f"digits {whole} (MLP(64, [32, 10]), Adam), s", number(s["weightgrad"]),
            plain=number(s["plain"]), ratio=times(x_plain, "the plain-Python epoch"),
            target=target["target"], ok=verdict(target["ok"]),
            n=f"{epoch['repeats']}/-/{epoch['repeats']}"),
        Row(f"digits {step['samples']}-sample step, MSE + SGD, ms", number(ms["weightgrad"]),
            number(ms["micrograd"]), ratio=times(x_mg, "faster than micrograd"),
            n=f"{step['repeats']['weightgrad']}/{step['repeats']['micrograd']}/-"),
    ]
    a, b = epoch["agreement"], step["agreement"]
    note = (f"digits: MLP(64, [32, 10]) relu, Kaiming (demos/digits.py); the epoch is "
            f"{epoch['samples']:,} training images in batches of {BATCH}, mean cross-entropy, "
            f"Adam lr {LR:g}, against benchmarks/plain_digits.py (max weight diff "
            f"{a['max_weight_diff_weightgrad_plain']:.2g} after one run); micrograd 0.1.0 has "
            f"no exp, so no softmax or cross-entropy: the step compared with it is MSE on "
            f"one-hot targets + SGD lr {SGD_LR:g}, the same step for both (max weight diff "
            f"{b['max_weight_diff_weightgrad_micrograd']:.2g})")
    return {"measurements": {"digits_epoch_s": s, "digits_step_ms": ms},
            "ratios": {"digits_epoch_x_plain": x_plain,
                       "digits_step_x_faster_than_micrograd": x_mg},
            "targets": {"digits_epoch_x_plain": target}, "rows": rows, "note": note,
            "details": {"epoch": epoch, "step": step}}
