"""Lesson: two attention heads, two jobs. Each head of a MultiheadAttention learns where to
look for its own part of the answer.

The task: sequences of L = 5 tokens, each [value, is_marked, cos θ_t, sin θ_t] with value ~
U(-1, 1), exactly one token marked, and θ_t = 2π t / L a position on a circle. The target at
every position i is the marked token's value plus the previous token's value (position i - 1,
wrapping round: the circle makes "previous" the same rotation everywhere). Each target needs
two lookups, one by content (the mark) and one by position, so a single head would have to
split its attention; `MultiheadAttention(4, 2)` has two heads of two features each, and
training (Adam, MSE on the first output feature) lets each head take one lookup.

Which head takes which job is up to the seed; the lesson measures, for each head, the share
of its attention (averaged over the queries of 200 test sequences) on the marked token and on
the previous position, names the head that does each job, and asserts that the two jobs went
to different heads, each looking at its target at least twice as much as uniform (1/5) would.
The per-head heat maps of one test sequence show it: one head's rows all point at the mark,
the other's at the diagonal just below.

How robust (checked over seeds 0..4, quick run: 300 steps of 8 sequences): seeds 1..4 split
the jobs cleanly, 0.98..1.00 of each head's attention on its own target and 0.20 (uniform) on
the other's, test MSE under 0.01; seed 0 settles in a worse split (0.70 on the mark, 0.48 on
the previous position, MSE 0.09) and stays there in the full run (1,200 steps): attention
training has such basins. The default seed is 1; the full run gives 1.00 and 1.00.

Run: python -m demos.heads [--quick] [--seed N]
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from demos.common import lesson_parser, progress, pyplot, save_picture
from weightgrad.engine import no_grad
from weightgrad.nn import Adam, MultiheadAttention, mse_loss

LESSON = "Multi-head attention: two heads, two jobs"
L, E, HEADS = 5, 4, 2
LR = 0.1
N_TEST = 200
JOBS = ("the marked token", "the previous position")

Sequence = tuple[list[list[float]], list[float], int]  # tokens, targets, marked position


def sample(rng: random.Random) -> Sequence:
    mark = rng.randrange(L)
    values = [rng.uniform(-1.0, 1.0) for _ in range(L)]
    tokens = [[values[t], 1.0 if t == mark else 0.0, math.cos(2 * math.pi * t / L),
               math.sin(2 * math.pi * t / L)] for t in range(L)]
    return tokens, [values[mark] + values[(i - 1) % L] for i in range(L)], mark


def train(model: MultiheadAttention, steps: int, batch: int, seed: int) -> list[float]:
    rng, optimizer, losses = random.Random(f"heads train {seed}"), Adam(model.parameters(),
                                                                         lr=LR), []
    for _ in progress(range(steps), "two heads"):
        predictions, targets = [], []
        for tokens, ys, _ in (sample(rng) for _ in range(batch)):
            outputs, _ = model(tokens, need_weights=False)
            predictions += [o[0] for o in outputs]
            targets += ys
        loss = mse_loss(predictions, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    return losses


def shares(model: MultiheadAttention, test: list[Sequence]) -> tuple[list[list[float]], float]:
    """share[h][job]: head h's mean attention on the job's target; and the test MSE."""
    share = [[0.0, 0.0] for _ in range(HEADS)]
    squared = 0.0
    with no_grad():
        for tokens, ys, mark in test:
            outputs, heads = model(tokens, average_attn_weights=False)
            squared += sum((o[0].data - y) ** 2 for o, y in zip(outputs, ys))
            for h in range(HEADS):
                for i in range(L):
                    share[h][0] += heads[h][i][mark].data / (L * len(test))
                    share[h][1] += heads[h][i][(i - 1) % L].data / (L * len(test))
    return share, squared / (L * len(test))


def plot(model: MultiheadAttention, example: Sequence, losses: list[float], out: Path
         ) -> list[Path]:
    plt = pyplot()
    with no_grad():
        _, heads = model(example[0], average_attn_weights=False)
    fig, axes = plt.subplots(1, HEADS + 1, figsize=(11, 3.4))
    for h, ax in enumerate(axes[:HEADS]):
        grid = [[a.data for a in row] for row in heads[h]]
        ax.imshow(grid, cmap="Blues", vmin=0, vmax=1)
        ax.set_title(f"head {h}: a[query i, key j]")
        ax.set_xlabel(f"key j (marked: {example[2]})")
        ax.set_ylabel("query i")
    axes[-1].plot(losses)
    axes[-1].set_yscale("log")
    axes[-1].set_title("training loss (MSE)")
    axes[-1].set_xlabel("Adam step")
    return [save_picture(fig, out / "heads_attention.svg",
                         "Two heads, two jobs: each head's attention on one test sequence (one "
                         "looks at the mark, the other at the previous position)", LESSON)]


def main(argv: list[str] | None = None) -> dict[str, object]:
    args = lesson_parser(__doc__.splitlines()[0], seed=1).parse_args(argv)
    steps, batch = (300, 8) if args.quick else (1200, 8)
    test = [sample(random.Random(f"heads test {args.seed} {k}")) for k in range(N_TEST)]
    model = MultiheadAttention(E, HEADS, seed=args.seed)
    before, _ = shares(model, test)
    losses = train(model, steps, batch, args.seed)
    after, mse = shares(model, test)
    # each job goes to the head that looks at its target most
    owner = [max(range(HEADS), key=lambda h, j=j: after[h][j]) for j in range(len(JOBS))]
    args.out.mkdir(parents=True, exist_ok=True)
    paths = plot(model, test[0], losses, args.out)
    for j, job in enumerate(JOBS):
        h = owner[j]
        print(f"heads: head {h} puts {after[h][j]:.2f} of its attention on {job} "
              f"({before[h][j]:.2f} before training; uniform would be {1 / L:.2f}); the other "
              f"head puts {after[1 - h][j]:.2f} there.")
    assert owner[0] != owner[1], f"one head took both jobs: {after}"
    assert all(after[owner[j]][j] >= 2 / L for j in range(len(JOBS))), after
    print(f"heads: {steps} Adam steps, test MSE {mse:.1e} (predicting 0 gives about "
          f"{2 / 3:.3f}: the target is a sum of two U(-1, 1) values).")
    print("wrote " + ", ".join(str(p) for p in paths))
    return {"before": before, "after": after, "owner": owner, "mse": mse}


if __name__ == "__main__":
    main()
