"""Lesson: attention weights without the full score matrix (FlashAttention, Ring Attention).

Plain attention computes every score s_ij = q_i · k_j / √d of the L × S matrix, takes a
softmax over each row, a_ij = exp(s_ij) / Σ_j exp(s_ij), and mixes the values, o_i = Σ_j a_ij
v_j. FlashAttention (Dao et al. 2022, algorithm 1) never holds the whole matrix: it walks the
keys block by block and keeps, for each query, a running maximum m, a running sum l of
exp(s − m) and a running output acc. When a block brings a larger maximum m', the old sums
were measured against the wrong m, so they are rescaled by exp(m − m') (the "online softmax",
Milakov & Gimelshein 2018); at the end o = acc / l. Ring Attention (Liu et al. 2023) gives each
of P devices one block of queries and one block of keys and values, and passes the key/value
blocks around the ring, P steps, each device folding the block it holds into its own running
sums, so no device ever sees all the keys at once.

All three are written here with Values. The running maximum enters the graph as a constant,
as the plain softmax's shift does: softmax(z − c) = softmax(z) for any c, so it changes no
output and no gradient. Claims, measured: the blockwise and ring outputs and the gradients of
every query, key and value number equal the plain ones to 1e-12 (largest differences printed),
with rescaling really happening; and under `no_grad` (inference, where nothing keeps the
scores for a backward pass, so the saving is real) the largest number of score Values alive at
once is L·S for plain attention, one tile Bq·Bk for FlashAttention and one (L/P)·(S/P) block
for each ring step. The alive scores are counted by weak references, not by the code's say-so.

Run: python -m demos.blockwise_attention [--quick] [--seed N]
"""

from __future__ import annotations

import math
import random
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from demos.common import lesson_parser, pyplot, save_picture
from weightgrad.engine import Value, no_grad
from weightgrad.engine.autograd import is_grad_enabled

LESSON = "Blockwise attention"
Rows = list[list[Value]]
Track = Callable[[Value], Value]
TOLERANCE = 1e-12


class _Score(Value):
    """A score Value that a weak reference can watch (Value itself has no __weakref__ slot)."""

    __slots__ = ("__weakref__",)


class ScoreCounter:
    """Counts the score Values alive at once. Under no_grad a score has no parents to keep, so
    re-making it as a watched leaf with the same number changes nothing but makes it countable;
    CPython frees a Value the moment its last reference goes, and the weak set forgets it."""

    def __init__(self) -> None:
        self.alive: weakref.WeakSet[_Score] = weakref.WeakSet()
        self.peak = 0

    def __call__(self, score: Value) -> Value:
        assert not is_grad_enabled(), "counting would cut the graph: use it under no_grad"
        watched = _Score(score.data)
        self.alive.add(watched)
        self.peak = max(self.peak, len(self.alive))
        return watched


def untracked(score: Value) -> Value:
    return score


def dot(a: Sequence[Value], b: Sequence[Value]) -> Value:
    return sum((x * y for x, y in zip(a[1:], b[1:])), a[0] * b[0])


def plain_attention(qs: Rows, ks: Rows, vs: Rows, track: Track = untracked) -> Rows:
    """Softmax attention as written: the whole L × S score matrix, then each row's softmax."""
    scale = 1.0 / math.sqrt(len(qs[0]))
    scores = [[track(dot(q, k) * scale) for k in ks] for q in qs]
    out = []
    for row in scores:
        top = max(s.data for s in row)  # the usual shift, so exp never overflows
        exps = [(s - top).exp() for s in row]
        total = sum(exps[1:], exps[0])
        weights = [e / total for e in exps]
        out.append([dot(weights, [v[c] for v in vs]) for c in range(len(vs[0]))])
    return out


class RunningRow:
    """One query's online softmax: running maximum m (a constant), sum l and output acc."""

    def __init__(self) -> None:
        self.m, self.l, self.acc = -math.inf, None, None
        self.rescaled = 0  # how often a later block brought a larger maximum

    def fold(self, scores: list[Value], vs: Rows) -> None:
        m_new = max(self.m, max(s.data for s in scores))
        exps = [(s - m_new).exp() for s in scores]
        block_sum = sum(exps[1:], exps[0])
        block_out = [dot(exps, [v[c] for v in vs]) for c in range(len(vs[0]))]
        if self.l is None:
            self.l, self.acc = block_sum, block_out
        else:
            # the sums so far were taken against exp(s − m): bring them to exp(s − m_new)
            c = math.exp(self.m - m_new)
            self.rescaled += c != 1.0
            self.l = self.l * c + block_sum
            self.acc = [a * c + b for a, b in zip(self.acc, block_out)]
        self.m = m_new

    def output(self) -> list[Value]:
        return [a / self.l for a in self.acc]


