"""Lesson: transfer learning. Features learned on one task speed up a related one.

Pre-train micrograd's MLP(2, [16, 16, 1]) on two moons (task A), save its weights as JSON, load
them into a new model, freeze its first layer and fine-tune the rest on the moons rotated by 40°
(task B, fresh points). The same architecture, from the same initial weights as the
pre-trained model, is also trained on task B from scratch with the same optimizer and learning
rate. Claims: the frozen first-layer weights come out bit-identical to the saved file, and
fine-tuning reaches the target accuracy in fewer steps than training from scratch.

Run: python -m demos.transfer [--quick] [--seed N] [--max-steps N]
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from demos.common import (
    accuracy,
    hits,
    lesson_parser,
    progress,
    pyplot,
    record_picture,
    save_picture,
    train_moons,
)
from weightgrad.engine import Value, save_svg
from weightgrad.nn import MLP, draw_network, hinge_loss, make_moons
from weightgrad.nn.optim import SGD

LESSON = "Transfer learning"
SIZES = [16, 16, 1]
ANGLE = 40.0  # task B's rotation; at 60° the first layer's features no longer help (tried)
CENTRE = (0.5, 0.25)  # middle of make_moons' two half circles
TARGET = 0.95
LR = 0.3  # one learning rate for fine-tuning and scratch alike: a fair race
PRETRAIN_STEPS = 100

Points = list[list[float]]


def rotate(points: Points, degrees: float, centre: tuple[float, float] = CENTRE) -> Points:
    """Each point turned by `degrees` counter-clockwise about `centre`."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    cx, cy = centre
    return [[cx + c * (x - cx) - s * (y - cy), cy + s * (x - cx) + c * (y - cy)]
            for x, y in points]


def tasks(n: int, seed: int) -> tuple[tuple[Points, list[int]], tuple[Points, list[int]]]:
    """Task A: two moons. Task B: other points from the same moons, rotated by ANGLE."""
    xa, ya = make_moons(n, noise=0.1, seed=seed)
    xb, yb = make_moons(n, noise=0.1, seed=seed + 1000)
    return (xa, ya), (rotate(xb, ANGLE), yb)


def scores_and_accuracy(model: MLP, xs: Points, ys: list[int]) -> tuple[list[Value], float]:
    scores = [model(x) for x in xs]
    return scores, hits(scores, ys)


def pretrain(model: MLP, xs: Points, ys: list[int], steps: int) -> float:
    """micrograd's demo recipe (hinge + 1e-4 L2, SGD lr 1.0 -> 0.1); returns the accuracy."""
    train_moons(model, xs, ys, steps, desc="pre-train on task A")
    return accuracy(model, xs, ys)


def train_to_target(model: MLP, xs: Points, ys: list[int], max_steps: int, desc: str,
                    at_least: int = 0) -> tuple[int | None, list[float]]:
    """SGD on the hinge loss until the accuracy reaches TARGET (and `at_least` steps are done).

    Returns the number of updates after which the accuracy first reached TARGET (None if it
    never did within `max_steps`) and the accuracy after 0, 1, 2, ... updates. The optimizer is
    given every parameter: it skips frozen ones itself.
    """
    opt = SGD(model.parameters(), lr=LR)
    reached, curve = None, []
    for k in progress(range(max_steps + 1), desc=desc):
        scores, acc = scores_and_accuracy(model, xs, ys)
        curve.append(acc)
        if reached is None and acc >= TARGET:
            reached = k
        if (reached is not None and k >= at_least) or k == max_steps:
            break
        loss = hinge_loss(scores, ys)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return reached, curve


def flat(state_dict: dict[str, Any]) -> dict[str, float]:
    """A state dict keyed like `named_parameters()`: `layers.0.neurons.3.w.1` -> float."""
    out = {}
    for name, value in state_dict.items():
        if isinstance(value, list):
            out.update({f"{name}.{i}": x for i, x in enumerate(value)})
        else:
            out[name] = value
    return out


