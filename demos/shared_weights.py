"""Lesson: shared weights. A Conv1d reuses one kernel at every position; an RNN cell reuses
its weights at every time step; either way, a weight's gradient is the sum over its uses.

(a) A Conv1d(1, 1, 3) learns to detect a short pattern in noisy 1-D signals (per-position
logistic loss: 1 where the pattern starts, else 0). The pattern is the Barker code [1, 1, -1],
whose shifted copies barely overlap it, so the detector has no partial matches to unlearn and
the kernel can take the pattern's shape. (b) An RNNCell(1, 4) with a linear readout learns to
report, after 5 steps, the sign of the FIRST input, the other 4 being noise: only backprop
through time can tell the weights what step 1 held. For one signal and one sequence the lesson
splits each weight's gradient into its per-position (per-step) contributions and checks that
they add up to `p.grad`, to the last bits.

Run: python -m demos.shared_weights [--quick] [--seed N]
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

from demos.common import lesson_parser, progress, pyplot, save_picture
from weightgrad.engine import Value, no_grad
from weightgrad.nn.conv import Conv1d
from weightgrad.nn.layers import Neuron
from weightgrad.nn.losses import binary_cross_entropy_with_logits
from weightgrad.nn.optim import Adam
from weightgrad.nn.rnn import RNNCell, unroll

LESSON = "Shared weights: Conv1d and RNN"
PATTERN = [1.0, 1.0, -1.0]  # Barker code of length 3: autocorrelation sidelobes <= 1
LENGTH, NOISE = 30, 0.4  # signal length and noise std
STEPS, HIDDEN = 5, 4  # RNN sequence length and hidden size
# (training signals, conv Adam steps, training sequences, RNN Adam steps); tried on seeds 0..7
QUICK, FULL = (16, 50, 24, 50), (40, 150, 64, 150)

Signals = list[list[float]]


def make_signals(n: int, rng: random.Random) -> tuple[Signals, Signals]:
    """Gaussian noise with the pattern added at 2 of the starts 0, 4, ..., 24; targets 1 there."""
    xs, ys = [], []
    for _ in range(n):
        x = [rng.gauss(0.0, NOISE) for _ in range(LENGTH)]
        y = [0.0] * (LENGTH - len(PATTERN) + 1)
        for start in rng.sample(range(0, len(y), 4), 2):
            for k, p in enumerate(PATTERN):
                x[start + k] += p
            y[start] = 1.0
        xs.append(x)
        ys.append(y)
    return xs, ys


def make_sequences(n: int, rng: random.Random) -> tuple[list[Signals], list[float]]:
    """First input ±1, then STEPS-1 inputs of U(-1, 1) noise; target 1 if the first was +1."""
    xs, ys = [], []
    for _ in range(n):
        first = rng.choice([-1.0, 1.0])
        xs.append([[first]] + [[rng.uniform(-1.0, 1.0)] for _ in range(STEPS - 1)])
        ys.append(float(first > 0))
    return xs, ys


def train(params: list[Value], loss_fn: Any, steps: int, lr: float, desc: str) -> list[float]:
    """Adam on `loss_fn()` for `steps` steps; the loss before each step."""
    opt, history = Adam(params, lr=lr), []
    for _ in progress(range(steps), desc=desc, unit="step"):
        loss = loss_fn()
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.data)
    return history


def conv_gradient_parts(conv: Conv1d, x: list[float], y: list[float]
                        ) -> tuple[list[list[float]], float]:
    """Per-position parts of each kernel weight's gradient on one signal, and the largest gap
    between a weight's summed parts and its `.grad`. Part (t, k) = d loss/d out_t · x[t + k]."""
    out = conv([x])[0]
    conv.zero_grad()
    binary_cross_entropy_with_logits(out, y).backward()
    parts = [[o.grad * x[t + k] for t, o in enumerate(out)] for k in range(len(PATTERN))]
    parts.append([o.grad for o in out])  # the bias: d out_t / d b = 1
    gap = max(abs(sum(ps) - p.grad) for ps, p in zip(parts, [*conv.weight[0], conv.bias[0]]))
    return parts, gap


