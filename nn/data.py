"""Data sets for lessons and tests, as plain lists; anything random drawn from a seeded
`random.Random`.

`make_moons` follows scikit-learn's `make_moons` (two interleaving half circles) so
micrograd's demo can be reproduced without scikit-learn; labels are -1 and +1, as the hinge
loss of that demo expects.

`load_digits` is real data: scikit-learn's bundled copy of the UCI handwritten digits
(1,797 images of 8×8 pixels, classes 0-9, read from inside the installed package: no
download), with a fixed stratified train/test split. scikit-learn is imported only when it
is called; it comes with weightgrad's `demos` extra, and the core does not need it.
"""

from __future__ import annotations

import math
import random
from functools import cache

from . import checks

SPLITS = ("train", "test")
DIGITS_TEST_FRACTION = 0.2  # of each class, rounded: 359 test images of 1,797


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: int | None = 0
               ) -> tuple[list[list[float]], list[int]]:
    """Points on two half moons with Gaussian noise; (inputs, labels in {-1, +1})."""
    checks.size("make_moons", "n_samples", n_samples, low=2)
    noise = checks.real("make_moons", "noise", noise, 0.0)
    checks.seed("make_moons", seed)
    rng = random.Random(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    points: list[tuple[list[float], int]] = []
    for i in range(n_out):  # upper moon, label -1
        t = math.pi * i / (n_out - 1) if n_out > 1 else 0.0
        points.append(([math.cos(t), math.sin(t)], -1))
    for i in range(n_in):  # lower moon, shifted right and down, label +1
        t = math.pi * i / (n_in - 1) if n_in > 1 else 0.0
        points.append(([1.0 - math.cos(t), 0.5 - math.sin(t)], 1))
    rng.shuffle(points)
    xs = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for (x, y), _ in points]
    return xs, [label for _, label in points]


@cache
def _digits() -> tuple[tuple[tuple[float, ...], ...], tuple[int, ...]]:
    """scikit-learn's digits as (pixels scaled to [0, 1], labels), read once per process."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ModuleNotFoundError(
            "load_digits needs scikit-learn, which comes with weightgrad's demos extra: "
            "pip install 'weightgrad[demos]' (or pip install scikit-learn)",
            name="sklearn") from None
    images, labels = sklearn_digits(return_X_y=True)
    # Pixels are ink counts 0..16 (4x4 blocks of a 32x32 bitmap); /16 puts them in [0, 1].
    return (tuple(tuple(float(p) / 16.0 for p in row) for row in images.tolist()),
            tuple(int(t) for t in labels.tolist()))


def load_digits(split: str = "train", seed: int | None = 0
                ) -> tuple[list[list[float]], list[int]]:
    """The 8×8 handwritten digits as (images, labels): each image a list of 64 pixels in
    [0, 1], row by row; labels 0-9.

    The split is stratified: from each class, round(20%) of its images, drawn with
    `random.Random(seed)`, are the test set ("test", 359 images) and the rest the training
    set ("train", 1,438), so both sets hold the classes in the data set's proportions. The
    same seed always gives the same split (None: a fresh one); the two never overlap. Images
    keep the data set's order within a split.
    """
    checks.choice("load_digits", "split", split, SPLITS)
    checks.seed("load_digits", seed)
    images, labels = _digits()
    rng = random.Random(seed)
    test: set[int] = set()
    for digit in sorted(set(labels)):
        members = [i for i, t in enumerate(labels) if t == digit]
        test.update(rng.sample(members, round(DIGITS_TEST_FRACTION * len(members))))
    chosen = [i for i in range(len(labels)) if (i in test) == (split == "test")]
    return [list(images[i]) for i in chosen], [labels[i] for i in chosen]
