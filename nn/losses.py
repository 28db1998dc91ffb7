"""Loss functions, softmax and weight penalties, built from engine Values.

Each loss turns a model's outputs and the wanted answers into one Value to call `backward()`
on. Everything is composed from the engine's own ops (no new ops), so every step of a loss
shows up in `draw_graph` and `explain` like any other part of the network. Formulas and the
"mean" reduction follow PyTorch's torch.nn.functional, so results can be checked against it.
Inputs may be Values or plain numbers (not bools: see nn.checks); plain numbers become constant
leaves.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from weightgrad.engine import Value
from weightgrad.engine.fused import weighted_sum
from weightgrad.engine.value import Operand

from . import checks

# PyTorch's BCELoss clamps each log at -100 so that p = 0 or 1 gives a finite loss
# (https://pytorch.org/docs/stable/generated/torch.nn.BCELoss.html). We clamp p at e^-100
# instead of clamping log p: the same result (log is increasing), but `max(p, c)` built as
# relu(p - c) + c keeps p exact, where relu(log p + 100) - 100 would round small logs off.
_MIN_PROB = math.exp(-100.0)


def _pair(name: str, a: Iterable[Operand], b: Iterable[Operand], what: tuple[str, str]
          ) -> tuple[list[Value], list[Value]]:
    """Both sequences checked (nn.checks) and as Values; ValueError naming both lengths if
    they differ or are empty."""
    xs, ys = checks.values(name, what[0], a), checks.values(name, what[1], b)
    if len(xs) != len(ys) or not xs:
        problem = "differ in length" if len(xs) != len(ys) else "are empty"
        raise ValueError(f"{name}: {what[0]} and {what[1]} {problem}: "
                         f"{what[0]} has length {len(xs)}, {what[1]} has length {len(ys)}")
    return xs, ys


def _sum(xs: list[Value]) -> Value:
    # Left to right from the first term: the same floats as sum(), without a constant 0 node.
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    return total


def softmax(logits: Sequence[Operand]) -> list[Value]:
    """exp(z_i) / Σ_j exp(z_j), one Value per logit.

    The largest logit's value is subtracted first, as a constant: softmax(z - c) = softmax(z)
    for any c, so results and gradients are unchanged, but exp never overflows (the largest
    term is exp(0) = 1 and the sum is at least 1).
    """
    zs = checks.values("softmax", "logits", logits, nonempty=True)
    top = Value(max(z.data for z in zs))  # one constant node, not one per logit
    exps = [(z - top).exp() for z in zs]
    total = _sum(exps)
    return [e / total for e in exps]


def mse_loss(predictions: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """Mean of (prediction - target)², as torch.nn.functional.mse_loss(reduction="mean")."""
    ps, ts = _pair("mse_loss", predictions, targets, ("predictions", "targets"))
    return _sum([(p - t) ** 2 for p, t in zip(ps, ts)]) / len(ps)


def hinge_loss(scores: Sequence[Operand], labels: Sequence[Operand]) -> Value:
    """Mean of relu(1 - y·s) for labels y in {-1, +1}: micrograd's demo loss (an SVM margin).

    Computed in the order of micrograd's demo.ipynb (`(1 + -yi*scorei).relu()`, then
    `sum(losses) * (1.0 / len(losses))`), so the value matches it to the last bit.
    """
    ss, ys = _pair("hinge_loss", scores, labels, ("scores", "labels"))
    for i, y in enumerate(ys):
        if y.data not in (-1.0, 1.0):
            raise checks.wrong_value("hinge_loss", f"labels[{i}]", "-1 or +1", y.data)
    # With y = ±1 the margin 1 + (-y)·s is exactly 1 - s or 1 + s (IEEE: -1·s = -s, and
    # a + (-b) = a - b), so it takes one node instead of three; a label that is a computed
    # Value keeps the full form, so its gradient is still there.
    losses = [((1 - s if y.data > 0 else 1 + s) if y.is_leaf else 1 + -y * s).relu()
              for y, s in zip(ys, ss)]
    return _sum(losses) * (1.0 / len(losses))


def _clamped_log(p: Value) -> Value:
    return ((p - _MIN_PROB).relu() + _MIN_PROB).log()


def binary_cross_entropy(probs: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """Mean of -(y log p + (1 - y) log(1 - p)), each log clamped at -100, as PyTorch's BCELoss.

    Where the clamp is active (p < e^-100 or 1 - p < e^-100) the gradient through that log
    is 0, as torch.clamp's is. Probabilities outside [0, 1] are refused, as PyTorch does.
    """
    ps, ys = _pair("binary_cross_entropy", probs, targets, ("probs", "targets"))
    for i, p in enumerate(ps):
        if not 0.0 <= p.data <= 1.0:  # also refuses nan
            raise checks.wrong_value("binary_cross_entropy", f"probs[{i}]",
                                     "a probability in [0, 1]", p.data)
    terms = [-(y * _clamped_log(p) + (1 - y) * _clamped_log(1 - p)) for p, y in zip(ps, ys)]
    return _sum(terms) / len(terms)


def _bce_logit(x: Value, y: Value) -> Value:
    # PyTorch's stable form, max(x, 0) - x·y + log1p(exp(-|x|))
    # (https://pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html).
    # max and |x| are resolved by x's sign when the graph is built, so each branch is smooth:
    # its gradient is sigmoid(x) - y everywhere, x = 0 included (relu's subgradient at the
    # kink would give -y there), and exp only ever sees -|x| <= 0, so it cannot overflow.
    # log1p, not log(1 + ...): for a confident logit e^-|x| is tiny and 1 + e^-|x| rounds
    # (at |x| = 30 the loss came out 3e-3 off, relatively).
    # x·(1 - y), not x - x·y: the same number, but x then gets its gradient 1 - y in one piece;
    # as 1 and -y it cancelled against -σ(-x) (x = 30, y = 1: 1.7e-4 off, relatively).
    if x.data >= 0.0:
        return x * (1 - y) + (-x).exp().log1p()
    return -(x * y) + x.exp().log1p()


def binary_cross_entropy_with_logits(logits: Sequence[Operand], targets: Sequence[Operand]
                                     ) -> Value:
    """Mean binary cross-entropy of sigmoid(logit) against targets, finite for any logit."""
    xs, ys = _pair("binary_cross_entropy_with_logits", logits, targets, ("logits", "targets"))
    return _sum([_bce_logit(x, y) for x, y in zip(xs, ys)]) / len(xs)


def _cross_entropy_one(logits: Sequence[Operand], target: int, where: str = "") -> Value:
    """One example; `where` is its index in a batch ("[3]"), to name the bad argument."""
    zs = checks.values("cross_entropy", f"logits{where}", logits, nonempty=True)
    t = checks.index("cross_entropy", f"target{where}", target, len(zs))
    # -log softmax(z)[t] = logsumexp(z) - z_t; the max is subtracted, as in softmax, so that
    # exp cannot overflow. Its gradient is softmax(z) - onehot(t)
    # (https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html).
    top = Value(max(z.data for z in zs))  # one constant node, not one per logit
    shifted = [z - top for z in zs]
    return _sum([s.exp() for s in shifted]).log() - shifted[t]


def cross_entropy(logits: Sequence[Operand] | Sequence[Sequence[Operand]],
                  target: int | Sequence[int]) -> Value:
    """Cross-entropy of raw logits against a class index, as torch.nn.functional.cross_entropy.

    One example: `cross_entropy([z0, z1, z2], 2)`. A batch: a list of logit lists and a list
    of class indices, giving the mean over the batch (reduction="mean").
    """
    if isinstance(target, (str, bytes)) or not isinstance(target, Sequence):
        return _cross_entropy_one(logits, target)
    rows = checks.sequence("cross_entropy", "logits", logits, of="lists of logits")
    targets = checks.sequence("cross_entropy", "target", target, of="class indices")
    if len(rows) != len(targets) or not rows:
        raise ValueError(f"cross_entropy: logits and target must be non-empty and of the same "
                         f"length: logits has length {len(rows)}, target has length "
                         f"{len(targets)}")
    return _sum([_cross_entropy_one(z, t, f"[{i}]")
                 for i, (z, t) in enumerate(zip(rows, targets))]) / len(rows)


def l1_penalty(params: Iterable[Operand]) -> Value:
    """Σ |w| (lasso). |w| = relu(w) + relu(-w): gradient sign(w), and 0 at w = 0."""
    ws = checks.values("l1_penalty", "params", params)
    return _sum([w.relu() + (-w).relu() for w in ws]) if ws else Value(0.0)


def l2_penalty(params: Iterable[Operand]) -> Value:
    """Σ w² (ridge); add λ·l2_penalty to a loss for L2 regularisation (gradient 2λw).

    One fused Σ node, Σ wᵢ·wᵢ + 0: the weights are both the "weights" and the "inputs" of a
    weighted sum, so each w gets w·g twice, 2w·g in all. The additions run 0 + w₁² + w₂² + ...
    in order, the same floats as summing w**2 one by one, in one node instead of 2n.
    """
    ws = checks.values("l2_penalty", "params", params)
    return weighted_sum(ws, ws, Value(0.0)) if ws else Value(0.0)
