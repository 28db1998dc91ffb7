"""Lesson: continual learning — new data overwrites old weights; EWC protects the ones that matter.

Task A is two moons; task B is other moons points turned by 90°. The network is an MLP(2,
[16, 16, 2]) with one output per task (task-incremental learning: the task says which output
to read), so the two tasks share only the hidden layers — and that is enough to forget. Trained
on A, then on B alone, the shared weights move wherever B's loss takes them and A's accuracy
collapses ("catastrophic forgetting", McCloskey & Cohen 1989).

Elastic Weight Consolidation (Kirkpatrick et al. 2017, eq. 3) adds to B's loss

    λ/2 · Σ_i F_i (w_i − w*_i)²

with w* the weights after task A and F_i the diagonal of the Fisher information, estimated on
A's training points as the mean of the squared gradient of the per-point log-likelihood
(binary cross-entropy of A's output): how much A's fit depends on weight i. An important weight
is held near its old value; an unimportant one is free for B. The network diagram draws each
weight's F_i (`draw_network(model, color_by={name: F_i})`): width and colour by importance.

Claims, measured on fresh test points: without EWC, A's accuracy falls by at least 30 points;
with EWC at the better of two λ it keeps at least half of what was lost, while B is still
learnt (>= 90%). The seed matters here: with this recipe, over seeds 1..3 forgetting left A at
0.83, 0.20 and 0.81, and EWC (λ 1e4 or 1e5) kept A at 0.99, 0.92 and 0.81, so EWC helps where
the tasks really compete and cannot help where its F misses the weights A needs. The default
seed 2 is the competing case.

Run: python -m demos.continual [--quick] [--seed N]
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from demos.common import lesson_parser, progress, pyplot, record_picture, save_picture
from weightgrad.engine import Value, no_grad, save_svg
from weightgrad.nn import MLP, binary_cross_entropy_with_logits, draw_network, make_moons
from weightgrad.nn.optim import Adam

LESSON = "Continual learning"
SIZES = [16, 16, 2]  # one output per task: A reads output 0, B output 1
LAMBDAS = (1e4, 1e5)  # F is small (A is fitted well, so its gradients are small)
LR = 0.03
ANGLE = 90.0
Data = tuple[list[list[float]], list[float]]


def task(n: int, angle: float, seed: int) -> Data:
    """Two-moons points turned by `angle` degrees about the moons' centre, 0/1 targets."""
    xs, ys = make_moons(n, noise=0.1, seed=seed)
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    cx, cy = 0.5, 0.25
    turned = [[cx + c * (x - cx) - s * (y - cy), cy + s * (x - cx) + c * (y - cy)]
              for x, y in xs]
    return turned, [(y + 1) / 2 for y in ys]


def loss(model: MLP, data: Data, head: int) -> Value:
    return binary_cross_entropy_with_logits([model(x)[head] for x in data[0]], data[1])


def accuracy(model: MLP, data: Data, head: int) -> float:
    with no_grad():
        return sum((model(x)[head].data > 0) == (t > 0.5) for x, t in zip(*data)) / len(data[1])


def train(model: MLP, data: Data, head: int, steps: int, desc: str,
          penalty: Any = None) -> None:
    """Full-batch Adam on one task's loss (plus the EWC penalty, when given)."""
    opt = Adam(model.parameters(), lr=LR)
    for _ in progress(range(steps), desc=desc, unit="step"):
        total = loss(model, data, head)
        if penalty is not None:
            total = total + penalty()
        opt.zero_grad()
        total.backward()
        opt.step()


def fisher_diagonal(model: MLP, data: Data, head: int) -> dict[str, float]:
    """F_i = mean over the task's points of (∂ log p(y|x) / ∂w_i)², one backward per point
    (the empirical Fisher: squared gradients of each point's own loss)."""
    fisher = dict.fromkeys((n for n, _ in model.named_parameters()), 0.0)
    params = list(model.named_parameters())
    for x, y in zip(*data):
        model.zero_grad()
        binary_cross_entropy_with_logits([model(x)[head]], [y]).backward()
        for name, p in params:
            fisher[name] += p.grad ** 2 / len(data[1])
    model.zero_grad()
    return fisher


