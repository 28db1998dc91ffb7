"""Small synthetic data sets for lessons and tests, drawn from a seeded `random.Random`.

`make_moons` follows scikit-learn's `make_moons` (two interleaving half circles) so
micrograd's demo can be reproduced without scikit-learn; labels are -1 and +1, as the hinge
loss of that demo expects.
"""

from __future__ import annotations

import math
import random

from . import checks


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
