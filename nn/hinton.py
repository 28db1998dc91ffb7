"""`draw_weights(module)`: Hinton diagrams of every weight matrix of any Module, as SVG.

A Hinton diagram draws each weight as a square whose *area* is proportional to |w| and whose
colour is its sign (Hinton, Williams & McClelland's diagrams of learned weights, 1986): blue
for positive, orange for negative, the colours of every weightgrad picture
(`engine.palette`). One panel per weight group (nn/weight_groups.py): row o is output o's
incoming weights, in PyTorch's layout, with the matching bias (`bias` beside `weight`,
`bias_ih` beside `weight_ih`) as one more column to the right. A kernel (out, in, k) is drawn
as out rows of in·k squares, a small gap between input channels. Each panel has its own
scale, stated in its title: a full square is the largest |w| of that panel (weights and bias
together). Every square carries its parameter's name and value as a tooltip.

The SVG is built with the standard library's xml.etree, so drawing needs nothing beyond
weightgrad itself: `draw_weights(model).save("weights.svg")`, or display it in Jupyter.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from weightgrad.engine import files
from weightgrad.engine.names import fmt
from weightgrad.engine.palette import CLUSTER, NEAR_ZERO, NEGATIVE, POSITIVE

from .module import Module, weight_groups_of
from .parameter import Parameter
from .weight_groups import WeightGroup

SVG_NS = "http://www.w3.org/2000/svg"
PAD = 12.0  # around the picture and between panels
TITLE = 18.0  # a panel's title line
FULL = 0.9  # a full square fills this fraction of its cell, so neighbours never touch
WIDTH = 800.0  # the widest panel's squares fit in about this many pixels...
CELL_RANGE = (4.0, 16.0)  # ...with cells no smaller or larger than these


@dataclass(frozen=True)
class WeightDiagram:
    """A drawn diagram: the SVG text, a file writer, and Jupyter's inline display."""

    svg: str

    def save(self, path: str | Path) -> Path:
        """Write the SVG to `path` (creating its folder) atomically: a temporary file beside
        it, then a rename, so a failed write leaves any old file whole. Returns the path."""
        return files.write_atomic(path, self.svg, "the weight diagram", make_folder=True)

    def _repr_svg_(self) -> str:
        return self.svg


@dataclass(frozen=True)
class _Panel:
    title: str
    rows: list[tuple[Parameter, ...]]  # one per output, in PyTorch's row-major order
    bias: tuple[Parameter, ...]  # one per output, or () for a weight without a bias
    channel: int  # squares per input channel (a kernel's k; a matrix's whole row)
    scale: float  # the |w| of a full square


def _panels(module: Module) -> list[_Panel]:
    groups = weight_groups_of(module, "draw_weights", "module")
    # PyTorch pairs a weight with its bias by name: weight/bias, weight_ih/bias_ih.
    by_name = {(m, g.name): g for m, g in groups}
    paired = {id(by_name[m, g.name.replace("weight", "bias", 1)]) for m, g in groups
              if g.kind == "weight" and (m, g.name.replace("weight", "bias", 1)) in by_name}
    panels = []
    for m, g in groups:
        if g.kind == "bias" and id(g) in paired:
            continue  # drawn beside its weight
        bias: WeightGroup | None = None
        if g.kind == "weight":
            bias = by_name.get((m, g.name.replace("weight", "bias", 1)))
            # a kernel's squares come in groups of k per input channel; a matrix's row is one
            rows, channel = g.rows(), math.prod(g.shape[2:] if len(g.shape) > 2 else g.shape[1:])
        else:  # a bias with no weight of its own: a column alone
            rows, channel = [() for _ in g.params], 1
        params = [*g.params, *(bias.params if bias else ())]
        scale = max((abs(p.data) for p in params if math.isfinite(p.data)), default=0.0)
        scale = scale or 1.0  # all zero: every square is empty whatever the scale
        shapes = ", ".join(f"{x.name} {x.shape}" for x in (g, bias) if x is not None)
        title = f"{m or type(module).__name__}: {shapes}; a full square is |w| = {scale:.3g}"
        panels.append(_Panel(title, rows, bias.params if bias else (
            g.params if g.kind == "bias" else ()), channel, scale))
    return panels


def _num(x: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros: small, stable text."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _square(parent: ET.Element, kind: str, p: Parameter, name: str, cx: float, cy: float,
            cell: float, scale: float) -> None:
    x = p.data if math.isfinite(p.data) else 0.0
    side = FULL * cell * math.sqrt(min(abs(x) / scale, 1.0))  # area ∝ |w|
    colour = POSITIVE if x > 0 else NEGATIVE if x < 0 else NEAR_ZERO
    rect = ET.SubElement(parent, "rect", {
        "class": kind, "x": _num(cx - side / 2), "y": _num(cy - side / 2),
        "width": _num(side), "height": _num(side), "fill": colour})
    ET.SubElement(rect, "title").text = f"{name} = {fmt(p.data)}"


def draw_weights(module: Module) -> WeightDiagram:
    """Every weight matrix (and kernel) of `module` as a Hinton diagram, biases alongside.

    Any Module with weights works: an MLP, a Sequential, a Conv1d, an RNNCell, attention, a
    user's own module that states weight groups. TypeError for anything else."""
    panels = _panels(module)
    names = {id(p): n for n, p in module.named_parameters()}
    width_of = [len(pn.rows[0]) + (len(pn.rows[0]) // pn.channel - 1) / 2 if pn.rows[0]
                else 0 for pn in panels]  # squares, plus half a cell between channels
    cell = min(max(WIDTH / max(max(width_of), 1), CELL_RANGE[0]), CELL_RANGE[1])
    root = ET.Element("svg", {"xmlns": SVG_NS, "font-family": "Helvetica, sans-serif",
                              "font-size": "12"})
    ET.SubElement(root, "title").text = f"Hinton diagram of {type(module).__name__}"
    legend = ET.SubElement(root, "text", {"x": _num(PAD), "y": _num(PAD + 12)})
    legend.text = "area ∝ |w|, one scale a panel; blue +, orange −; a row per output, bias last"
    y, width = PAD + TITLE + 8, 0.0
    for pn, span in zip(panels, width_of):
        g = ET.SubElement(root, "g", {"class": "panel"})
        ET.SubElement(g, "text", {"x": _num(PAD), "y": _num(y + 13)}).text = pn.title
        top = y + TITLE + 4
        matrix = span * cell
        bias_x = PAD + matrix + (cell if matrix else 0)
        right = bias_x + (cell if pn.bias else 0)
        ET.SubElement(g, "rect", {"class": "background", "x": _num(PAD - 2), "y": _num(top - 2),
                                  "width": _num(right - PAD + 4),
                                  "height": _num(len(pn.rows) * cell + 4),
                                  "fill": "#fafafa", "stroke": CLUSTER})
        for o, row in enumerate(pn.rows):
            cy = top + (o + 0.5) * cell
            for j, p in enumerate(row):
                cx = PAD + (j + (j // pn.channel) / 2 + 0.5) * cell
                _square(g, "weight", p, names[id(p)], cx, cy, cell, pn.scale)
            if pn.bias:
                b = pn.bias[o]
                _square(g, "bias", b, names[id(b)], bias_x + cell / 2, cy, cell, pn.scale)
        y = top + len(pn.rows) * cell + PAD + 4
        width = max(width, right + PAD)
    width = max(width, 600.0)  # room for the legend
    root.set("width", _num(width))
    root.set("height", _num(y))
    root.set("viewBox", f"0 0 {_num(width)} {_num(y)}")
    return WeightDiagram(ET.tostring(root, encoding="unicode"))
