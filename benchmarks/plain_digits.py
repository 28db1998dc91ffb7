"""The digits lesson's training epoch written by hand in plain Python: the speed floor.

MLP(64, [32, 10]) with a relu hidden layer and a linear output, the mean cross-entropy of each
minibatch (log-sum-exp with the max subtracted, as nn.losses.cross_entropy), its gradient
derived on paper, and torch.optim.Adam's update (as nn.optim.Adam: eps added to
sqrt(v) / sqrt(1 - beta2^t)). Weights are nested lists of floats, W[l][j][i] and B[l][j]
(benchmarks/plain.py's layout, so `plain.unflatten` reads a weightgrad MLP's parameters).
This is how a competent Python programmer would write the epoch without an autograd engine
or numpy; "weightgrad's epoch / this epoch" says what the engine's bookkeeping costs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.plain import Biases, Weights


@dataclass
class AdamState:
    """Adam's moments, shaped like W and B, and the step count they share."""

    mW: Weights
    vW: Weights
    mB: Biases
    vB: Biases
    t: int = 0
    betas: tuple[float, float] = field(default=(0.9, 0.999))
    eps: float = 1e-8

    @classmethod
    def zeros(cls, W: Weights, B: Biases) -> AdamState:
        def like_w() -> Weights:
            return [[[0.0] * len(row) for row in rows] for rows in W]

        def like_b() -> Biases:
            return [[0.0] * len(biases) for biases in B]

        return cls(like_w(), like_w(), like_b(), like_b())


def _adam(params: list[float], grads: list[float], m: list[float], v: list[float],
          lr_t: float, sqrt_bc2: float, beta1: float, beta2: float, eps: float) -> None:
    """One Adam update of a row of numbers in place (PyTorch's arrangement of the formula)."""
    for i, g in enumerate(grads):
        m[i] = mi = beta1 * m[i] + (1 - beta1) * g
        v[i] = vi = beta2 * v[i] + (1 - beta2) * g * g
        params[i] -= lr_t * mi / (math.sqrt(vi) / sqrt_bc2 + eps)


def train_batch(W: Weights, B: Biases, state: AdamState, xs: Sequence[Sequence[float]],
                ys: Sequence[int], lr: float) -> float:
    """One Adam step on the batch's mean cross-entropy, W and B updated in place; the loss."""
    (W1, W2), (B1, B2) = W, B
    gW1 = [[0.0] * len(row) for row in W1]
    gW2 = [[0.0] * len(row) for row in W2]
    gB1, gB2 = [0.0] * len(B1), [0.0] * len(B2)
    inv_n = 1.0 / len(xs)
    total = 0.0
    for x, y in zip(xs, ys):
        h = []
        for row, b in zip(W1, B1):
            s = b  # b + Σ wᵢxᵢ, in the order weightgrad's neuron adds
            for w, xi in zip(row, x):
                s += w * xi
            h.append(s if s > 0.0 else 0.0)
        z = []
        for row, b in zip(W2, B2):
            s = b
            for w, hi in zip(row, h):
                s += w * hi
            z.append(s)
        top = max(z)
        exps = [math.exp(zk - top) for zk in z]
        total_exp = sum(exps)
        total += math.log(total_exp) - (z[y] - top)
        # d(mean loss)/dz = (softmax(z) - onehot(y)) / n
        dz = [e / total_exp * inv_n for e in exps]
        dz[y] -= inv_n
        dh = [0.0] * len(h)
        for k, d in enumerate(dz):
            gB2[k] += d
            g_row, w_row = gW2[k], W2[k]
            for j, hj in enumerate(h):
                g_row[j] += d * hj
                dh[j] += d * w_row[j]
        for j, d in enumerate(dh):
            if h[j] <= 0.0:
                continue  # relu passes no gradient where it is 0 (relu'(0) = 0, as PyTorch)
            gB1[j] += d
            g_row = gW1[j]
            for i, xi in enumerate(x):
                g_row[i] += d * xi
    state.t += 1
    beta1, beta2 = state.betas
    lr_t, sqrt_bc2 = lr / (1 - beta1 ** state.t), math.sqrt(1 - beta2 ** state.t)
    for rows, g_rows, m_rows, v_rows in zip(W, (gW1, gW2), state.mW, state.vW):
        for row, g, m, v in zip(rows, g_rows, m_rows, v_rows):
            _adam(row, g, m, v, lr_t, sqrt_bc2, beta1, beta2, state.eps)
    for biases, g, m, v in zip(B, (gB1, gB2), state.mB, state.vB):
        _adam(biases, g, m, v, lr_t, sqrt_bc2, beta1, beta2, state.eps)
    return total * inv_n


def train_epoch(W: Weights, B: Biases, state: AdamState, xs: Sequence[Sequence[float]],
                ys: Sequence[int], batches: Sequence[Sequence[int]], lr: float) -> float:
    """One Adam step per batch of indices; the mean of the batches' losses."""
    losses = [train_batch(W, B, state, [xs[i] for i in batch], [ys[i] for i in batch], lr)
              for batch in batches]
    return sum(losses) / len(losses)
