"""Lesson: convolution on real digits: filters, feature maps, shifted digits, transfer.

A small CNN, `Sequential(Conv2d(1, 8, 3), ReLU(), MaxPool2d(2), Flatten(), Linear(72, 10))`,
reads the 8×8 digits of `nn.data.load_digits` (the digits lesson's split) beside an MLP of that
lesson's shape (64 → 32 → 10, here `Sequential(Flatten(), Linear, ReLU(), Linear)`), both
trained the same way (cross-entropy, Adam, minibatches of 32, the same batches).

- The CNN's 8 filters are 3×3 = 9 weights each, applied at all 36 positions: 810 parameters
  against the MLP's 2,410. The filters are drawn as images before and after training, and so
  are the feature maps they make of one test digit, before and after pooling.
- Translation invariance, measured: the test digits moved by one pixel up, down, left and
  right (the empty border filled with 0, which is background), and each model's accuracy on
  them, printed for both, whichever way it comes out.
- Transfer on real data: a CNN pre-trained on the digits 0-4 is saved; a new model loads it,
  freezes the first layer (the Conv2d) and trains a new head on 5-9, against the same head
  over frozen random filters and against the whole network trained from scratch, with the
  same steps and batches: accuracy on the test digits 5-9 along the way, the step where each
  first reaches 90%, and the frozen filters checked bit for bit against the saved file.

Measured (seed 0, full run, about 35 s of CPU here): test accuracy 94.7% for the CNN, 96.1%
for the MLP. Moved one pixel, the CNN keeps 53.4% on average, the MLP 45.7%: a little
translation invariance from the shared filters and the pool, not much, since the Linear head
reads each pooled position apart. On 5-9 the head over the pre-trained filters reaches 90% at
step 10, the CNN from scratch at step 30, the head over random filters not in 40 steps: the
pre-trained filters are better features than random ones, yet eight 3×3 filters are learned
from scratch nearly as fast (seeds 1-3: within 5 steps of fine-tuning). The lesson asserts
the CNN's accuracy (>= 90%; >= 70% with --quick) and the frozen filters' bits.

Run: python -m demos.convolution [--quick] [--seed N]
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, NamedTuple

from demos.common import (
    lesson_parser,
    progress,
    pyplot,
    record_picture,
    save_picture,
    sign_colormap,
)
from weightgrad.engine import no_grad
from weightgrad.nn import (
    Conv2d,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
    Sequential,
    cross_entropy,
    draw_weights,
    load_digits,
)
from weightgrad.nn.optim import Adam

LESSON = "Convolution: filters, feature maps, shifted digits and transfer"
SIDE, CHANNELS, KERNEL, POOL, HIDDEN = 8, 8, 3, 2, 32
BATCH, LR, TARGET = 32, 0.01, 0.9  # TARGET: the transfer race's finishing line
SHOULD_REACH, QUICK_SHOULD_REACH = 0.9, 0.7  # the CNN's test accuracy, asserted
SPLIT_SEED = 0  # the digits lesson's split, whatever --seed
SHIFTS = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}


class Plan(NamedTuple):
    epochs: int  # on the ten digits
    pre_epochs: int  # pre-training on 0-4
    steps: int  # fine-tuning, and from scratch, on 5-9
    every: int  # steps between two accuracy checks on 5-9
    images: int | None  # training images of each task (None: all)
    tests: int | None  # test images of each task (None: all)


FULL, QUICK = Plan(4, 3, 40, 5, None, None), Plan(2, 1, 10, 5, 320, 100)

Image = list[list[list[float]]]


def as_image(pixels: list[float]) -> Image:
    """64 pixels, row by row, as one channel of 8 rows: the (C, H, W) input Conv2d takes."""
    return [[pixels[r * SIDE:(r + 1) * SIDE] for r in range(SIDE)]]


def shifted(image: Image, dr: int, dc: int) -> Image:
    """The image moved by (dr, dc) pixels; what comes in from outside is 0 (no ink)."""
    return [[[ch[r - dr][c - dc] if 0 <= r - dr < SIDE and 0 <= c - dc < SIDE else 0.0
              for c in range(SIDE)] for r in range(SIDE)] for ch in image]


def cnn(classes: int, conv_seed: int, head_seed: int) -> Sequential:
    side = (SIDE - KERNEL + 1) // POOL  # 8 -> 6 (conv) -> 3 (pool)
    return Sequential(Conv2d(1, CHANNELS, KERNEL, seed=conv_seed), ReLU(), MaxPool2d(POOL),
                      Flatten(), Linear(CHANNELS * side * side, classes, seed=head_seed))


def mlp(seed: int) -> Sequential:
    return Sequential(Flatten(), Linear(SIDE * SIDE, HIDDEN, seed=seed), ReLU(),
                      Linear(HIDDEN, 10, seed=seed + 1))


def accuracy_of(model: Sequential, images: list[Image], labels: list[int]) -> float:
    with no_grad():
        hits = 0
        for image, label in zip(images, labels):
            scores = [v.data for v in model(image)]
            hits += max(range(len(scores)), key=scores.__getitem__) == label
    return hits / len(labels)


def batches(n: int, steps: int, seed: int) -> list[list[int]]:
    """`steps` minibatches of BATCH indices: shuffled passes over range(n), one after another."""
    rng, out = random.Random(seed), []
    while len(out) < steps:
        order = list(range(n))
        rng.shuffle(order)
        out += [order[i:i + BATCH] for i in range(0, n, BATCH)]
    return out[:steps]


def train(model: Sequential, data: tuple[list[Image], list[int]], steps: int, seed: int,
          desc: str, every: int = 0, test: Any = None) -> list[tuple[int, float]]:
    """`steps` Adam steps (lr LR) on the minibatches `batches(..., seed)` gives: the same
    batches for every model given the same seed. With `every`, the accuracy on `test` before
    the first step and after every `every` steps: [(step, accuracy), ...]. Frozen parameters
    are given to Adam too: it skips them itself."""
    images, labels = data
    opt, curve = Adam(model.parameters(), lr=LR), []
    for step, batch in enumerate(progress(batches(len(images), steps, seed), desc, "step")):
        if every and step % every == 0:
            curve.append((step, accuracy_of(model, *test)))
        loss = cross_entropy([model(images[i]) for i in batch], [labels[i] for i in batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if every:
        curve.append((steps, accuracy_of(model, *test)))
    return curve


def digits(split: str, classes: range, limit: int | None = None
           ) -> tuple[list[Image], list[int]]:
    """The split's images of `classes` (labels counted from classes[0]), the first `limit`."""
    xs, ys = load_digits(split, seed=SPLIT_SEED)
    kept = [(as_image(x), y - classes[0]) for x, y in zip(xs, ys) if y in classes][:limit]
    return [x for x, _ in kept], [y for _, y in kept]


