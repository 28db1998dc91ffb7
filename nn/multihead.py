"""`MultiheadAttention`: torch.nn.MultiheadAttention on unbatched lists, with its names,
layout, init and numbers, every attention weight a Value.

Each of the H heads attends on its own slice of the features (Vaswani et al. 2017, 3.2.2):
with d = E / H, head h uses columns h·d to (h+1)·d of the projected queries, keys and values,

    q = W_q x + b_q,  k = W_k c + b_k,  v = W_v c + b_v   (W_q, W_k, W_v: rows of in_proj_weight)
    a^h_ij = softmax_j(q^h_i · k^h_j / √d),   o^h_i = Σ_j a^h_ij v^h_j
    output_i = W_o [o^1_i, ..., o^H_i] + b_o   (out_proj)

Parameters, as PyTorch names them: `in_proj_weight` (3E, E) holding W_q, W_k, W_v one under
the other, `in_proj_bias` (3E), and `out_proj`, a Linear(E, E). Init as
MultiheadAttention._reset_parameters: Xavier-uniform over the whole (3E, E) in_proj_weight
(bound √(6 / (E + 3E))), out_proj.weight as nn.Linear's default (U(-1/√E, 1/√E)), every bias
0. The draws come from the module's own `random.Random(seed)`, in_proj first; PyTorch's own
generator gives other numbers for the same seed, so weights travel by file
(`save_safetensors`), not by seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from typing import Any

from weightgrad.engine import Value
from weightgrad.engine.fused import weighted_sum, weighted_sums

from . import checks
from . import init as nninit
from .attention import Token
from .linear import Linear
from .losses import softmax
from .module import Module, ParamEntry
from .parameter import Parameter
from .weight_groups import WeightGroup

WHO = "MultiheadAttention"
Weights = list[list[Value]] | list[list[list[Value]]] | None


class MultiheadAttention(Module):
    """H heads of scaled dot-product attention over E features (E divisible by H)."""

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True,
                 seed: int | None = None) -> None:
        self.embed_dim = checks.size(WHO, "embed_dim", embed_dim)
        self.num_heads = checks.size(WHO, "num_heads", num_heads)
        if embed_dim % num_heads:
            raise ValueError(f"{WHO}: embed_dim must be divisible by num_heads, got "
                             f"embed_dim={embed_dim}, num_heads={num_heads}")
        self.head_dim = embed_dim // num_heads
        self.has_bias, self.seed = bool(bias), checks.seed(WHO, seed)
        e = embed_dim
        self.in_proj_weight = [[Parameter(0.0) for _ in range(e)] for _ in range(3 * e)]
        self.in_proj_bias = [Parameter(0.0) for _ in range(3 * e)] if self.has_bias else None
        self.out_proj = Linear(e, e, self.has_bias)
        rng = random.Random(seed)
        nninit.xavier_uniform(self.in_proj_weight, rng=rng)
        nninit.kaiming_uniform(self.out_proj.weight, a=math.sqrt(5.0), rng=rng)
        for b in (self.in_proj_bias, self.out_proj.bias):
            if b is not None:
                nninit.zeros(b)
        zero = Value(0.0)  # the bias slot of a row without a bias (not a Parameter)
        self._rows = [(*row, self.in_proj_bias[i] if self.in_proj_bias else zero)
                      for i, row in enumerate(self.in_proj_weight)]
        self.label_parameters()

    def _own_tensors(self) -> Iterator[tuple[str, ParamEntry]]:
        for i, row in enumerate(self.in_proj_weight):
            yield f"in_proj_weight.{i}", row
        if self.in_proj_bias is not None:
            yield "in_proj_bias", self.in_proj_bias

    def _children(self) -> Iterator[tuple[str, Module]]:
        yield "out_proj", self.out_proj

    def _own_weight_groups(self) -> Iterator[WeightGroup]:
        e = self.embed_dim
        yield WeightGroup("in_proj_weight", "weight", (3 * e, e),
                          tuple(p for row in self.in_proj_weight for p in row))
        if self.in_proj_bias is not None:
            yield WeightGroup("in_proj_bias", "bias", (3 * e,), tuple(self.in_proj_bias))
        # Declaring groups stops the walk here (Module.weight_groups), so out_proj's come
        # with their PyTorch names relative to this module.
        for g in self.out_proj._own_weight_groups():
            yield WeightGroup(f"out_proj.{g.name}", g.kind, g.shape, g.params)

    def _tokens(self, name: str, seq: object) -> list[tuple[Value, ...]]:
        seq = checks.sequence(WHO, name, seq, nonempty=True,
                              of=f"tokens (lists of embed_dim={self.embed_dim} "
                                 f"{checks.NUMBERS})")
        return [tuple(checks.values(WHO, f"{name}[{t}]", token, self.embed_dim))
                for t, token in enumerate(seq)]

    def forward(self, query: Sequence[Token], key: Sequence[Token] | None = None,
                value: Sequence[Token] | None = None, need_weights: bool = True,
                average_attn_weights: bool = True, causal: bool = False
                ) -> tuple[list[list[Value]], Weights]:
        """(outputs, weights) for L query tokens over S key/value tokens (`key` defaults to
        `query`, `value` to `key`): outputs L × E; weights averaged over heads (L × S), per
        head (H × L × S) with `average_attn_weights=False`, or None without `need_weights`.
        `causal` lets query i see keys j <= i only (S must equal L); a masked weight is a
        constant 0."""
        qx = self._tokens("query", query)
        kx = qx if key is None else self._tokens("key", key)
        vx = kx if value is None else self._tokens("value", value)
        if len(vx) != len(kx):
            raise ValueError(f"{WHO}: key and value must have as many tokens, got {len(kx)} "
                             f"and {len(vx)}")
        if causal and len(kx) != len(qx):
            raise ValueError(f"{WHO}: causal attention needs as many keys as queries, got "
                             f"{len(qx)} queries and {len(kx)} keys")
        e, d = self.embed_dim, self.head_dim
        qs = [weighted_sums(self._rows[:e], t) for t in qx]
        ks = [weighted_sums(self._rows[e:2 * e], t) for t in kx]
        vs = [weighted_sums(self._rows[2 * e:], t) for t in vx]
        zero, scale = Value(0.0), 1.0 / math.sqrt(d)  # keeps q·k's variance near 1
        heads: list[list[list[Value]]] = []  # [h][i] = a^h_i (S Values)
        mixed = [[] for _ in qs]  # [i] = [o^1_i..., o^H_i...]
        for h in range(self.num_heads):
            cols = slice(h * d, (h + 1) * d)
            keys = [tuple(k[cols]) for k in ks]
            # one tuple per feature of V (v_1[c], ..., v_S[c]), shared by every query's Σ
            columns = [tuple(v[c] for v in vs) for c in range(h * d, (h + 1) * d)]
            rows = []
            for i, q in enumerate(qs):
                n = i + 1 if causal else len(keys)
                row = softmax([weighted_sum(q[cols], k, zero) * scale for k in keys[:n]])
                mixed[i] += [weighted_sum(row, col[:n], zero) for col in columns]
                rows.append(row + [Value(0.0) for _ in range(len(keys) - n)])
            heads.append(rows)
        outputs = [self.out_proj(m) for m in mixed]
        if not need_weights:
            return outputs, None
        if not average_attn_weights:
            return outputs, heads
        # torch: attn_output_weights.mean(dim=1), a sum over heads divided by H
        return outputs, [[sum((heads[h][i][j] for h in range(1, self.num_heads)),
                              heads[0][i][j]) / self.num_heads
                          for j in range(len(ks))] for i in range(len(qs))]

    def __call__(self, query: Sequence[Token], key: Sequence[Token] | None = None,
                 value: Sequence[Token] | None = None, need_weights: bool = True,
                 average_attn_weights: bool = True, causal: bool = False
                 ) -> tuple[list[list[Value]], Weights]:
        return self.forward(query, key, value, need_weights, average_attn_weights, causal)

    def config(self) -> dict[str, Any]:
        return {"embed_dim": self.embed_dim, "num_heads": self.num_heads,
                "bias": self.has_bias, "seed": self.seed}

    def __repr__(self) -> str:
        return (f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"bias={self.has_bias}; {len(self.parameters())} parameters)")
