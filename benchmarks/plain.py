"""micrograd's moons training step written by hand in plain Python: the speed floor.

No graph, no objects per number: weights are nested lists of floats, W[l][j][i] (layer l,
neuron j, input i) and B[l][j], and the gradient is derived on paper. This is how a competent
Python programmer would write one step of MLP(2, [16, 16, 1]) without an autograd engine or
numpy, so "weightgrad's step / this step" says what the engine's bookkeeping costs.

The loss is micrograd's demo.ipynb: mean over points of relu(1 - y·score) plus
alpha · Σ w² over every weight and bias; the update is plain SGD.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

Weights = list[list[list[float]]]  # W[l][j][i]
Biases = list[list[float]]  # B[l][j]


def unflatten(params: Sequence[float], sizes: Sequence[int]) -> tuple[Weights, Biases]:
    """Split a flat parameter list into W and B.

    `params` is in the documented `parameters()` order of both weightgrad and micrograd:
    layer by layer, neuron by neuron, each neuron's weights then its bias. `sizes` is
    [nin, *nouts], e.g. [2, 16, 16, 1].
    """
    W: Weights = []
    B: Biases = []
    k = 0
    for nin, nout in pairwise(sizes):
        rows, biases = [], []
        for _ in range(nout):
            rows.append([float(p) for p in params[k:k + nin]])
            biases.append(float(params[k + nin]))
            k += nin + 1
        W.append(rows)
        B.append(biases)
    if k != len(params):
        raise ValueError(f"{len(params)} parameters do not fit sizes {list(sizes)} ({k} needed)")
    return W, B


def flatten(W: Weights, B: Biases) -> list[float]:
    """W and B back in `parameters()` order (the inverse of `unflatten`)."""
    return [x for rows, biases in zip(W, B) for row, b in zip(rows, biases) for x in (*row, b)]


def train_step(W: Weights, B: Biases, xs: Sequence[Sequence[float]], ys: Sequence[int],
               lr: float, alpha: float) -> float:
    """One SGD step on the hinge + L2 loss, updating W and B in place; returns the loss.

    Each point's forward pass is followed at once by its backward pass: the gradient of the
    mean hinge loss with respect to one point's score depends on that point alone, so nothing
    has to be kept across points except the gradient sums.
    """
    n_layers = len(W)
    gW = [[[0.0] * len(row) for row in rows] for rows in W]
    gB = [[0.0] * len(biases) for biases in B]
    inv_n = 1.0 / len(xs)
    data_loss = 0.0
    for x, y in zip(xs, ys):
        # Forward, keeping each layer's input (for dW) and pre-activation (for the relu mask).
        inputs: list[list[float]] = []
        pre: list[list[float]] = []
        a = list(x)
        for k in range(n_layers):
            inputs.append(a)
            z = []
            for row, b in zip(W[k], B[k]):
                s = b  # b + Σ wᵢxᵢ, the order micrograd's Neuron adds in
                for w, ai in zip(row, a):
                    s += w * ai
                z.append(s)
            pre.append(z)
            # Hidden layers are relu, the last layer is linear.
            a = [v if v > 0.0 else 0.0 for v in z] if k < n_layers - 1 else z
        score = a[0]
        margin = 1.0 - y * score
        if margin <= 0.0:
            continue  # relu'(margin) = 0: the point is outside the margin, no loss, no gradient
        data_loss += margin
        # d(mean hinge)/d score = -y / n while the margin is positive.
        delta = [-y * inv_n]
        for k in range(n_layers - 1, -1, -1):
            a_in = inputs[k]
            for j, d in enumerate(delta):
                if d == 0.0:
                    continue  # a dead relu passes no gradient to its weights
                gB[k][j] += d
                g_row = gW[k][j]
                for i, ai in enumerate(a_in):
                    g_row[i] += d * ai
            if k == 0:
                break
            # Back through the weights to the previous layer's outputs, then its relu mask.
            z_prev = pre[k - 1]
            rows = W[k]
            delta = [sum(d * row[i] for d, row in zip(delta, rows)) if z_prev[i] > 0.0 else 0.0
                     for i in range(len(z_prev))]
    # As micrograd's demo: the hinge sum times 1/n (not divided by n), and Σ w² taken in
    # parameters() order, so the loss matches it to rounding.
    reg = sum(w * w for rows, biases in zip(W, B) for row, b in zip(rows, biases)
              for w in (*row, b))
    loss = data_loss * inv_n + alpha * reg
    # L2 adds 2·alpha·w to every gradient; then SGD moves each number against its gradient.
    two_alpha = 2.0 * alpha
    for rows, g_rows, biases, g_biases in zip(W, gW, B, gB):
        for row, g_row in zip(rows, g_rows):
            for i, w in enumerate(row):
                row[i] = w - lr * (g_row[i] + two_alpha * w)
        for j, b in enumerate(biases):
            biases[j] = b - lr * (g_biases[j] + two_alpha * b)
    return loss
