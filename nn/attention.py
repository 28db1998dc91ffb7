"""Scaled dot-product self-attention (one head): weights that the network computes from the data.

A `Layer`'s weights are fixed numbers learned in training; attention's weights a_ij are
computed afresh for every input, from how well token i's query matches token j's key
(Vaswani et al. 2017, "Attention Is All You Need", eq. 1):

    q_i = W_q x_i + b_q,  k_j = W_k c_j + b_k,  v_j = W_v c_j + b_v   (c = context, else x)
    a_ij = softmax_j(q_i · k_j / sqrt(d_model)),   output_i = W_o (Σ_j a_ij v_j) + b_o

Parameter names and init follow torch.nn.MultiheadAttention with one head and separate
q/k/v weights: `q.weight.i.j` (row i = output i, column j = input j, PyTorch's (out, in)
layout), `q.bias.i`, likewise `k`, `v` and the output projection `out` (PyTorch's out_proj).
Every a_ij is a Value, so after `backward()` its gradient can be read like a weight's.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from typing import Any

from weightgrad.engine import Value
from weightgrad.engine.fused import weighted_sum

from . import checks
from . import init as nninit
from .linear import Linear
from .losses import softmax
from .module import Module

Token = Sequence[Value | float]


class SelfAttention(Module):
    """One attention head: projections `q`, `k`, `v` (d_model → d_model) and, if `out_proj`,
    an output projection `out`, each with a bias unless `bias=False`.

    Init, as torch.nn.MultiheadAttention._reset_parameters: W_q, W_k, W_v Xavier-uniform
    (Glorot & Bengio 2010), bound sqrt(6 / (2 d_model)), drawn in that order from
    `random.Random(seed)`; W_o nn.Linear's default, kaiming_uniform with a = sqrt(5), i.e.
    U(-1/sqrt(d_model), 1/sqrt(d_model)); every bias 0.

    b_k never gets a gradient: it adds the same q·b_k to every score of a row, which softmax
    ignores. PyTorch keeps it anyway (bias=True), and so does this class.
    """

    def __init__(self, d_model: int, seed: int | None = None, bias: bool = True,
                 out_proj: bool = True) -> None:
        self.d_model = checks.size("SelfAttention", "d_model", d_model)
        self.seed = checks.seed("SelfAttention", seed)
        self.has_bias, self.has_out = bool(bias), bool(out_proj)
        rng = random.Random(seed)
        # Each projection is an nn.Linear; what it drew for itself is redrawn here from the
        # head's own generator, as MultiheadAttention._reset_parameters redraws in_proj.
        self.q, self.k, self.v = (Linear(d_model, d_model, self.has_bias) for _ in range(3))
        for proj in (self.q, self.k, self.v):
            nninit.xavier_uniform(proj.weight, rng=rng)
        self.out = Linear(d_model, d_model, self.has_bias) if out_proj else None
        if self.out is not None:
            nninit.kaiming_uniform(self.out.weight, a=math.sqrt(5.0), rng=rng)
        for _, proj in self._children():
            if proj.bias is not None:
                nninit.zeros(proj.bias)
        self.label_parameters()

    def _children(self) -> Iterator[tuple[str, Module]]:
        yield from (("q", self.q), ("k", self.k), ("v", self.v))
        if self.out is not None:
            yield "out", self.out

    def _tokens(self, name: str, seq: object) -> list[tuple[Value, ...]]:
        """Each token as a tuple of Values (numbers become constants once, shared by q, k, v)."""
        seq = checks.sequence("SelfAttention", name, seq, nonempty=True,
                              of=f"tokens (lists of d_model={self.d_model} {checks.NUMBERS})")
        return [tuple(checks.values("SelfAttention", f"{name}[{t}]", token, self.d_model))
                for t, token in enumerate(seq)]

    def forward(self, x: Sequence[Token], context: Sequence[Token] | None = None,
                causal: bool = False) -> tuple[list[list[Value]], list[list[Value]]]:
        """(outputs, weights): outputs[i] has d_model Values, weights[i][j] = a_ij.

        Queries come from `x`, keys and values from `context` (cross-attention) or else from
        `x`. `causal=True` lets query i see keys j <= i only (a decoder's mask): the softmax
        runs over the allowed keys alone and each masked a_ij is a constant Value(0.0),
        exactly 0 and outside the graph, so a masked key or value gets no gradient from i.
        """
        xs = self._tokens("x", x)
        cs = xs if context is None else self._tokens("context", context)
        if causal and len(cs) != len(xs):
            raise ValueError(f"causal attention needs as many keys as queries: x has "
                             f"{len(xs)} tokens, context has {len(cs)}")
        qs = [self.q(t) for t in xs]
        ks = [tuple(self.k(t)) for t in cs]
        vs = [self.v(t) for t in cs]
        zero = Value(0.0)  # the "+ b" of each fused dot product, Σ q_c k_c + 0
        scale = 1.0 / math.sqrt(self.d_model)  # keeps q·k's variance near 1 (Vaswani, 3.2.1)
        # One tuple per column of V (v_1[c], ..., v_T[c]), shared by every query's Σ node.
        columns = [tuple(v[c] for v in vs) for c in range(self.d_model)]
        outputs, weights = [], []
        for i, q in enumerate(qs):
            n = i + 1 if causal else len(ks)
            row = softmax([weighted_sum(q, k, zero) * scale for k in ks[:n]])
            cols = columns if n == len(ks) else [col[:n] for col in columns]
            mixed = [weighted_sum(row, col, zero) for col in cols]
            outputs.append(mixed if self.out is None else self.out(mixed))
            weights.append(row + [Value(0.0) for _ in range(len(ks) - n)])
        return outputs, weights

    def __call__(self, x: Sequence[Token], context: Sequence[Token] | None = None,
                 causal: bool = False) -> tuple[list[list[Value]], list[list[Value]]]:
        return self.forward(x, context, causal)

    def config(self) -> dict[str, Any]:
        return {"d_model": self.d_model, "seed": self.seed, "bias": self.has_bias,
                "out_proj": self.has_out}

    def __repr__(self) -> str:
        return (f"SelfAttention(d_model={self.d_model}, bias={self.has_bias}, "
                f"out_proj={self.has_out}; {len(self.parameters())} parameters)")
