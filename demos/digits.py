"""Lesson: what the weights of a network that reads handwritten digits look like.

Real data, small enough for a scalar engine: scikit-learn's 1,797 handwritten digits of 8×8
pixels (`nn.data.load_digits`, a fixed stratified split: 1,438 to train on, 359 to test).
`MLP(64, [32, 10])` (relu, Kaiming init) reads the 64 pixels and gives 10 scores;
`cross_entropy` and Adam (lr 0.01, decaying linearly, minibatches of 32) train it.

What the weights represent, each a picture in out/:
- each hidden unit's 64 incoming weights drawn as an 8×8 image, before and after training:
  the strokes it looks for (blue) and against (orange). Pixels that hold no ink in any
  training image never pass a gradient to their weights (∂loss/∂w = δ·x = 0), so those weights
  stay exactly as initialised: the lesson checks it bit for bit;
- the whole network as Hinton diagrams (`nn.draw_weights`): one square per weight, its area
  |w|, its colour the sign;
- saliency: how much the score of the true class moves per unit of each pixel. The inputs
  are Values, so `backward()` fills their `.grad` as it fills the weights': no second method;
  the lesson checks it against central differences;
- the confusion matrix and the five mistakes the network was surest of.

Measured (seed 0, full run, about 14 s of CPU here): test accuracy 96.9% after 10 epochs
(2.5% before training), 11 mistakes of 359; seeds 0..4 give 96.9% to 98.3%. 3 of the 64
pixels are blank in every training image, so 96 weights keep their initial values. The full
run asserts >= 96%; the test runs --quick (2 epochs, 93.3%) and asserts >= 85%.

Run: python -m demos.digits [--quick] [--seed N]
"""

from __future__ import annotations

import random
from pathlib import Path

from demos.common import (
    lesson_parser,
    minibatch_epoch,
    progress,
    pyplot,
    record_picture,
    save_picture,
    sign_colormap,
)
from weightgrad.engine import Value, no_grad
from weightgrad.nn import MLP, cross_entropy, draw_weights, load_digits, softmax
from weightgrad.nn.optim import Adam

LESSON = "Digits: what the weights of a real network look like"
SIDE, HIDDEN, CLASSES = 8, 32, 10
BATCH, LR = 32, 0.01
EPOCHS, QUICK_EPOCHS = 10, 2
TARGET, QUICK_TARGET = 0.96, 0.85
SPLIT_SEED = 0  # the same test set whatever --seed: accuracies stay comparable
N_SALIENCY, N_MISTAKES = 6, 5

Images = list[list[float]]


def digit(d: int) -> str:
    return f"{'an' if d == 8 else 'a'} {d}"  # "an 8", "a 9"


def evaluate(model: MLP, xs: Images, ys: list[int]) -> tuple[float, float, list[list[float]]]:
    """(mean cross-entropy, accuracy, each image's class probabilities), without a graph."""
    with no_grad():
        logits = [model(x) for x in xs]
        loss = cross_entropy(logits, ys).data
        probs = [[p.data for p in softmax(z)] for z in logits]
    hits = sum(max(range(CLASSES), key=p.__getitem__) == y for p, y in zip(probs, ys))
    return loss, hits / len(ys), probs


def train_epoch(model: MLP, opt: Adam, xs: Images, ys: list[int], rng: random.Random) -> None:
    """One pass over the training set in shuffled minibatches, one Adam step each."""
    minibatch_epoch(model, opt, xs, ys, list(range(len(xs))), rng, BATCH)


def saliency(model: MLP, image: list[float], label: int) -> list[float]:
    """d(score of `label`)/d(pixel) for every pixel, read from the inputs' own `.grad`."""
    pixels = [Value(p) for p in image]  # Values, so backward reaches them (numbers get none)
    score = model(pixels)[label]
    score.backward()
    model.zero_grad()  # the weights' gradients from this are not for training
    return [p.grad for p in pixels]


def central_difference(model: MLP, image: list[float], label: int, h: float = 1e-6
                       ) -> list[float]:
    """The same derivative from the forward pass alone: (f(x + h) - f(x - h)) / 2h."""
    with no_grad():
        def f(j: int, d: float) -> float:
            return model([p + d if i == j else p for i, p in enumerate(image)])[label].data
        return [(f(j, h) - f(j, -h)) / (2 * h) for j in range(len(image))]


def first_layer(model: MLP) -> list[list[float]]:
    return [[w.data for w in row] for row in model.layers[0].weight]


def grid(ax: object, values: list[float], scale: float, cmap: object) -> object:
    """An 8×8 image of 64 numbers, coloured on [-scale, scale]."""
    rows = [values[r * SIDE:(r + 1) * SIDE] for r in range(SIDE)]
    ax.set_xticks([])
    ax.set_yticks([])
    return ax.imshow(rows, cmap=cmap, vmin=-scale, vmax=scale, interpolation="nearest")


