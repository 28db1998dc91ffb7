"""`draw_network(model)`: a network diagram in TensorFlow Playground's visual language.

One node per input and per neuron (showing its activation and bias), one edge per weight.
An edge is blue for a positive weight, orange for a negative one, grey when it is near zero
(|w| below 5% of the layer's largest), and its width grows with |w|. Every edge carries its
parameter name, weight and gradient in a tooltip, and as a label when the network is small
enough to read them. `color_by="grad"` colours and sizes the edges by gradient instead, to
show where learning is pushing. Pruned weights (`nn.prune`) are not drawn at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from weightgrad.engine.names import fmt
from weightgrad.engine.palette import NEAR_ZERO, NEGATIVE, POSITIVE
from weightgrad.engine.render import Graph
from .layers import MLP, Layer, Neuron
from .module import Module

NEAR_ZERO_FRACTION = 0.05
MAX_LABELLED_EDGES = 16  # past this, numbers go in tooltips only


def _layers(model: Module) -> tuple[list[Layer | Neuron], list[str]]:
    """The model as a list of layers (a lone Neuron is a layer of one) and their names."""
    if isinstance(model, MLP):
        return list(model.layers), [f"layers.{i}" for i in range(len(model.layers))]
    if isinstance(model, (Layer, Neuron)):
        return [model], [""]
    raise TypeError(f"draw_network draws an MLP, Layer or Neuron, got {type(model).__name__}")


def _neurons(layer: Layer | Neuron) -> list[tuple[str, Neuron]]:
    if isinstance(layer, Neuron):
        return [("", layer)]
    return [(f"neurons.{j}", n) for j, n in enumerate(layer.neurons)]


def _style(x: float, biggest: float) -> tuple[str, str]:
    """(colour, pen width) for a weight or gradient, relative to the largest in its layer."""
    if biggest == 0.0 or abs(x) < NEAR_ZERO_FRACTION * biggest:
        return NEAR_ZERO, "0.6"
    return (POSITIVE if x > 0 else NEGATIVE), f"{0.6 + 4.4 * abs(x) / biggest:.2f}"


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def draw_network(model: Module, color_by: str = "weight", labels: bool | None = None,
                 input_names: Sequence[str] | None = None) -> Graph:
    """The diagram as a Digraph; render with `engine.render_svg` or display it in Jupyter."""
    if color_by not in ("weight", "grad"):
        raise ValueError(f"color_by must be 'weight' or 'grad', got {color_by!r}")
    layers, layer_names = _layers(model)
    nin = layers[0].nin
    names = list(input_names) if input_names is not None else [f"x{i + 1}" for i in range(nin)]
    if len(names) != nin:
        raise ValueError(f"input_names has {len(names)} names for {nin} inputs")
    n_edges = sum(layer.nin * len(_neurons(layer)) for layer in layers)
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
    for li, (layer, lname) in enumerate(zip(layers, layer_names)):
        neurons = _neurons(layer)
        current = [f"L{li}n{j}" for j in range(len(neurons))]
        values = [p.grad if color_by == "grad" else p.data for _, n in neurons for p in n.w]
        biggest = max((abs(x) for x in values), default=0.0)
        with g.subgraph(name=f"cluster_{li}") as c:
            title = lname or ("neuron" if isinstance(layer, Neuron) else "layer")
            frozen = all(not p.requires_grad for p in layer.parameters())
            c.attr(label=f"{title} ({layer.activation}{', frozen' if frozen else ''})",
                   color="#dddddd", style="dashed" if frozen else "")
            for node_id, (nname, n) in zip(current, neurons):
                bias = n.b.grad if color_by == "grad" else n.b.data
                colour, _ = _style(bias, max(biggest, abs(bias)))
                c.node(node_id, label=f"{n.activation}\nb {n.b.data:.3g}", shape="box",
                       style="rounded,filled", fillcolor="#ffffff", color=colour,
                       penwidth="2", tooltip=f"{_join(lname, nname, 'b')} = {fmt(n.b.data)}, "
                                             f"grad {fmt(n.b.grad)}")
        for node_id, (nname, n) in zip(current, neurons):
            for i, (src, w) in enumerate(zip(previous, n.w)):
                if getattr(w, "pruned", False):
                    # A pruned weight is gone: an invisible edge keeps the layout steady.
                    g.edge(src, node_id, style="invis")
                    continue
                x = w.grad if color_by == "grad" else w.data
                colour, width = _style(x, biggest)
                pname = _join(lname, nname, "w", str(i))
                text = f"w {fmt(w.data)}\ng {fmt(w.grad)}"
                g.edge(src, node_id, color=colour, penwidth=width,
                       tooltip=f"{pname} = {fmt(w.data)}, grad {fmt(w.grad)}",
                       **({"label": text, "fontcolor": colour} if show_numbers else {}))
        previous = current
    return g
