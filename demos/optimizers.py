"""Lesson: five optimizers, one network, one starting point: SGD, momentum, Adam, AdamW, Lion.

Every optimizer starts from the SAME weights (one seeded MLP(2, [8, 8, 1]); its state_dict
is copied into a fresh model per optimizer) and minimises the same loss: binary
cross-entropy with logits on 64 two-moons points, full batch, so the only difference
between the curves is the update rule.

The second picture is a close-up. Two weights of the middle layer are chosen (the two with the
largest |gradient| at the start); the contour is the loss L(w_a, w_b) as a function of those
two alone, with EVERY other weight held at its starting value, computed on a grid under
no_grad. Each optimizer then trains only those two weights (every other Parameter frozen
with requires_grad=False, so the optimizers skip it), so each path is a true path on the
drawn surface, not a projection of a walk through 105 dimensions.

Learning rates (one per rule, shared by both pictures): SGD 0.3; momentum 0.9 at the same
lr (so it shows what momentum adds); Adam and AdamW 0.03 (AdamW with PyTorch's default
weight_decay 0.01); Lion 0.01, a third of Adam's: the Lion paper (Chen et al. 2023, §5)
advises 3-10x smaller than AdamW because a sign update moves every weight by the full lr.
At 10x smaller (0.003) no weight can move more than 0.3 in 100 steps, too slow to compare.

Run: python -m demos.optimizers [--quick] [--seed N] [--out DIR]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path

from demos.common import (
    MoonsData,
    bce_loss,
    lesson_parser,
    moons_data,
    progress,
    pyplot,
    save_picture,
)
from weightgrad.engine import no_grad
from weightgrad.nn import MLP
from weightgrad.nn.optim import SGD, Adam, AdamW, Lion, Optimizer
from weightgrad.nn.parameter import Parameter

LESSON = "Optimizers"
SIZES = [8, 8, 1]
THRESHOLD = 0.3  # "reached the threshold": the first step whose loss is below this
LR = {"SGD": 0.3, "Momentum": 0.3, "Adam": 0.03, "AdamW": 0.03, "Lion": 0.01}
OPTIMIZERS: dict[str, Callable[[list[Parameter]], Optimizer]] = {
    "SGD": lambda ps: SGD(ps, lr=LR["SGD"]),
    "Momentum": lambda ps: SGD(ps, lr=LR["Momentum"], momentum=0.9),
    "Adam": lambda ps: Adam(ps, lr=LR["Adam"]),
    "AdamW": lambda ps: AdamW(ps, lr=LR["AdamW"], weight_decay=0.01),
    "Lion": lambda ps: Lion(ps, lr=LR["Lion"]),
}


def train(model: MLP, name: str, data: MoonsData, steps: int, watch: Sequence[Parameter] = ()
          ) -> tuple[list[float], list[tuple[float, ...]]]:
    """Loss before each step and after the last (steps + 1 numbers), and the watched path."""
    opt = OPTIMIZERS[name](model.parameters())
    losses, path = [], [tuple(p.data for p in watch)]
    for _ in progress(range(steps), desc=name, unit="step"):
        loss = bce_loss(model, data)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
        path.append(tuple(p.data for p in watch))
    with no_grad():
        losses.append(bce_loss(model, data).data)
    return losses, path


def chosen_pair(model: MLP, data: MoonsData) -> tuple[str, str]:
    """The two middle-layer weights with the largest |gradient| at the start."""
    model.zero_grad()
    bce_loss(model, data).backward()
    weights = [(n, p) for n, p in model.named_parameters() if n.startswith("layers.1.")
               and ".w." in n]
    weights.sort(key=lambda item: -abs(item[1].grad))
    model.zero_grad()
    return weights[0][0], weights[1][0]


def window(paths: dict[str, list[tuple[float, ...]]], n: int) -> tuple[list[float], ...]:
    """Grid axes covering every path plus 20% of its extent on each side (at least ±0.5)."""
    axes = []
    for k in (0, 1):
        lo = min(p[k] for path in paths.values() for p in path)
        hi = max(p[k] for path in paths.values() for p in path)
        mid, half = (lo + hi) / 2, max(0.7 * (hi - lo), 0.5)
        axes.append([mid - half + 2 * half * i / (n - 1) for i in range(n)])
    return tuple(axes)


def surface(start: MLP, pair: tuple[str, str], ga: list[float], gb: list[float],
            data: MoonsData) -> list[list[float]]:
    """L(w_a, w_b) on the grid, rows along w_b, every other weight at its starting value."""
    model = start.copy()
    named = dict(model.named_parameters())
    pa, pb = named[pair[0]], named[pair[1]]
    with no_grad():
        rows = []
        for b in progress(gb, desc="surface"):
            pb.data = b
            row = []
            for a in ga:
                pa.data = a
                row.append(bce_loss(model, data).data)
            rows.append(row)
    return rows


def plot(curves: dict[str, list[float]], paths: dict, pair: tuple[str, str], grid: dict,
         out: Path) -> list[Path]:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, losses in curves.items():
        ax.plot(losses, label=f"{name} (lr {LR[name]:g})")
    ax.axhline(THRESHOLD, color="grey", lw=0.8, ls=":", label=f"threshold {THRESHOLD}")
    ax.set(yscale="log", xlabel="step", ylabel="BCE loss (log scale)",
           title="Same start, same data: loss under five optimizers")
    ax.legend(fontsize=8)
    paths_out = [save_picture(fig, out / "optimizers_loss.svg",
                              "Optimizers: loss curves from the same initial weights", LESSON)]

    fig, ax = plt.subplots(figsize=(6, 5))
    cs = ax.contour(grid["a"], grid["b"], grid["loss"], levels=20, cmap="viridis",
                    linewidths=0.8)
    ax.clabel(cs, fontsize=6)
    for name, path in paths.items():
        ax.plot([p[0] for p in path], [p[1] for p in path], ".-", ms=2.5, lw=1, label=name)
    ax.plot(*paths["SGD"][0], "k*", ms=10, label="shared start")
    ax.set(xlabel=pair[0], ylabel=pair[1],
           title="Paths on L(w_a, w_b), all other weights fixed at the start")
    ax.legend(fontsize=8)
    paths_out.append(save_picture(fig, out / "optimizers_paths.svg",
                                  "Optimizers: paths of two weights over their loss "
                                  "surface (other weights frozen)", LESSON))
    return paths_out


def first_below(losses: list[float], threshold: float) -> int | None:
    return next((k for k, loss in enumerate(losses) if loss < threshold), None)


def main(argv: list[str] | None = None) -> dict:
    args = lesson_parser(__doc__.splitlines()[0], seed=0).parse_args(argv)
    steps, path_steps, n_grid = (30, 25, 13) if args.quick else (100, 50, 25)
    data = moons_data()
    start = MLP(2, SIZES, seed=args.seed)

    curves = {name: train(start.copy(), name, data, steps)[0] for name in OPTIMIZERS}
    reached = {name: first_below(c, THRESHOLD) for name, c in curves.items()}
    best = min((k for k in reached.values() if k is not None), default=None)
    first = [name for name, k in reached.items() if k is not None and k == best]

    pair = chosen_pair(start.copy(), data)
    paths, path_losses = {}, {}
    for name in OPTIMIZERS:
        model = start.copy().freeze()  # requires_grad=False: every optimizer skips them
        named = dict(model.named_parameters())
        watch = [named[pair[0]], named[pair[1]]]
        for p in watch:
            p.requires_grad = True
        path_losses[name], paths[name] = train(model, name, data, path_steps, watch)
    ga, gb = window(paths, n_grid)
    grid = {"a": ga, "b": gb, "loss": surface(start, pair, ga, gb, data)}

    args.out.mkdir(parents=True, exist_ok=True)
    pictures = plot(curves, paths, pair, grid, args.out)
    lowest = min(curves, key=lambda name: curves[name][-1])
    finals = ", ".join(f"{name} {c[-1]:.4f}" for name, c in curves.items())
    print(f"optimizers: from the same start (loss {curves['SGD'][0]:.4f}), after {steps} "
          f"full-batch steps the loss is {finals}; lowest: {lowest}.")
    if first:
        print(f"First below {THRESHOLD}: {' and '.join(first)} at step {best}; others: "
              + ", ".join(f"{n} {'never' if k is None else k}" for n, k in reached.items()
                          if n not in first) + ".")
    else:
        print(f"No optimizer got below {THRESHOLD} within {steps} steps.")
    # Lion's update is lr * sign(...): each weight moves by exactly lr or not at all.
    moves = [abs(q[k] - p[k]) for p, q in pairwise(paths["Lion"]) for k in (0, 1)]
    exact = all(abs(m - LR["Lion"]) < 1e-12 for m in moves)
    lion = (f"exactly its lr {LR['Lion']:g}" if exact
            else f"between {min(moves):.3g} and {max(moves):.3g}")
    print(f"Momentum at SGD's learning rate ends at {curves['Momentum'][-1]:.4f}, plain SGD at "
          f"{curves['SGD'][-1]:.4f}. Training only {pair[0]} and {pair[1]} for {path_steps} "
          f"steps takes L(w_a, w_b) from {path_losses['SGD'][0]:.4f} to "
          + ", ".join(f"{n} {c[-1]:.4f}" for n, c in path_losses.items())
          + f"; Lion moved each of the two by {lion} every step.")
    print("wrote " + ", ".join(str(p) for p in pictures))
    return {"seed": args.seed, "steps": steps, "threshold": THRESHOLD, "lr": dict(LR),
            "curves": curves, "final_loss": {n: c[-1] for n, c in curves.items()},
            "lowest": lowest, "steps_to_threshold": reached, "first": first, "pair": pair,
            "paths": paths, "path_losses": path_losses, "grid": grid}


if __name__ == "__main__":
    main()