def plot_weight_images(rows: list[list[float]], when: str, out: Path) -> Path:
    plt = pyplot()
    fig, axes = plt.subplots(4, 8, figsize=(10, 5.8), constrained_layout=True)
    for j, (ax, row) in enumerate(zip(axes.flat, rows)):
        top = max(abs(w) for w in row)
        image = grid(ax, [w / top for w in row], 1.0, sign_colormap())
        ax.set_title(f"unit {j}: ±{top:.2f}", fontsize=7)
    fig.colorbar(image, ax=axes, shrink=0.5, ticks=[-1, 0, 1],
                 label="w / max|w| of its image")
    fig.suptitle(f"Each hidden unit's 64 input weights as an 8×8 image, {when}\n(one scale "
                 "per image, ±max|w| above it; blue +, orange −)", fontsize=10)
    name = when.split()[0]
    return save_picture(fig, out / f"digits_weights_{name}.svg",
                        f"Digits: the 32 first-layer weight vectors as 8×8 images, "
                        f"{when} (diverging colours symmetric about 0, one scale per image, stated "
                        "above it)", LESSON)


def plot_curves(history: list[tuple[float, float, float, float]], out: Path) -> Path:
    plt = pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2), constrained_layout=True)
    epochs = range(len(history))
    ax1.plot(epochs, [h[0] for h in history], marker="o", label="train")
    ax1.plot(epochs, [h[2] for h in history], marker="o", label="test")
    ax1.set_yscale("log")
    ax1.set_ylabel("cross-entropy")
    ax2.plot(epochs, [h[1] for h in history], marker="o", label="train")
    ax2.plot(epochs, [h[3] for h in history], marker="o", label="test")
    ax2.axhline(TARGET, color="grey", ls="--", label=f"{TARGET:.0%}")
    ax2.set_ylabel("accuracy")
    for ax in (ax1, ax2):
        ax.set_xticks(list(epochs))
        ax.set_xlabel("epoch (0: before training)")
        ax.legend()
    return save_picture(fig, out / "digits_curves.svg",
                        "Digits: learning curves, train and test loss and accuracy "
                        "by epoch", LESSON)


def plot_saliency(images: Images, labels: list[int], maps: list[list[float]],
                  probs: list[list[float]], out: Path) -> Path:
    plt = pyplot()
    fig, axes = plt.subplots(2, len(images), figsize=(1.7 * len(images), 4),
                             constrained_layout=True)
    for c, (image, label, m, p) in enumerate(zip(images, labels, maps, probs)):
        axes[0][c].imshow([image[r * SIDE:(r + 1) * SIDE] for r in range(SIDE)],
                          cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        axes[0][c].set_xticks([])
        axes[0][c].set_yticks([])
        axes[0][c].set_title(f"{digit(label)}, p {p[label]:.2f}", fontsize=8)
        top = max(abs(g) for g in m) or 1.0
        grid(axes[1][c], m, top, sign_colormap())
        axes[1][c].set_title(f"±{top:.2f}", fontsize=8)
    fig.suptitle("Saliency: d(score of the true class)/d(pixel), from the inputs' .grad "
                 "(one scale per map; blue: more ink raises the score)", fontsize=9)
    return save_picture(fig, out / "digits_saliency.svg",
                        "Digits: saliency maps, d(true-class score)/d(pixel) read "
                        "from the inputs' own .grad, for 6 test digits", LESSON)


def plot_confusion(matrix: list[list[int]], out: Path) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 4.4), constrained_layout=True)
    ax.imshow(matrix, cmap="Blues")
    top = max(max(row) for row in matrix)
    for t in range(CLASSES):
        for p in range(CLASSES):
            if matrix[t][p]:
                ax.text(p, t, str(matrix[t][p]), ha="center", va="center", fontsize=8,
                        color="white" if matrix[t][p] > top / 2 else "black")
    ax.set_xticks(range(CLASSES))
    ax.set_yticks(range(CLASSES))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix of the test set")
    return save_picture(fig, out / "digits_confusion.svg",
                        "Digits: confusion matrix of the 359 test digits", LESSON)


