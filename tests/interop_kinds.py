"""One small model of every module kind with weights, for the PyTorch interop tests
(tests/nn/test_safetensors.py, test_model_files.py, test_torch_source.py) and
benchmarks/check_torch.py. Each entry builds a fresh model from a seed, so two seeds give two
models with the same architecture and different weights."""

from __future__ import annotations

import random
from collections.abc import Callable

import weightgrad.nn as wnn
from weightgrad.nn import (
    MLP,
    Conv1d,
    Flatten,
    Layer,
    Linear,
    Module,
    MultiheadAttention,
    Neuron,
    ReLU,
    RNNCell,
    SelfAttention,
    Sequential,
    Tanh,
)

KINDS: dict[str, Callable[[int], Module]] = {
    "MLP": lambda s: MLP(3, [4, 4, 2], activation="tanh", seed=s),
    "MLP-leaky": lambda s: MLP(2, [3, 1], activation="leaky_relu", seed=s),
    "Linear": lambda s: Linear(3, 2, seed=s),
    "Linear-no-bias": lambda s: Linear(3, 2, bias=False, seed=s),
    "Sequential": lambda s: Sequential(Flatten(), Linear(4, 3, seed=s), ReLU(),
                                       Linear(3, 2, seed=s + 1), Tanh()),
    "Layer": lambda s: Layer(3, 2, activation="sigmoid", rng=random.Random(s)),
    "Neuron": lambda s: Neuron(3, activation="relu", rng=random.Random(s)),
    "Conv1d": lambda s: Conv1d(2, 3, kernel_size=2, stride=1, padding=1, seed=s),
    "RNNCell": lambda s: RNNCell(2, 3, seed=s),
    "SelfAttention": lambda s: SelfAttention(4, seed=s),
    "SelfAttention-bare": lambda s: SelfAttention(3, seed=s, bias=False, out_proj=False),
    "MultiheadAttention": lambda s: MultiheadAttention(4, 2, seed=s),
    "MultiheadAttention-no-bias": lambda s: MultiheadAttention(4, 1, bias=False, seed=s),
}
# Conv2d and MaxPool2d arrive with issue 17 (torch.nn's arguments); taken in once they exist.
if hasattr(wnn, "Conv2d") and hasattr(wnn, "MaxPool2d"):
    KINDS["Conv2d"] = lambda s: wnn.Conv2d(2, 3, kernel_size=2, padding=1, seed=s)
    KINDS["CNN"] = lambda s: Sequential(  # 1 x 4 x 4 -> 2 x 4 x 4 -> 2 x 2 x 2 -> 8 -> 3
        wnn.Conv2d(1, 2, kernel_size=3, padding=1, seed=s), ReLU(), wnn.MaxPool2d(2),
        Flatten(), Linear(8, 3, seed=s + 1))

# Kinds whose whole architecture is in their config (Layer and Neuron record none).
REBUILDABLE = [k for k in KINDS if k not in ("Layer", "Neuron")]