def filters(model: Sequential) -> list[list[list[float]]]:
    return [[[w.data for w in row] for row in model[0].kernel(o)[0]] for o in range(CHANNELS)]


def grids(axes: Any, images: list[Any], scale: float | None, title: str) -> Any:
    """One image a subplot; `scale`: colours on [-scale, scale] (None: ink, 0 to 1)."""
    shown = None
    for ax, image in zip(axes, images):
        ax.set_xticks([])
        ax.set_yticks([])
        shown = ax.imshow(image, cmap="gray_r" if scale is None else sign_colormap(),
                          vmin=0 if scale is None else -scale, vmax=scale or 1.0,
                          interpolation="nearest")
    axes[0].set_ylabel(title, fontsize=8)
    return shown


def plot_filters(out: Path, before: list, after: list) -> Path:
    plt = pyplot()
    fig, axes = plt.subplots(2, CHANNELS, figsize=(1.2 * CHANNELS, 3), constrained_layout=True)
    scale = max(abs(w) for f in before + after for row in f for w in row)
    grids(axes[0], before, scale, "before")
    fig.colorbar(grids(axes[1], after, scale, "after"), ax=axes, shrink=0.7)
    fig.suptitle(f"The {CHANNELS} learned 3×3 filters (one scale, ±{scale:.2f}; blue +, "
                 "orange −)", fontsize=9)
    return save_picture(fig, out / "convolution_filters.svg",
                        "Convolution: the 8 Conv2d filters (3×3 weights) as images, before "
                        "and after training on the digits", LESSON)