def ewc_penalty(model: MLP, fisher: dict[str, float], anchor: dict[str, float], lam: float
                ) -> Any:
    """λ/2 Σ F_i (w_i − w*_i)², as a function that builds it from the current weights."""
    params = list(model.named_parameters())

    def penalty() -> Value:
        return lam / 2 * sum((fisher[n] * (p - anchor[n]) ** 2 for n, p in params), Value(0.0))
    return penalty


def plot(out: Path, rows: list[tuple[str, float, float]], before: float, model: MLP,
         fisher: dict[str, float]) -> list[Path]:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.2, 3.2))
    names = [r[0] for r in rows]
    ys = range(len(rows))
    ax.barh([y - 0.2 for y in ys], [r[1] for r in rows], height=0.4, color="#0877bd",
            label="task A (old)")
    ax.barh([y + 0.2 for y in ys], [r[2] for r in rows], height=0.4, color="#e8710a",
            label="task B (new)")
    ax.axvline(before, color="#0877bd", linestyle=":", label=f"A before B ({before:.0%})")
    ax.set_yticks(list(ys), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("test accuracy after training on B")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Catastrophic forgetting, and EWC", fontsize=10)
    paths = [save_picture(fig, out / "continual_accuracy.svg",
                          "Continual: accuracy on the old task A and the new task B "
                          "after training on B, without EWC and with two λ", LESSON)]
    paths.append(save_svg(draw_network(model, color_by=fisher, input_names=["x", "y"]),
                          out / "continual_importance.svg"))
    record_picture(out, paths[-1], "Continual: each weight's importance to task A (the "
                   "diagonal Fisher F_i): wide edges are the weights EWC holds in place", LESSON)
    return paths


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = lesson_parser(__doc__.splitlines()[0], seed=2)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    n, steps_a, steps_b = (32, 60, 120) if args.quick else (64, 100, 200)
    a, b = task(n, 0.0, args.seed), task(n, ANGLE, args.seed + 1)
    a_test, b_test = task(200, 0.0, args.seed + 100), task(200, ANGLE, args.seed + 101)

    model = MLP(2, SIZES, seed=args.seed)
    train(model, a, 0, steps_a, "task A")
    before = accuracy(model, a_test, 0)
    anchor = {name: p.data for name, p in model.named_parameters()}
    fisher = fisher_diagonal(model, a, 0)

    rows = []
    for lam in (0.0, *LAMBDAS):
        learner = MLP(2, SIZES, seed=args.seed)
        learner.load_state_dict(model.state_dict())  # the same weights after A, each time
        penalty = ewc_penalty(learner, fisher, anchor, lam) if lam else None
        train(learner, b, 1, steps_b, f"task B, λ={lam:g}", penalty)
        rows.append(("no EWC" if not lam else f"EWC λ={lam:g}",
                     accuracy(learner, a_test, 0), accuracy(learner, b_test, 1)))
    plot(args.out, rows, before, model, fisher)

    print(f"Task A (moons) after training on A: {before:.1%} test accuracy")
    for name, acc_a, acc_b in rows:
        print(f"after task B, {name:>12}: task A {acc_a:.1%}, task B {acc_b:.1%}")
    top = sorted(fisher.items(), key=lambda kv: -kv[1])[:3]
    print("most important weights for A (F_i): "
          + ", ".join(f"{k} {v:.2g}" for k, v in top))
    forgotten = before - rows[0][1]
    best = max(rows[1:], key=lambda r: r[1])
    assert forgotten >= 0.30, f"no catastrophic forgetting to show: A fell {forgotten:.1%}"
    assert best[1] - rows[0][1] >= forgotten / 2, "EWC kept less than half of what was lost"
    assert all(r[2] >= 0.9 for r in rows), "task B was not learnt"
    print(f"Conclusion: training on B alone cost task A {forgotten:.0%} points of accuracy; "
          f"{best[0]} kept A at {best[1]:.0%} (of {before:.0%}) while B reached {best[2]:.0%}.")
    return {"before": before, "rows": rows, "fisher": fisher, "forgotten": forgotten}


if __name__ == "__main__":
    main()
