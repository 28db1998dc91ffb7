"""`Module.summary()`: one table row per layer, with the numbers a learner checks first.

Columns: the layer's dotted name, inputs → outputs, activation, parameter count, how many of
them are trainable (not frozen), the mean and standard deviation of its weights (biases left
out, since they start at 0 and would hide the spread of the weights), and the L2 norm of all
its parameters' gradients. A last row gives the totals.
"""

from __future__ import annotations

import math
from typing import Any


def _rows_owner(model: Any) -> list[tuple[str, Any]]:
    """The outermost modules that can describe themselves (layers, or a lone neuron)."""
    def describes(m: Any) -> bool:
        return hasattr(m, "describe")

    return [(name or type(m).__name__, m) for name, m in model.named_modules(stop=describes)
            if describes(m)]


def _is_weight(name: str) -> bool:
    """A weight, not a bias: `neurons.3.w.1` (MLP), `weight.0.4` (Conv1d), `q.weight.1.0`."""
    parts = name.split(".")
    return "w" in parts or any(part.startswith("weight") for part in parts)


def _stats(xs: list[float]) -> tuple[float, float]:
    if not xs:
        return math.nan, math.nan
    mean = sum(xs) / len(xs)
    return mean, math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs))


def summary_rows(model: Any) -> list[dict[str, Any]]:
    """The table as data: one dict per layer (name, shape, activation, params, ...)."""
    rows = []
    for name, module in _rows_owner(model):
        shape, activation = module.describe()
        params = module.parameters()
        weights = [p.data for n, p in module.named_parameters() if _is_weight(n)]
        mean, std = _stats(weights)
        rows.append({"layer": name, "shape": shape, "activation": activation,
                     "params": len(params), "trainable": sum(p.requires_grad for p in params),
                     "weight_mean": mean, "weight_std": std,
                     "grad_norm": math.sqrt(sum(p.grad * p.grad for p in params))})
    return rows


def summary_table(model: Any) -> str:
    rows = summary_rows(model)
    header = ["layer", "in → out", "activation", "params", "trainable", "weight mean",
              "weight std", "grad norm"]
    cells = [[r["layer"], r["shape"], r["activation"], str(r["params"]), str(r["trainable"]),
              f"{r['weight_mean']:+.4f}", f"{r['weight_std']:.4f}", f"{r['grad_norm']:.4g}"]
             for r in rows]
    params = model.parameters()
    total_grad = math.sqrt(sum(p.grad * p.grad for p in params))
    cells.append(["total", "", "", str(len(params)), str(sum(p.requires_grad for p in params)),
                  "", "", f"{total_grad:.4g}"])
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(len(lines) - 1, lines[1])
    return "\n".join(lines)