def plot(args: Any, data: tuple, curves: dict[str, list[float]],
         reached: dict[str, int | None], model: MLP) -> list[Path]:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    for ax, (xs, ys), title in zip(axes, data, ["task A: two moons (pre-training)",
                                                f"task B: moons rotated {ANGLE:g}°"]):
        ax.scatter([x[0] for x in xs], [x[1] for x in xs], c=ys, cmap="coolwarm_r", s=14)
        ax.set_title(title, fontsize=10)
        ax.set_aspect("equal")  # so the rotation is seen as a rotation
    paths = [save_picture(fig, args.out / "transfer_tasks.svg",
                          "Transfer: task A (moons) and the related task B "
                          f"(moons rotated {ANGLE:g}°)", LESSON)]

    fig, ax = plt.subplots(figsize=(6, 3.4))
    for (name, curve), colour in zip(curves.items(), ["#0877bd", "#e8710a"]):
        hit = reached[name]
        ax.plot(range(len(curve)), curve, color=colour, marker=".",
                label=f"{name} ({'did not reach' if hit is None else f'{hit} steps'})")
        if hit is not None:
            ax.axvline(hit, color=colour, linestyle=":", linewidth=1)
    ax.axhline(TARGET, color="grey", linestyle="--", linewidth=1, label=f"target {TARGET:.0%}")
    ax.set_xlabel(f"SGD steps on task B (lr {LR:g})")
    ax.set_ylabel("accuracy on task B")
    ax.set_title("Frozen pre-trained first layer vs training from scratch", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    paths.append(save_picture(fig, args.out / "transfer_accuracy.svg",
                              "Transfer: accuracy on task B, fine-tuning vs from "
                              "scratch, with the target line", LESSON))

    paths.append(save_svg(draw_network(model), args.out / "transfer_network.svg"))
    record_picture(args.out, paths[-1], "Transfer: the fine-tuned network; layers.0 is frozen "
                   "and holds the pre-trained weights exactly", LESSON)
    paths.append(save_svg(draw_network(model, color_by="grad"),
                          args.out / "transfer_network_grads.svg"))
    record_picture(args.out, paths[-1], "Transfer: the same network coloured by gradient: "
                   "the frozen layer has gradients, but the optimizer never applied them", LESSON)
    return paths


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = lesson_parser(__doc__.splitlines()[0], seed=0)
    parser.add_argument("--max-steps", type=int, default=300,
                        help="give up on reaching the target after this many steps")
    args = parser.parse_args(argv)
    if args.max_steps < 0:
        parser.error(f"--max-steps must be >= 0, got {args.max_steps}")
    args.out.mkdir(parents=True, exist_ok=True)
    (xa, ya), (xb, yb) = tasks(50 if args.quick else 100, args.seed)

    pretrained = MLP(2, SIZES, seed=args.seed)
    pretrain_accuracy = pretrain(pretrained, xa, ya, PRETRAIN_STEPS)
    saved = args.out / "transfer_pretrained.json"
    pretrained.save(saved)
    record_picture(args.out, saved, "Transfer: the weights pre-trained on task A (JSON)", LESSON)

    # From scratch: the very weights pre-training started from (same seed), so pre-training
    # is the only difference between the two runs.
    scratch = MLP(2, SIZES, seed=args.seed)
    scratch_steps, scratch_curve = train_to_target(scratch, xb, yb, args.max_steps,
                                                   "from scratch on task B")
    # A new model with other initial weights: load() must replace every one of them.
    model = MLP(2, SIZES, seed=args.seed + 1)
    model.load(saved)
    model.layers[0].freeze()
    # Run at least as long as scratch did, so both curves cover the same steps.
    finetune_steps, finetune_curve = train_to_target(
        model, xb, yb, args.max_steps, "fine-tune on task B",
        at_least=scratch_steps if scratch_steps is not None else args.max_steps)
    model.save(args.out / "transfer_finetuned.json")
    record_picture(args.out, args.out / "transfer_finetuned.json",
                   "Transfer: the fine-tuned weights (JSON); layers.0 equals the pre-trained file",
                   LESSON)

    # Claim 1, checked against the file on disk, with == on floats (JSON floats round-trip).
    on_disk = flat(json.loads(saved.read_text())["state_dict"])
    now = dict(model.named_parameters())
    first = [n for n in now if n.startswith("layers.0.")]
    identical = sum(now[n].data == on_disk[n] for n in first)
    moved = sum(now[n].data != on_disk[n] for n in now if n not in first)
    # One more backward pass for the gradient picture: the frozen layer does get gradients.
    scores, _ = scores_and_accuracy(model, xb, yb)
    model.zero_grad()
    hinge_loss(scores, yb).backward()
    with_grad = sum(now[n].grad != 0.0 for n in first)

    curves = {"fine-tuned (layers.0 frozen)": finetune_curve, "from scratch": scratch_curve}
    paths = plot(args, ((xa, ya), (xb, yb)), curves,
                 dict(zip(curves, [finetune_steps, scratch_steps])), model)

    def took(steps: int | None) -> str:
        return f"did not reach {TARGET:.0%} within {args.max_steps} steps" if steps is None \
            else f"reached {TARGET:.0%} in {steps} steps"

    print(f"transfer: pre-trained on moons to {pretrain_accuracy:.0%}; on the moons rotated "
          f"{ANGLE:g}° it starts at {finetune_curve[0]:.0%}. Fine-tuning {took(finetune_steps)}, "
          f"from scratch (same initial weights, same SGD lr {LR:g}) {took(scratch_steps)}. "
          f"{identical} of the {len(first)} frozen first-layer parameters are bit-identical to "
          f"{saved.name} ({with_grad} of them have a nonzero gradient), while {moved} of the "
          f"{len(now) - len(first)} parameters above them moved.")
    print("wrote " + ", ".join(str(p) for p in [*paths, saved,
                                                 args.out / "transfer_finetuned.json"]))
    return {"target": TARGET, "pretrain_accuracy": pretrain_accuracy,
            "finetune_steps": finetune_steps, "scratch_steps": scratch_steps,
            "finetune_curve": finetune_curve, "scratch_curve": scratch_curve,
            "frozen_params": len(first), "frozen_identical": identical,
            "frozen_with_grad": with_grad, "moved_params": moved}


if __name__ == "__main__":
    main()