def blocks(rows: list[Any], size: int) -> list[list[Any]]:
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def fold_tile(states: list[RunningRow], qs: Rows, ks: Rows, vs: Rows, track: Track) -> None:
    """One Bq × Bk tile of scores, folded into its queries' running rows, then dropped."""
    scale = 1.0 / math.sqrt(len(qs[0]))
    tile = [[track(dot(q, k) * scale) for k in ks] for q in qs]
    for state, row in zip(states, tile):
        state.fold(row, vs)


def flash_attention(qs: Rows, ks: Rows, vs: Rows, block: int, track: Track = untracked
                    ) -> tuple[Rows, int]:
    """FlashAttention's loop: for each block of queries, every block of keys and values."""
    out, rescaled = [], 0
    for q_block in blocks(qs, block):
        states = [RunningRow() for _ in q_block]
        for k_block, v_block in zip(blocks(ks, block), blocks(vs, block)):
            fold_tile(states, q_block, k_block, v_block, track)
        out += [s.output() for s in states]
        rescaled += sum(s.rescaled for s in states)
    return out, rescaled


def ring_attention(qs: Rows, ks: Rows, vs: Rows, devices: int, track: Track = untracked
                   ) -> tuple[Rows, list[list[int]]]:
    """P simulated devices in a ring. Device d keeps query block d; the key/value blocks move
    one device on after every step, so after P steps each device has seen every block once.
    Returns the outputs and the schedule: schedule[step][d] = the block device d held."""
    q_blocks = blocks(qs, math.ceil(len(qs) / devices))
    held = list(zip(range(devices), blocks(ks, math.ceil(len(ks) / devices)),
                    blocks(vs, math.ceil(len(vs) / devices))))
    states = [[RunningRow() for _ in q_block] for q_block in q_blocks]
    schedule = []
    for _ in range(devices):
        schedule.append([index for index, _, _ in held])
        for d in range(devices):  # in a real ring these run at the same time
            _, k_block, v_block = held[d]
            fold_tile(states[d], q_blocks[d], k_block, v_block, track)
        held = held[-1:] + held[:-1]  # send to the next device, receive from the previous
    return [s.output() for device in states for s in device], schedule


def make_inputs(seed: int, n: int, d: int) -> tuple[list[list[list[float]]], list[list[float]]]:
    """Queries, keys and values U(-2, 2) (wide enough that later blocks bring new maxima), and
    the fixed readout weights of the scalar loss whose gradients are compared."""
    rng = random.Random(seed)
    qkv = [[[rng.uniform(-2, 2) for _ in range(d)] for _ in range(n)] for _ in range(3)]
    readout = [[rng.uniform(-1, 1) for _ in range(d)] for _ in range(n)]
    return qkv, readout


def gradients(method: Callable[[Rows, Rows, Rows], Rows], qkv: list[list[list[float]]],
              readout: list[list[float]]) -> tuple[list[float], list[float]]:
    """(outputs, d loss / d every q, k and v number) for loss = Σ readout ⊙ outputs, from
    fresh leaves: each method builds its own graph from the same numbers."""
    leaves = [[[Value(x) for x in row] for row in m] for m in qkv]
    out = method(*leaves)
    loss = sum((w * o for wr, orow in zip(readout, out) for w, o in zip(wr, orow)), Value(0.0))
    loss.backward()
    return ([o.data for row in out for o in row],
            [x.grad for m in leaves for row in m for x in row])


def largest_difference(a: list[float], b: list[float]) -> float:
    return max(abs(x - y) for x, y in zip(a, b))


