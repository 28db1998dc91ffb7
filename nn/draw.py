"""`draw_network(model)`: a network diagram in TensorFlow Playground's visual language.

One node per input and per neuron (showing its activation and bias), one edge per weight.
An edge is blue for a positive weight, orange for a negative one, grey when it is near zero
(|w| below 5% of the layer's largest), and its width grows with |w|. Every edge carries its
parameter name, weight and gradient in a tooltip, and as a label when the network is small
enough to read them. `color_by="grad"` colours and sizes the edges by gradient instead, to
show where learning is pushing; `color_by={name: number}` by a number given per parameter name
(EWC's importance of each weight, in the continual lesson). Pruned weights (`nn.prune`) are
not drawn at all.

It draws dense layers in sequence, an MLP, a lone Layer, Neuron or Linear, or a Sequential of
Linears and activation modules (each Linear with the activation after it), reading each layer's
weights and biases from its weight groups (nn/weight_groups.py). Other modules are refused in
one line naming what it draws: a Conv1d's shared kernel, an RNNCell's loop and attention's
computed weights do not fit one-edge-per-weight; `summary()` lists their weight groups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from weightgrad.engine.draw import dot_text
from weightgrad.engine.names import fmt
from weightgrad.engine.palette import NEAR_ZERO, NEGATIVE, POSITIVE
from weightgrad.engine.render import Graph
from weightgrad.engine.value import check_label

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


def _reading(color_by: object, names: set[str]) -> Callable[[str, Parameter], float]:
    """What colours a parameter: its weight, its gradient, or a number given per parameter
    name (an importance, a drift...; a name not given reads 0). Checked before drawing."""
    if not isinstance(color_by, Mapping):
        by = checks.choice("draw_network", "color_by", color_by, ("weight", "grad"))
        return lambda _, p: p.grad if by == "grad" else p.data
    unknown = sorted(set(map(str, color_by)) - names)
    if unknown:
        raise checks.wrong_value("draw_network", "color_by", "'weight', 'grad' or a dict of "
                                 "the model's parameter names to numbers", color_by,
                                 f"unknown name(s): {', '.join(unknown[:3])}")
    given = {k: checks.real("draw_network", f"color_by[{k!r}]", x) for k, x in color_by.items()}
    return lambda name, _: given.get(name, 0.0)


def draw_network(model: Module, color_by: str | Mapping[str, float] = "weight",
                 labels: bool | None = None,
                 input_names: Sequence[str] | None = None) -> Graph:
    """The diagram as a Digraph; render with `engine.render_svg` or display it in Jupyter."""
    layers = _layers(model)
    pnames = {id(p): n for n, p in model.named_parameters()}  # type: ignore[attr-defined]
    shown = _reading(color_by, set(pnames.values()))
    nin = len(layers[0].rows[0])
    names = [f"x{i + 1}" for i in range(nin)] if input_names is None else [
        check_label(name, f"draw_network: input_names[{i}]") for i, name in enumerate(
            checks.sequence("draw_network", "input_names", input_names, nin, of="names"))]
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
            c.node(f"in{i}", label=dot_text(name), shape="circle", style="filled",
                   fillcolor="#e6e6e6")
    previous = [f"in{i}" for i in range(nin)]
    for li, layer in enumerate(layers):
        current = [f"L{li}n{j}" for j in range(len(layer.rows))]
        values = [shown(pnames[id(p)], p) for row in layer.rows for p in row]
        biggest = max((abs(x) for x in values), default=0.0)
        with g.subgraph(name=f"cluster_{li}") as c:
            params = [*(p for row in layer.rows for p in row), *layer.biases]
            frozen = all(not p.requires_grad for p in params)
            c.attr(label=dot_text(f"{layer.name} ({layer.activation}"
                                  f"{', frozen' if frozen else ''})"),
                   color="#dddddd", style="dashed" if frozen else "")
            if not layer.biases:  # Linear(..., bias=False): the neurons show no bias
                for node_id in current:
                    c.node(node_id, label=dot_text(layer.activation), shape="box", penwidth="2",
                           style="rounded,filled", fillcolor="#ffffff", color=NEAR_ZERO)
            for node_id, b in zip(current, layer.biases):
                bias = shown(pnames[id(b)], b)
                colour, _ = _style(bias, max(biggest, abs(bias)))
                c.node(node_id, label=dot_text(f"{layer.activation}\nb {b.data:.3g}"),
                       shape="box", style="rounded,filled", fillcolor="#ffffff", color=colour,
                       penwidth="2", id=dot_text(f"b:{pnames[id(b)]}"),
                       tooltip=dot_text(f"{pnames[id(b)]} = {fmt(b.data)}, "
                                        f"grad {fmt(b.grad)}"))
        for node_id, row in zip(current, layer.rows):
            for src, w in zip(previous, row):
                if getattr(w, "pruned", False):
                    # A pruned weight is gone: an invisible edge keeps the layout steady.
                    g.edge(src, node_id, style="invis")
                    continue
                x = shown(pnames[id(w)], w)
                colour, width = _style(x, biggest)
                pname = pnames[id(w)]
                text = f"w {fmt(w.data)}\ng {fmt(w.grad)}"
                g.edge(src, node_id, color=colour, penwidth=width, id=dot_text(f"w:{pname}"),
                       tooltip=dot_text(f"{pname} = {fmt(w.data)}, grad {fmt(w.grad)}"),
                       **({"label": dot_text(text), "fontcolor": colour} if show_numbers
                          else {}))
        previous = current
    return g