def rnn_gradient_parts(cell: RNNCell, head: Neuron, xs: Signals, y: float
                       ) -> tuple[list[list[float]], float]:
    """Per-step parts of every cell weight's gradient on one sequence (step t adds
    d loss/d pre_t · its input at t, pre_t being tanh's argument), and the largest gap between
    a weight's summed parts and its `.grad`. Returns the parts of W_ih (one row per unit)."""
    states = unroll(cell, xs)
    cell.zero_grad()
    binary_cross_entropy_with_logits([head(states[-1])], [y]).backward()
    pre = [[h.grad * (1.0 - h.data ** 2) for h in hs] for hs in states]  # tanh' = 1 - tanh²
    before = [[0.0] * HIDDEN] + [[h.data for h in hs] for hs in states[:-1]]
    gap = 0.0
    for j in range(HIDDEN):
        uses = [(cell.weight_ih[j][0], [x[0] for x in xs]), (cell.bias_ih[j], [1.0] * STEPS),
                (cell.bias_hh[j], [1.0] * STEPS)]
        uses += [(cell.weight_hh[j][i], [h[i] for h in before]) for i in range(HIDDEN)]
        for p, inputs in uses:
            gap = max(gap, abs(sum(g[j] * v for g, v in zip(pre, inputs)) - p.grad))
    return [[g[j] * x[0] for g, x in zip(pre, xs)] for j in range(HIDDEN)], gap