def plot_mistakes(mistakes: list[tuple[float, int, int, list[float]]], out: Path) -> Path:
    plt = pyplot()
    fig, axes = plt.subplots(1, N_MISTAKES, figsize=(1.8 * N_MISTAKES, 2.4),
                             constrained_layout=True)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    for ax, (p, true, guess, image) in zip(axes, mistakes):
        ax.imshow([image[r * SIDE:(r + 1) * SIDE] for r in range(SIDE)], cmap="gray_r",
                  vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"{digit(true)} read as {guess}\np = {p:.2f}", fontsize=8)
    fig.suptitle(f"The {len(mistakes)} test mistakes the network was surest of", fontsize=9)
    return save_picture(fig, out / "digits_mistakes.svg",
                        "Digits: the five most confident mistakes on the test set, "
                        "with their images", LESSON)


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = lesson_parser(__doc__.splitlines()[0], seed=0).parse_args(argv)
    epochs, target = (QUICK_EPOCHS, QUICK_TARGET) if args.quick else (EPOCHS, TARGET)
    xs, ys = load_digits("train", seed=SPLIT_SEED)
    test_x, test_y = load_digits("test", seed=SPLIT_SEED)
    model = MLP(SIDE * SIDE, [HIDDEN, CLASSES], init="kaiming", seed=args.seed)
    before = first_layer(model)
    opt = Adam(model.parameters(), lr=LR)
    rng = random.Random(f"digits batches {args.seed}")
    history = []
    for epoch in progress(range(epochs + 1), desc="digits", unit="epoch"):
        train_loss, train_acc, _ = evaluate(model, xs, ys)
        test_loss, test_acc, probs = evaluate(model, test_x, test_y)
        history.append((train_loss, train_acc, test_loss, test_acc))
        if epoch < epochs:
            opt.lr = LR * (1 - epoch / epochs)  # linear decay: steadier last epochs
            train_epoch(model, opt, xs, ys, rng)
    if test_acc < target:
        raise AssertionError(f"test accuracy {test_acc:.1%} is below {target:.0%}")
    after = first_layer(model)

    # Pixels with no ink in any training image: δ·x = 0 for their weights, every step.
    blank = [j for j in range(SIDE * SIDE) if all(x[j] == 0.0 for x in xs)]
    unmoved = all(b[j] == a[j] for b, a in zip(before, after) for j in blank)
    if not unmoved:
        raise AssertionError("a weight of a blank pixel moved")
    maps = [saliency(model, test_x[i], test_y[i]) for i in range(N_SALIENCY)]
    numeric = central_difference(model, test_x[0], test_y[0])
    saliency_error = max(abs(a - b) for a, b in zip(maps[0], numeric))
    if saliency_error > 1e-6:
        raise AssertionError(f"saliency differs from central differences by {saliency_error}")
    matrix = [[0] * CLASSES for _ in range(CLASSES)]
    wrong = []
    for p, y, image in zip(probs, test_y, test_x):
        guess = max(range(CLASSES), key=p.__getitem__)
        matrix[y][guess] += 1
        if guess != y:
            wrong.append((p[guess], y, guess, image))
    wrong.sort(key=lambda m: -m[0])
    confused = max((matrix[t][g], t, g) for t in range(CLASSES) for g in range(CLASSES)
                    if t != g)

    args.out.mkdir(parents=True, exist_ok=True)
    paths = [plot_curves(history, args.out),
             plot_weight_images(before, "before training", args.out),
             plot_weight_images(after, "after training", args.out),
             draw_weights(model).save(args.out / "digits_hinton.svg"),
             plot_saliency(test_x[:N_SALIENCY], test_y[:N_SALIENCY], maps,
                           probs[:N_SALIENCY], args.out),
             plot_confusion(matrix, args.out), plot_mistakes(wrong[:N_MISTAKES], args.out)]
    record_picture(args.out, paths[3], "Digits: Hinton diagrams of the trained MLP(64, [32, "
                   "10]), a square per weight with area |w| and colour its sign, biases in the "
                   "last column (nn.draw_weights)", LESSON)
    print(f"digits: MLP(64, [32, 10]) (relu, Kaiming) after {epochs} epochs of Adam (lr {LR} "
          f"decaying linearly, batches of {BATCH}) on {len(xs):,} images: test accuracy "
          f"{test_acc:.1%} on {len(test_x)} ({history[0][3]:.1%} before training), test loss "
          f"{test_loss:.4f}, train accuracy {train_acc:.1%}.")
    print(f"the weights: {len(blank)} of {SIDE * SIDE} pixels hold no ink in any training "
          f"image, so their {len(blank) * HIDDEN} weights never got a gradient and are exactly "
          f"as initialised; saliency from the inputs' .grad equals central differences to "
          f"{saliency_error:.1e}.")
    first = wrong[0] if wrong else (0.0, 0, 0, [])
    commonest = ("no confusion happens twice" if confused[0] < 2 else
                 f"the commonest {digit(confused[1])} read as {confused[2]} ({confused[0]} "
                 "times)")
    print(f"mistakes: {len(wrong)} of {len(test_x)}, {commonest}; the surest "
          f"{digit(first[1])} read as {first[2]} with p = {first[0]:.2f}.")
    print("wrote " + ", ".join(str(p) for p in paths))
    return {"test_accuracy": test_acc, "test_loss": test_loss, "train_accuracy": train_acc,
            "accuracy_before": history[0][3], "blank_pixels": len(blank),
            "saliency_error": saliency_error, "mistakes": len(wrong),
            "epochs": epochs}


if __name__ == "__main__":
    main()