def plot(out: Path, qkv: list[list[list[float]]], block: int, peaks: dict[str, int],
         schedule: list[list[int]]) -> list[Path]:
    plt = pyplot()
    qs, ks = ([[Value(x) for x in row] for row in m] for m in qkv[:2])
    n = len(qs)
    with no_grad():  # the weights only, to draw: softmax of each row of scores
        scale = 1.0 / math.sqrt(len(qs[0]))
        weights = []
        for q in qs:
            s = [dot(q, k).data * scale for k in ks]
            e = [math.exp(x - max(s)) for x in s]
            weights.append([x / sum(e) for x in e])
    fig, ax = plt.subplots(figsize=(4.6, 4))
    image = ax.imshow(weights, cmap="Blues", vmin=0.0)
    for edge in range(block, n, block):  # FlashAttention's tiles
        ax.axhline(edge - 0.5, color="#e8710a", linewidth=1)
        ax.axvline(edge - 0.5, color="#e8710a", linewidth=1)
    ax.set_xlabel("key j")
    ax.set_ylabel("query i")
    ax.set_title(f"attention weights a_ij; FlashAttention holds one {block}×{block} tile",
                 fontsize=9)
    fig.colorbar(image, ax=ax, shrink=0.8)
    paths = [save_picture(fig, out / "blockwise_attention_tiles.svg",
                          "Blockwise attention: the attention weights, cut into the "
                          "tiles FlashAttention computes one at a time", LESSON)]

    fig, ax = plt.subplots(figsize=(5.4, 3))
    names = list(peaks)
    ax.barh(names, [peaks[k] for k in names], color=["#999999", "#0877bd", "#e8710a"])
    for y, k in enumerate(names):
        ax.text(peaks[k], y, f" {peaks[k]}", va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("largest number of score Values alive at once (no_grad)")
    ax.set_title(f"{n} queries × {n} keys: the same outputs, a fraction of the scores",
                 fontsize=9)
    paths.append(save_picture(fig, out / "blockwise_attention_memory.svg",
                              "Blockwise attention: score Values alive at once, plain vs "
                              "FlashAttention tiles vs one ring step", LESSON))

    fig, ax = plt.subplots(figsize=(4.2, 3))
    ax.imshow(schedule, cmap="Pastel1", vmin=0, vmax=8)
    for step, row in enumerate(schedule):
        for d, index in enumerate(row):
            ax.text(d, step, f"K,V {index}", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(schedule[0])), [f"device {d}" for d in range(len(schedule[0]))],
                  fontsize=8)
    ax.set_yticks(range(len(schedule)), [f"step {s}" for s in range(len(schedule))],
                  fontsize=8)
    ax.set_title("Ring Attention: the key/value block each device holds", fontsize=9)
    paths.append(save_picture(fig, out / "blockwise_attention_ring.svg",
                              "Blockwise attention: the ring schedule; every device sees "
                              "every key/value block once, one block at a time", LESSON))
    return paths


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = lesson_parser(__doc__.splitlines()[0], seed=0)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    n, d, block, devices = (8, 4, 2, 4) if args.quick else (24, 4, 4, 4)
    qkv, readout = make_inputs(args.seed, n, d)

    plain_out, plain_grads = gradients(plain_attention, qkv, readout)
    rescaled = []

    def flash(q: Rows, k: Rows, v: Rows) -> Rows:
        out, count = flash_attention(q, k, v, block)
        rescaled.append(count)
        return out

    flash_out, flash_grads = gradients(flash, qkv, readout)
    ring_out, ring_grads = gradients(lambda q, k, v: ring_attention(q, k, v, devices)[0],
                                     qkv, readout)
    diffs = {"flash_output": largest_difference(flash_out, plain_out),
             "flash_grad": largest_difference(flash_grads, plain_grads),
             "ring_output": largest_difference(ring_out, plain_out),
             "ring_grad": largest_difference(ring_grads, plain_grads)}

    peaks = {}
    with no_grad():  # inference: each method from fresh leaves, its scores counted
        runs = {"plain": lambda q, k, v, c: plain_attention(q, k, v, c),
                "FlashAttention": lambda q, k, v, c: flash_attention(q, k, v, block, c),
                "Ring Attention": lambda q, k, v, c: ring_attention(q, k, v, devices, c)}
        for name, method in runs.items():
            counter = ScoreCounter()
            result = method(*([[Value(x) for x in row] for row in m] for m in qkv), counter)
            peaks[name] = counter.peak
        schedule = result[1]  # the ring's, run last
    plot(args.out, qkv, block, peaks, schedule)

    print(f"{n} queries, {n} keys, {d} features; tiles {block}×{block}; {devices} devices")
    print(f"FlashAttention (online softmax): largest difference from plain attention "
          f"{diffs['flash_output']:.1e} in the outputs, {diffs['flash_grad']:.1e} in the "
          f"gradients of Q, K and V ({rescaled[0]} running sums rescaled by a new maximum)")
    print(f"Ring Attention ({devices} devices): largest difference {diffs['ring_output']:.1e} "
          f"in the outputs, {diffs['ring_grad']:.1e} in the gradients")
    print(f"Score Values alive at once under no_grad: plain {peaks['plain']} (= {n}·{n}), "
          f"FlashAttention {peaks['FlashAttention']} (one tile), Ring Attention "
          f"{peaks['Ring Attention']} (one block per device and step)")
    assert max(diffs.values()) <= TOLERANCE, diffs
    assert rescaled[0] > 0, "no block brought a new maximum: the online softmax was not tested"
    assert peaks["plain"] == n * n
    assert peaks["FlashAttention"] == block * block
    assert peaks["Ring Attention"] == (n // devices) ** 2
    print(f"Conclusion: the same attention outputs and gradients to {TOLERANCE:g}, with "
          f"{peaks['FlashAttention']} instead of {peaks['plain']} scores held at once.")
    return {"n": n, "block": block, "devices": devices, "differences": diffs,
            "rescaled": rescaled[0], "peaks": peaks, "schedule": schedule}


if __name__ == "__main__":
    main()