def plot(out: Path, r: dict[str, Any], data: dict[str, Any]) -> list[Path]:
    plt = pyplot()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.2), gridspec_kw={"width_ratios": [1, 2]})
    taps = range(len(PATTERN))
    for i, (name, ws) in enumerate([("pattern", PATTERN), ("initial kernel", r["kernel_init"]),
                                    ("learned kernel", r["kernel"])]):
        ax.bar([k + 0.27 * (i - 1) for k in taps], ws, width=0.27, label=name)
    ax.set_xticks(list(taps), [f"w{k}" for k in taps])
    ax.set_title(f"Kernel vs pattern (cosine {r['cosine']:.3f})", fontsize=10)
    ax.legend(fontsize=8)
    x, y, prob = data["example"]
    bx.plot(x, color="grey", label="test signal")
    bx.plot(prob, color="#0877bd", marker=".", label="detector sigmoid(conv) at each start")
    bx.scatter([t for t, v in enumerate(y) if v], [1.1] * int(sum(y)), marker="v", color="k",
               label="true pattern starts")
    bx.set_xlabel("position")
    bx.legend(fontsize=8, loc="lower left")
    paths = [save_picture(fig, out / "shared_weights_conv.svg",
                          "Shared weights: the learned 3-tap kernel takes the "
                          "pattern's shape and fires where the pattern starts", LESSON)]

    fig, axes = plt.subplots(2, 2, figsize=(10, 6.4), gridspec_kw={"width_ratios": [3, 1]})
    rows = [(data["conv_parts"], data["conv_grads"], ["w0", "w1", "w2", "b"],
             range(len(data["conv_parts"][0])), "position t (window x[t:t+3])",
             f"Conv1d: one kernel used at {len(data['conv_parts'][0])} positions"),
            (data["rnn_parts"], data["rnn_grads"], [f"W_ih[{j}]" for j in range(HIDDEN)],
             range(1, STEPS + 1), "time step t",
             f"RNNCell: one W_ih used at {STEPS} steps (backprop through time)")]
    for (ax, bx), (parts, grads, names, ts, where, title) in zip(axes, rows):
        for name, ps in zip(names, parts):
            ax.plot(ts, ps, marker=".", label=name)
        ax.axhline(0.0, color="grey", linewidth=0.5)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set(xlabel=where, ylabel="part of the gradient")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8, ncol=len(names))
        bx.bar(names, [sum(ps) for ps in parts], color="#c8c8c8", label="Σ parts")
        bx.scatter(names, grads, marker="x", color="k", zorder=3, label="p.grad")
        bx.tick_params(axis="x", labelsize=7)
        bx.legend(fontsize=8)
    fig.tight_layout()
    paths.append(save_picture(fig, out / "shared_weights_gradients.svg",
                              "Shared weights: each use adds a part; the parts sum to "
                              "the weight's gradient (p.grad, black x)", LESSON))

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.2))
    ax.plot(data["rnn_loss"], color="#0877bd")
    ax.set_xlabel("Adam step")
    ax.set_ylabel("loss (BCE with logits)")
    ax.set_title("RNN: remember the first input's sign", fontsize=10)
    for states, first in data["trajectories"]:
        bx.plot(range(1, STEPS + 1), states, color="#0877bd" if first > 0 else "#e8710a",
                alpha=0.6)
    bx.set_xlabel("time step")
    bx.set_ylabel(f"hidden unit {data['unit']}")
    bx.set_title("Trained hidden state: blue first input +1, orange -1", fontsize=10)
    paths.append(save_picture(fig, out / "shared_weights_rnn.svg",
                              "Shared weights: RNN training loss and hidden-state "
                              "trajectories, split by the first input", LESSON))
    return paths


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = lesson_parser(__doc__.splitlines()[0], seed=0).parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    n_signals, conv_steps, n_seqs, rnn_steps = QUICK if args.quick else FULL
    r: dict[str, Any] = {}
    data: dict[str, Any] = {}

    # (a) Conv1d: one kernel at every position.
    xs, ys = make_signals(n_signals, rng)
    test_xs, test_ys = make_signals(100, rng)
    conv = Conv1d(1, 1, len(PATTERN), seed=args.seed)
    r["kernel_init"] = [p.data for p in conv.weight[0]]
    parts, r["conv_gap"] = conv_gradient_parts(conv, xs[0], ys[0])
    data["conv_parts"], data["conv_grads"] = parts, [p.grad for p in conv.parameters()]
    r["positions"] = len(parts[0])
    train(conv.parameters(), lambda: binary_cross_entropy_with_logits(
        [v for x in xs for v in conv([x])[0]], [t for y in ys for t in y]), conv_steps, 0.1, "conv")
    r["kernel"], r["bias"] = [p.data for p in conv.weight[0]], conv.bias[0].data
    r["cosine"] = (sum(w * p for w, p in zip(r["kernel"], PATTERN))
                   / math.sqrt(sum(w * w for w in r["kernel"]) * len(PATTERN)))
    with no_grad():
        scores = [[v.data for v in conv([x])[0]] for x in test_xs]
    flags = [(s > 0.0, t > 0.5) for ss, ts in zip(scores, test_ys) for s, t in zip(ss, ts)]
    r["occurrences"] = sum(t for _, t in flags)
    r["found"] = sum(s and t for s, t in flags)
    r["false_alarms"] = sum(s and not t for s, t in flags)
    data["example"] = (test_xs[0], test_ys[0], [1 / (1 + math.exp(-s)) for s in scores[0]])

    # (b) RNNCell: one set of weights at every time step.
    seqs, labels = make_sequences(n_seqs, rng)
    test_seqs, test_labels = make_sequences(200, rng)
    cell = RNNCell(1, HIDDEN, seed=args.seed)
    head = Neuron(HIDDEN, "linear", random.Random(args.seed + 1), fused=True)

    def accuracy() -> float:
        with no_grad():
            return sum((head(unroll(cell, s)[-1]).data > 0) == (y > 0)
                       for s, y in zip(test_seqs, test_labels)) / len(test_labels)

    r["rnn_accuracy_before"] = accuracy()
    data["rnn_parts"], r["rnn_gap"] = rnn_gradient_parts(cell, head, seqs[0], labels[0])
    data["rnn_grads"] = [row[0].grad for row in cell.weight_ih]
    data["rnn_loss"] = train(cell.parameters() + head.parameters(),
                             lambda: binary_cross_entropy_with_logits(
                                 [head(unroll(cell, s)[-1]) for s in seqs], labels),
                             rnn_steps, 0.05, "rnn")
    r["rnn_accuracy"] = accuracy()
    data["unit"] = max(range(HIDDEN), key=lambda j: abs(head.w[j].data))
    with no_grad():
        data["trajectories"] = [([h[data["unit"]].data for h in unroll(cell, s)], s[0][0])
                                for s in test_seqs[:30]]
    r["parameters"] = {"conv": len(conv.parameters()), "rnn": len(cell.parameters())}

    paths = plot(args.out, r, data)
    kernel = ", ".join(f"{w:.2f}" for w in r["kernel"])
    pattern = ", ".join(f"{p:g}" for p in PATTERN)
    print(f"shared weights: the Conv1d kernel learned [{kernel}] (pattern [{pattern}], cosine "
          f"{r['cosine']:.3f}) and finds {r['found']} of {r['occurrences']} pattern starts in "
          f"100 fresh signals with {r['false_alarms']} false alarms, with "
          f"{r['parameters']['conv']} parameters for signals of any length; each kernel "
          f"weight's gradient is the sum of {r['positions']} per-position contributions "
          f"(largest gap to p.grad {r['conv_gap']:.1e}). The RNNCell reuses its "
          f"{r['parameters']['rnn']} parameters at each of {STEPS} steps; its gradient is the "
          f"sum of {STEPS} per-step contributions (gap {r['rnn_gap']:.1e}), and it learned "
          f"to report the first input's sign: {r['rnn_accuracy_before']:.0%} -> "
          f"{r['rnn_accuracy']:.0%} on 200 fresh sequences.")
    print("wrote " + ", ".join(str(p) for p in paths))
    return r


if __name__ == "__main__":
    main()