def plot_feature_maps(out: Path, model: Sequential, image: Image, label: int) -> Path:
    with no_grad():
        maps = [[[v.data for v in row] for row in ch] for ch in model[:2](image)]
        pooled = [[[v.data for v in row] for row in ch] for ch in model[:3](image)]
    plt = pyplot()
    fig, axes = plt.subplots(3, CHANNELS, figsize=(1.2 * CHANNELS, 4.3), constrained_layout=True)
    grids(axes[0][:1], image, None, f"a {label}")
    for ax in axes[0][1:]:
        ax.axis("off")
    top = max(v for m in maps for row in m for v in row) or 1.0
    grids(axes[1], maps, top, "conv, ReLU\n6×6")
    grids(axes[2], pooled, top, "max pool\n3×3")
    fig.suptitle(f"What each filter sees in one test digit (one scale, 0 to {top:.2f})",
                 fontsize=9)
    return save_picture(fig, out / "convolution_feature_maps.svg",
                        "Convolution: the feature maps of one test digit, after Conv2d + ReLU "
                        "(6×6) and after MaxPool2d (3×3)", LESSON)


def plot_shifts(out: Path, image: Image, table: dict[str, dict[str, float]]) -> Path:
    plt = pyplot()
    fig, axes = plt.subplots(1, 6, figsize=(11, 2.2), constrained_layout=True,
                             gridspec_kw={"width_ratios": [1] * 5 + [3]})
    for ax, (name, (dr, dc)) in zip(axes, [("as is", (0, 0)), *SHIFTS.items()]):
        grids([ax], shifted(image, dr, dc), None, "")
        ax.set_title(name, fontsize=8)
    names = list(next(iter(table.values())))
    for k, (model, row) in enumerate(table.items()):
        bars = axes[5].bar([i + 0.4 * k for i in range(len(names))], list(row.values()),
                           width=0.4, label=model)
        axes[5].bar_label(bars, [f"{a:.0%}" for a in row.values()], fontsize=6)
    axes[5].set_xticks([i + 0.2 for i in range(len(names))], names, fontsize=8)
    axes[5].set_ylim(0, 1)
    axes[5].set_ylabel("test accuracy")
    axes[5].legend(fontsize=7, loc="lower left")
    axes[5].set_title("the test digits, each moved one pixel", fontsize=8)
    return save_picture(fig, out / "convolution_shifted.svg",
                        "Convolution: test accuracy of the CNN and the MLP on the test digits "
                        "moved one pixel each way", LESSON)


def plot_transfer(out: Path, curves: dict[str, list[tuple[int, float]]]) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.2), constrained_layout=True)
    for name, curve in curves.items():
        ax.plot([s for s, _ in curve], [a for _, a in curve], marker=".", label=name)
    ax.axhline(TARGET, color="grey", ls="--", label=f"{TARGET:.0%}")
    ax.set_xlabel("Adam steps on the digits 5-9")
    ax.set_ylabel("accuracy on the test digits 5-9")
    ax.legend(fontsize=8)
    return save_picture(fig, out / "convolution_transfer.svg",
                        "Convolution: a new head on 5-9 over the Conv2d pre-trained on 0-4 and "
                        "frozen, over frozen random filters, and the whole CNN from scratch",
                        LESSON)


def first_reaching(curve: list[tuple[int, float]]) -> int | None:
    return next((step for step, acc in curve if acc >= TARGET), None)


