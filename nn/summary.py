"""`Module.summary()`: one table row per layer and one per weight group, with the numbers a
learner checks first.

A layer is a module that states weight groups (nn/weight_groups.py). Its row: the layer's
dotted name, inputs → outputs, activation, parameter count, how many of them are trainable
(not frozen), the mean and standard deviation of its weights (biases left out, since they start
at 0 and would hide the spread of the weights), and the L2 norm of all its parameters'
gradients. Under it, one indented row per weight group (`weight`, `bias`, `weight_ih`, ...)
with its shape in PyTorch's layout and the same numbers for that group alone. A last row gives
the totals.
"""

from __future__ import annotations

import html
import math
from typing import Any

from .weight_groups import WeightGroup


def _layers(model: Any) -> list[tuple[str, Any, list[WeightGroup]]]:
    """(row name, module, its groups) for every module that states weight groups."""
    modules = dict(model.named_modules())
    layers: dict[str, list[WeightGroup]] = {}
    for name, group in model.weight_groups():
        layers.setdefault(name, []).append(group)
    return [(name or type(model).__name__, modules[name], groups)
            for name, groups in layers.items()]


def _numbers(params: list[Any], weights: list[Any]) -> dict[str, Any]:
    mean, std = _stats([p.data for p in weights])
    return {"params": len(params), "trainable": sum(p.requires_grad for p in params),
            "weight_mean": mean, "weight_std": std,
            "grad_norm": math.hypot(*[p.grad for p in params])}


def _stats(xs: list[float]) -> tuple[float, float]:
    """Mean and (population) standard deviation, finite for any finite weights: a weight of
    1e308 overflows neither the sum (each term is divided by n first when the plain sum
    overflows) nor the deviations and squares (halved, then math.hypot, which scales;
    `x ** 2` raised OverflowError). The std is at most half the range, so it always fits."""
    if not xs:
        return math.nan, math.nan
    n = len(xs)
    mean = sum(xs) / n
    if math.isinf(mean) and all(math.isfinite(x) for x in xs):
        mean = sum(x / n for x in xs)
    root_n = math.sqrt(n)
    return mean, 2.0 * math.hypot(*[(x / 2 - mean / 2) / root_n for x in xs])


def summary_rows(model: Any) -> list[dict[str, Any]]:
    """The table as data: one dict per layer (name, shape, activation, params, ...), each with
    its weight groups under "groups" (name, kind, PyTorch shape and the same numbers)."""
    rows = []
    for name, module, groups in _layers(model):
        shape, activation = module.describe() if hasattr(module, "describe") else ("", "")
        params = [p for g in groups for p in g.params]
        weights = [p for g in groups if g.kind == "weight" for p in g.params]
        rows.append({"layer": name, "shape": shape, "activation": activation,
                     **_numbers(params, weights),
                     "groups": [{"group": g.name, "kind": g.kind, "shape": g.shape,
                                 **_numbers(list(g.params), list(g.params))} for g in groups]})
    return rows


def _four(x: float, sign: str) -> str:
    # Four decimals for the numbers weights usually are; four digits past 1e5 (a diverged
    # weight of 1e308 would otherwise print 309 digits).
    return f"{x:{sign}.4f}" if abs(x) < 1e5 else f"{x:{sign}.4g}"


class Summary(str):
    """The table's text (what `summary()` always returned, printed in a terminal), which a
    notebook shows as an HTML table: the same cells, one <tr> each."""

    def __new__(cls, text: str, header: list[str] | None = None,
                cells: list[list[str]] | None = None) -> Summary:
        # header and cells default so copy and pickle (which call cls(text)) still work
        self = super().__new__(cls, text)
        self.header, self.cells = header or [], cells or []
        return self

    def _repr_html_(self) -> str:
        def row(cells: list[str], tag: str) -> str:
            out = []
            for i, c in enumerate(cells):
                style = ' style="text-align: right"' if i >= 3 else ""  # the numbers
                if i == 0 and c.startswith("  "):  # a weight group, under its layer
                    style = ' style="padding-left: 1.5em"'
                out.append(f"<{tag}{style}>{html.escape(c.strip())}</{tag}>")
            return "<tr>" + "".join(out) + "</tr>"

        body = "".join(row(c, "td") for c in self.cells[:-1])
        return (f"<table><thead>{row(self.header, 'th')}</thead><tbody>{body}</tbody>"
                f"<tfoot>{row(self.cells[-1], 'th')}</tfoot></table>")


def summary_table(model: Any) -> Summary:
    rows = summary_rows(model)
    header = ["layer", "in → out", "activation", "params", "trainable", "weight mean",
              "weight std", "grad norm"]

    def numbers(r: dict[str, Any]) -> list[str]:
        return [str(r["params"]), str(r["trainable"]), _four(r["weight_mean"], "+"),
                _four(r["weight_std"], ""), f"{r['grad_norm']:.4g}"]

    cells = []
    for r in rows:
        cells.append([r["layer"], r["shape"], r["activation"], *numbers(r)])
        cells += [["  " + g["group"], str(g["shape"]), "", *numbers(g)] for g in r["groups"]]
    params = model.parameters()
    total_grad = math.hypot(*[p.grad for p in params])
    cells.append(["total", "", "", str(len(params)), str(sum(p.requires_grad for p in params)),
                  "", "", f"{total_grad:.4g}"])
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(len(lines) - 1, lines[1])
    return Summary("\n".join(lines), header, cells)
