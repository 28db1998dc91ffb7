"""`draw_network(model)`: a network diagram in TensorFlow Playground's visual language.

One node per input and per neuron (showing its activation and bias), one edge per weight.
An edge is blue for a positive weight, orange for a negative one, grey when it is near zero
(|w| below 5% of the layer's largest), and its width grows with |w|. Every edge carries its
parameter name, weight and gradient in a tooltip, and as a label when the network is small
enough to read them. `color_by="grad"` colours and sizes the edges by gradient instead, to
show where learning is pushing. Pruned weights (`nn.prune`) are not drawn at all.

It draws dense layers in sequence, an MLP, a lone Layer or Neuron, or a Sequential of Linears
and activation modules (each Linear with the activation after it), reading each layer's
weights and biases from its weight groups (nn/weight_groups.py). Other modules are refused in
one line naming what it draws: a Conv1d's shared kernel, an RNNCell's loop and attention's
computed weights do not fit one-edge-per-weight; `summary()` lists their weight groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from weightgrad.engine.names import fmt
from weightgrad.engine.palette import NEAR_ZERO, NEGATIVE, POSITIVE
from weightgrad.engine.render import Graph

from . import checks
from .layers import layer_stack
from .module import Module
from .parameter import Parameter

NEAR_ZERO_FRACTION = 0.05
MAX_LABELLED_EDGES = 16  # past this, numbers go in tooltips only


class _Drawn(NamedTuple):
    """One layer as drawn: its weight group's rows (a neuron's incoming weights each) and
    its bias group, read from the layer's weight groups."""

    name: str
    activation: str
    rows: list[tuple[Parameter, ...]]
    biases: tuple[Parameter, ...]


def _layers(model: object) -> list[_Drawn]:
    """The model's dense layers, input side first. A diagram of neurons and one edge per
    weight fits only dense layers in sequence: a convolution's shared kernel, a recurrent
    cell's loop or attention's computed weights would be drawn wrong, so they are refused."""
    drawn = []
    for name, layer in layer_stack(model, "draw_network"):
        groups = {g.name: g for _, g in layer.weight_groups()}
        drawn.append(_Drawn(name, layer.activation, groups["weight"].rows(),
                            groups["bias"].params if "bias" in groups else ()))
    return drawn


def _style(x: float, biggest: float) -> tuple[str, str]:
    """(colour, pen width) for a weight or gradient, relative to the largest in its layer."""
    if biggest == 0.0 or abs(x) < NEAR_ZERO_FRACTION * biggest:
        return NEAR_ZERO, "0.6"
    return (POSITIVE if x > 0 else NEGATIVE), f"{0.6 + 4.4 * abs(x) / biggest:.2f}"


def draw_network(model: Module, color_by: str = "weight", labels: bool | None = None,
                 input_names: Sequence[str] | None = None) -> Graph:
    """The diagram as a Digraph; render with `engine.render_svg` or display it in Jupyter."""
    checks.choice("draw_network", "color_by", color_by, ("weight", "grad"))
    layers = _layers(model)
    pnames = {id(p): n for n, p in model.named_parameters()}  # type: ignore[attr-defined]
    nin = len(layers[0].rows[0])
    names = list(input_names) if input_names is not None else [f"x{i + 1}" for i in range(nin)]
    if len(names) != nin:
        raise ValueError(f"input_names has {len(names)} names for {nin} inputs")
    n_edges = sum(len(row) for layer in layers for row in layer.rows)
    show_numbers = labels if labels is not None else n_edges <= MAX_LABELLED_EDGES

    g = Graph("network", graph_attr={"rankdir": "LR", "nodesep": "0.3" if show_numbers else "0.15",
                                     "splines": "true" if show_numbers else "line",
                                     "ranksep": "2.2" if show_numbers else "1.1",
                                     "ordering": "out", "fontname": "Helvetica",
                                     "outputorder": "edgesfirst"},  # neurons drawn on top
              node_attr={"fontname": "Helvetica", "fontsize": "10"},
              edge_attr={"arrowhead": "none", "fontname": "Helvetica", "fontsize": "8"})
    with g.subgraph(name="cluster_input") as c:
        c.attr(label="inputs", color="#dddddd")
        for i, name in enumerate(names):
            c.node(f"in{i}", label=name, shape="circle", style="filled", fillcolor="#e6e6e6")
    previous = [f"in{i}" for i in range(nin)]
    for li, layer in enumerate(layers):
        current = [f"L{li}n{j}" for j in range(len(layer.rows))]
        values = [p.grad if color_by == "grad" else p.data for row in layer.rows for p in row]
        biggest = max((abs(x) for x in values), default=0.0)
        with g.subgraph(name=f"cluster_{li}") as c:
            params = [*(p for row in layer.rows for p in row), *layer.biases]
            frozen = all(not p.requires_grad for p in params)
            c.attr(label=f"{layer.name} ({layer.activation}{', frozen' if frozen else ''})",
                   color="#dddddd", style="dashed" if frozen else "")
            if not layer.biases:  # Linear(..., bias=False): the neurons show no bias
                for node_id in current:
                    c.node(node_id, label=layer.activation, shape="box", penwidth="2",
                           style="rounded,filled", fillcolor="#ffffff", color=NEAR_ZERO)
            for node_id, b in zip(current, layer.biases):
                bias = b.grad if color_by == "grad" else b.data
                colour, _ = _style(bias, max(biggest, abs(bias)))
                c.node(node_id, label=f"{layer.activation}\nb {b.data:.3g}", shape="box",
                       style="rounded,filled", fillcolor="#ffffff", color=colour,
                       penwidth="2", id=f"b:{pnames[id(b)]}",
                       tooltip=f"{pnames[id(b)]} = {fmt(b.data)}, "
                                             f"grad {fmt(b.grad)}")
        for node_id, row in zip(current, layer.rows):
            for src, w in zip(previous, row):
                if getattr(w, "pruned", False):
                    # A pruned weight is gone: an invisible edge keeps the layout steady.
                    g.edge(src, node_id, style="invis")
                    continue
                x = w.grad if color_by == "grad" else w.data
                colour, width = _style(x, biggest)
                pname = pnames[id(w)]
                text = f"w {fmt(w.data)}\ng {fmt(w.grad)}"
                g.edge(src, node_id, color=colour, penwidth=width, id=f"w:{pname}",
                       tooltip=f"{pname} = {fmt(w.data)}, grad {fmt(w.grad)}",
                       **({"label": text, "fontcolor": colour} if show_numbers else {}))
        previous = current
    return g