def transfer(args: Any, plan: Plan) -> dict:
    """Pre-train on 0-4 and save; train a new head on 5-9 over the frozen, loaded Conv2d,
    over a frozen random Conv2d (are the pre-trained filters better features than random
    ones?), and the whole network from scratch: the same head to start with, the same batches."""
    low, high = digits("train", range(5), plan.images), digits("train", range(5, 10), plan.images)
    test_low, test_high = digits("test", range(5), plan.tests), digits("test", range(5, 10),
                                                                        plan.tests)
    pretrained = cnn(5, args.seed, args.seed + 1)
    train(pretrained, low, plan.pre_epochs * -(-len(low[0]) // BATCH), args.seed,
          "pre-train 0-4")
    saved = args.out / "convolution_pretrained.json"
    pretrained.save(saved)
    # Other initial weights, all replaced by the file's; then the file's head is swapped for
    # a new one, the one the scratch model starts with too.
    loaded = cnn(5, args.seed + 7, args.seed + 8)
    loaded.load(saved)
    loaded[0].freeze()
    model = Sequential(*loaded[:4], Linear(CHANNELS * 9, 5, seed=args.seed + 2))
    # Both start from pre-training's initial filters and the new head's initial weights.
    random_conv, scratch = cnn(5, args.seed, args.seed + 2), cnn(5, args.seed, args.seed + 2)
    random_conv[0].freeze()
    runs = {"pre-trained conv, frozen": model, "random conv, frozen": random_conv,
            "from scratch": scratch}
    curves = {name: train(m, high, plan.steps, args.seed + 3, name, plan.every, test_high)
              for name, m in runs.items()}
    on_disk = json.loads(saved.read_text())["state_dict"]
    frozen = [(p, on_disk[f"0.{n.rsplit('.', 1)[0]}"][int(n.rsplit(".", 1)[1])])
              for n, p in model[0].named_parameters()]
    model.save(args.out / "convolution_finetuned.json")
    return {"pretrain_accuracy": accuracy_of(pretrained, *test_low), "curves": curves,
            "frozen": len(frozen), "identical": sum(p.data == x for p, x in frozen),
            "with_grad": sum(p.grad != 0.0 for p, _ in frozen),
            "reached": {name: first_reaching(c) for name, c in curves.items()}}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = lesson_parser(__doc__.splitlines()[0], seed=0).parse_args(argv)
    plan = QUICK if args.quick else FULL
    args.out.mkdir(parents=True, exist_ok=True)
    data, test = digits("train", range(10), plan.images), digits("test", range(10), plan.tests)
    model, dense = cnn(10, args.seed, args.seed + 1), mlp(args.seed)
    before = filters(model)
    n_steps = plan.epochs * -(-len(data[0]) // BATCH)
    for m, name in ((model, "CNN"), (dense, "MLP")):
        train(m, data, n_steps, args.seed, name)
    table = {name: {"as is": accuracy_of(m, *test)} | {
        way: accuracy_of(m, [shifted(x, *d) for x in test[0]], test[1])
        for way, d in SHIFTS.items()} for name, m in (("CNN", model), ("MLP", dense))}
    for row in table.values():
        row["mean shifted"] = sum(row[w] for w in SHIFTS) / len(SHIFTS)
    result = transfer(args, plan)
    paths = [plot_filters(args.out, before, filters(model)),
             plot_feature_maps(args.out, model, test[0][0], test[1][0]),
             plot_shifts(args.out, test[0][0], table), plot_transfer(args.out, result["curves"]),
             draw_weights(model).save(args.out / "convolution_hinton.svg")]
    record_picture(args.out, paths[-1], "Convolution: Hinton diagrams of the trained CNN, the "
                   "Conv2d's 8 filters of 9 weights, then the Linear head", LESSON)
    counts = {name: len(m.parameters()) for name, m in (("CNN", model), ("MLP", dense))}
    cnn_acc, mlp_acc = table["CNN"]["as is"], table["MLP"]["as is"]
    if cnn_acc < (QUICK_SHOULD_REACH if args.quick else SHOULD_REACH):
        raise AssertionError(f"the CNN's test accuracy {cnn_acc:.1%} is too low")
    if result["identical"] != result["frozen"] or not result["with_grad"]:
        raise AssertionError(f"{result['identical']} of {result['frozen']} frozen parameters "
                             f"as saved, {result['with_grad']} with a gradient")

    def shifts(name: str) -> str:
        row = table[name]
        return (f"{name} " + ", ".join(f"{w} {row[w]:.1%}" for w in SHIFTS)
                + f" (mean {row['mean shifted']:.1%}, from {row['as is']:.1%})")

    def took(name: str) -> str:
        step = result["reached"][name]
        return f"not reached in {plan.steps}" if step is None else f"{TARGET:.0%} at step {step}"

    races = "; ".join(f"{name} {curve[-1][1]:.1%}, {took(name)}"
                      for name, curve in result["curves"].items())
    print(f"convolution: the CNN has {counts['CNN']:,} parameters ({CHANNELS} filters of 3×3 + "
          f"bias: {CHANNELS * 10}), the MLP {counts['MLP']:,}; after {n_steps} Adam steps on "
          f"{len(data[0]):,} images, test accuracy CNN {cnn_acc:.1%}, MLP {mlp_acc:.1%}.")
    print(f"shifted by one pixel: {shifts('CNN')}; {shifts('MLP')}.")
    print(f"transfer: pre-trained on 0-4 ({result['pretrain_accuracy']:.1%} on their test "
          f"digits); a new head on 5-9, accuracy after {plan.steps} steps and the first "
          f"check (every {plan.every} steps) at {TARGET:.0%}: {races}. {result['identical']} of "
          f"the {result['frozen']} frozen parameters are bit-identical to "
          f"convolution_pretrained.json ({result['with_grad']} had a nonzero gradient).")
    print("wrote " + ", ".join(str(p) for p in paths))
    return {"parameters": counts, "shifted": table, "steps": n_steps, **result}


if __name__ == "__main__":
    main()
