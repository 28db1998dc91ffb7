"""Test helpers for image modules (Conv2d, MaxPool2d): a seeded random image, and a module's
output read back as plain floats."""

from __future__ import annotations

import random

Grid = list[list[list[float]]]  # channels of rows of numbers


def image(channels: int, height: int, width: int, seed: int) -> Grid:
    rng = random.Random(seed)
    return [[[rng.uniform(-2, 2) for _ in range(width)] for _ in range(height)]
            for _ in range(channels)]


def data(out: list) -> list:
    return [[[v.data for v in row] for row in ch] for ch in out]
