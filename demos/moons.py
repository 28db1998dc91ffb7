"""Lesson: train micrograd's two-moons classifier, MLP(2, [16, 16, 1]), and watch it learn.

The same recipe as micrograd's demo.ipynb: 100 noisy points on two half moons, hinge loss
plus 1e-4 L2, plain SGD with the learning rate decaying from 1.0 to 0.1. Writes the loss
curve, the learned decision boundary, the trained weights (JSON), the trained network's
weight diagram and a live page (`moons_live.html`: a smaller MLP(2, [8, 8, 1]) on 50 points
that trains in the browser) under out/. The loss and the training loop (`moons_loss_and_accuracy`,
`train_moons`) are in demos/common.py: the pruning, quantization and transfer lessons train
the same way.

Run: python -m demos.moons [--quick] [--seed N]
"""

from __future__ import annotations

from pathlib import Path

from demos.common import (
    lesson_parser,
    moons_loss_and_accuracy,
    pyplot,
    record_picture,
    save_picture,
    train_moons,
)
from weightgrad.engine import no_grad, save_svg
from weightgrad.nn import MLP, draw_network, make_moons, network_playground

LESSON = "Two moons"


def plot(model: MLP, xs: list[list[float]], ys: list[int], history: list[tuple[float, float]],
         out: Path) -> list[Path]:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot([h[0] for h in history], label="loss")
    ax.plot([h[1] for h in history], label="accuracy")
    ax.set_xlabel("step")
    ax.legend()
    ax.set_title("Two moons: hinge loss + L2, SGD")
    paths = [save_picture(fig, out / "moons_training.svg",
                          "Two moons: loss and accuracy over SGD steps", LESSON)]

    n = 40
    gx = [-1.5 + 4.0 * i / (n - 1) for i in range(n)]
    gy = [-1.5 + 3.0 * j / (n - 1) for j in range(n)]
    with no_grad():
        grid = [[model([x, y]).data for x in gx] for y in gy]
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.contourf(gx, gy, [[1 if s > 0 else -1 for s in row] for row in grid],
                levels=[-2, 0, 2], colors=["#f59322", "#0877bd"], alpha=0.3)
    ax.scatter([x[0] for x in xs], [x[1] for x in xs], c=ys, cmap="coolwarm_r", s=18)
    ax.set_title("Decision boundary of the trained MLP(2, [16, 16, 1])")
    paths.append(save_picture(fig, out / "moons_boundary.svg",
                              "Two moons: the trained network's decision boundary", LESSON))

    # The trained weights, coloured by sign and sized by magnitude, with the gradients of
    # the last loss for a tooltip: which connections the network came to rely on.
    loss, _ = moons_loss_and_accuracy(model, xs, ys)
    model.zero_grad()
    loss.backward()
    paths.append(save_svg(draw_network(model), out / "moons_network.svg"))
    record_picture(out, paths[-1], "Two moons: trained weights (blue +, orange -, width |w|)",
                   LESSON)
    paths.append(save_svg(draw_network(model, color_by="grad"), out / "moons_network_grads.svg"))
    record_picture(out, paths[-1], "Two moons: the same network coloured by gradient", LESSON)
    return paths


def live_page(out: Path, seed: int) -> Path:
    """An untrained MLP(2, [8, 8, 1]) on 50 of the points, to train live in the browser."""
    xs, ys = make_moons(50, noise=0.1, seed=0)
    page = network_playground(MLP(2, [8, 8, 1], seed=seed), xs, ys).save_html(
        out / "moons_live.html", "Two moons: train a network live")
    record_picture(out, page, "Two moons, live: press Train and watch the boundary wrap "
                   "around the moons; pause and click an edge for its gradient and chain rule",
                   LESSON)
    return page


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = lesson_parser(__doc__.splitlines()[0], seed=1337).parse_args(argv)
    steps = 20 if args.quick else 100
    xs, ys = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=args.seed)
    history = train_moons(model, xs, ys, steps)
    loss, accuracy = moons_loss_and_accuracy(model, xs, ys)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save(args.out / "moons_weights.json")
    record_picture(args.out, args.out / "moons_weights.json",
                   "Two moons: the trained weights as JSON (model.save)", LESSON)
    paths = plot(model, xs, ys, history, args.out)
    paths.append(live_page(args.out, args.seed))
    print(f"moons: {steps} SGD steps took the loss from {history[0][0]:.4f} to {loss.data:.4f} "
          f"and the accuracy from {history[0][1]:.0%} to {accuracy:.0%}.")
    print("wrote " + ", ".join(str(p) for p in [*paths, args.out / "moons_weights.json"]))
    return {"first_loss": history[0][0], "loss": loss.data, "accuracy": accuracy}


if __name__ == "__main__":
    main()
