"""What the lessons share, so that each lesson imports `weightgrad` and this module only.

Lesson plumbing: the command line (--seed, --quick, --out), the output folder, progress bars,
figures saved as deterministic SVG (same seed, same bytes) and the gallery's registry; and the
two small two-moons recipes more than one lesson trains with (micrograd's hinge-loss demo, and
binary cross-entropy on 64 points). Third-party helpers (tqdm, matplotlib) are reached through
here too, so a lesson reads as weightgrad plus its own idea.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from weightgrad.engine import Value, no_grad
from weightgrad.nn import (
    MLP,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l2_penalty,
    make_moons,
)
from weightgrad.nn.optim import SGD

OUT = Path("out")
Item = TypeVar("Item")


def lesson_parser(description: str, seed: int = 0) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=seed, help="random seed (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help="a short run, as the tests use")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for pictures and files")
    return parser


def progress(iterable: Iterable[Item], desc: str, unit: str = "it") -> tqdm[Item]:
    """tqdm's bar over `iterable`, erased when done. Quiet unless both stdout and stderr are
    terminals: a log, a pipe or a test then holds the lesson's conclusions and nothing else."""
    shown = sys.stdout.isatty() and sys.stderr.isatty()
    return tqdm(iterable, desc=desc, unit=unit, leave=False, disable=not shown)


def pyplot() -> Any:
    """matplotlib's pyplot, headless, with SVG ids and metadata fixed for reproducible files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "weightgrad"
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: searchable and small
    return plt


def sign_colormap() -> Any:
    """A diverging matplotlib colour map in weightgrad's sign colours (engine.palette):
    orange for negative, white at 0, blue for positive. Use it with vmin = -vmax so that 0
    is white."""
    from matplotlib.colors import LinearSegmentedColormap

    from weightgrad.engine.palette import NEGATIVE, POSITIVE

    return LinearSegmentedColormap.from_list("weightgrad_sign", [NEGATIVE, "#ffffff", POSITIVE])


def save_figure(fig: Any, path: Path) -> Path:
    """Write a matplotlib figure as SVG without a date, so the same run gives the same bytes,
    and close it. (Graphviz pictures are written with weightgrad.engine.save_svg.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None}, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def record_picture(out: Path, path: Path, caption: str, lesson: str) -> Path:
    """Note a written picture (or page) and its one-line caption for out/index.html.

    Lessons append to out/pictures.json; `python -m demos.index` turns it into the gallery.
    """
    import json

    registry = out / "pictures.json"
    entries = json.loads(registry.read_text()) if registry.exists() else []
    name = str(Path(path).relative_to(out))
    entry = {"file": name, "caption": caption, "lesson": lesson}
    places = [i for i, e in enumerate(entries) if e["file"] == name]
    if places:  # a lesson run again keeps its place in the gallery
        entries[places[0]] = entry
    else:
        entries.append(entry)
    registry.write_text(json.dumps(entries, indent=1))
    return path


def save_picture(fig: Any, path: Path, caption: str, lesson: str) -> Path:
    """`save_figure`, then `record_picture` in the gallery of the folder it went to: how a
    lesson writes each matplotlib picture."""
    return record_picture(path.parent, save_figure(fig, path), caption, lesson)


# -- micrograd's two-moons recipe: the moons lesson; pruning, quantization and transfer reuse it

MOONS_ALPHA = 1e-4  # L2 strength in micrograd's demo.ipynb


def hits(scores: list[Value], ys: list[int]) -> float:
    """The fraction of scores on the side of 0 their label (±1) says."""
    return sum((y > 0) == (s.data > 0) for y, s in zip(ys, scores)) / len(ys)


def accuracy(model: MLP, xs: list[list[float]], ys: list[int]) -> float:
    """`hits` of the model's scores, computed without building a graph."""
    with no_grad():
        return hits([model(x) for x in xs], ys)


def moons_loss_and_accuracy(model: MLP, xs: list[list[float]], ys: list[int]
                            ) -> tuple[Value, float]:
    """micrograd's loss (hinge + MOONS_ALPHA·Σp² over every parameter) and the accuracy, from
    one forward pass."""
    scores = [model(x) for x in xs]
    loss = hinge_loss(scores, ys) + MOONS_ALPHA * l2_penalty(model.parameters())
    return loss, hits(scores, ys)


def train_moons(model: MLP, xs: list[list[float]], ys: list[int], steps: int,
                desc: str = "moons") -> list[tuple[float, float]]:
    """micrograd's training loop: full-batch SGD, lr 1.0 decaying by 0.009 a step (0.1 at step
    100). Returns (loss, accuracy) before each step."""
    opt = SGD(model.parameters(), lr=1.0)
    history = []
    bar = progress(range(steps), desc=desc, unit="step")
    for k in bar:
        loss, acc = moons_loss_and_accuracy(model, xs, ys)
        opt.zero_grad()
        loss.backward()
        opt.lr = 1.0 - 0.9 * k / 100  # micrograd's schedule
        opt.step()
        history.append((loss.data, acc))
        bar.set_postfix(loss=f"{loss.data:.4f}", acc=f"{acc:.0%}")
    return history


# -- binary cross-entropy on 64 moons points: the optimizers and regularization lessons

MoonsData = tuple[list[list[float]], list[float]]  # points and their 0/1 targets


def moons_data() -> MoonsData:
    """64 two-moons points (noise 0.1, seed 0) with BCE targets 0/1."""
    xs, ys = make_moons(64, noise=0.1, seed=0)
    return xs, [(y + 1) / 2 for y in ys]  # labels -1/+1 -> BCE targets 0/1


def bce_loss(model: MLP, data: MoonsData) -> Value:
    """Full-batch binary cross-entropy with logits of the model's scores."""
    xs, targets = data
    return binary_cross_entropy_with_logits([model(x) for x in xs], targets)


def minibatch_epoch(model: Any, optimizer: Any, xs: list[Any], ys: list[int], order: list[int],
                    rng: Any, batch: int) -> None:
    """One pass of mean cross-entropy steps over `order` (indices into xs, ys), shuffled in
    place first, in minibatches of `batch`: the digits lessons' epoch."""
    rng.shuffle(order)
    for start in range(0, len(order), batch):
        chosen = order[start:start + batch]
        loss = cross_entropy([model(xs[i]) for i in chosen], [ys[i] for i in chosen])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
