"""`network_playground(model, inputs, targets)`: a network that trains live in the page, in
TensorFlow Playground's view, with every weight's gradient and chain rule one click away.

Built on the engine's playground: the page carries two graphs as JSON and evaluates both with
the engine's evaluator (`engine.playground_eval`, the same arithmetic as `backward()`): the
loss over the whole data set (never drawn; its gradients train the weights) and the model at
one point, its two inputs left free, which the page re-evaluates at every cell of a grid to
paint the decision boundary behind the data. What is drawn is `draw_network`'s diagram, whose
edges follow the weights as they train (colour by sign, width by |w|, the weight and its
gradient in the tooltip). Clicking an edge selects that weight: its value can be edited, and
its gradient's chain-rule steps are shown for one data point, in `explain`'s words.

Training is SGD on the mean loss (`nn.optim.SGD`'s arithmetic); `window.weightgrad.train(n)`
runs n steps at once, for scripts and tests. Size limit: a model of at most 300 parameters
with two inputs and one output, and at most 200 data points; beyond it the page is refused in
one line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from weightgrad.engine import Value, files
from weightgrad.engine.op import Op
from weightgrad.engine.page import iframe
from weightgrad.engine.playground import Playground, page_json

from . import checks
from .layers import layer_stack
from .losses import hinge_loss, mse_loss
from .module import Module
from .parameter import is_trainable

MAX_PARAMETERS = 300
MAX_POINTS = 200
GRID = 40  # heat-map cells per side: 8 pixels each on the page's 320-pixel canvas
LOSSES = {"hinge": hinge_loss, "mse": mse_loss}
WHO = "network_playground"


class NetworkPlayground:
    """The page for one model and data set: `.html()`, `.save_html(path)`, Jupyter display."""

    def __init__(self, model: Module, inputs: Sequence[Sequence[float]],
                 targets: Sequence[float], loss: str = "hinge") -> None:
        layers = layer_stack(model, WHO)
        rows = [dict((g.name, g) for _, g in layer.weight_groups())["weight"].rows()
                for _, layer in layers]
        if len(rows[0][0]) != 2 or len(rows[-1]) != 1:
            raise ValueError(f"{WHO}: the model must take 2 inputs and give 1 output (a "
                             f"boundary in the plane), got {len(rows[0][0])} inputs and "
                             f"{len(rows[-1])} outputs")
        params = model.parameters()
        if len(params) > MAX_PARAMETERS:
            raise ValueError(f"{WHO}: the page takes a model of at most {MAX_PARAMETERS} "
                             f"parameters, got {len(params)}")
        checks.choice(WHO, "loss", loss, LOSSES)
        points = checks.sequence(WHO, "inputs", inputs, of="pairs of numbers", nonempty=True)
        if len(points) > MAX_POINTS:
            raise ValueError(f"{WHO}: the page takes at most {MAX_POINTS} points, got "
                             f"{len(points)}")
        self.points = [_floats(f"inputs[{k}]", x, 2) for k, x in enumerate(points)]
        self.targets = _floats("targets", targets, len(self.points))
        self.model, self.loss_name = model, loss
        names = {id(p): name for name, p in model.named_parameters()}
        # which layer each weight belongs to: an edge's width is relative to its layer's largest
        self.layer_of = {names[id(w)]: li for li, layer in enumerate(rows)
                         for row in layer for w in row}

    def _graphs(self) -> tuple[dict, dict, list[Op], list[int]]:
        xs = [[Value(x, f"p{k}.x{j + 1}") for j, x in enumerate(pt)]
              for k, pt in enumerate(self.points)]
        loss = LOSSES[self.loss_name]([self.model(x) for x in xs], self.targets)
        loss.label = "loss"
        free = [Value(0.0, "x1"), Value(0.0, "x2")]
        score = self.model(free)
        score.label = "score"
        params = self.model.parameters()
        ops: list[Op] = []
        big = Playground(loss, params=params, max_nodes=10 ** 6)
        small = Playground(score, params=params)
        # the data point each node of the loss graph belongs to (-1: shared or several)
        point = {id(x): k for k, pair in enumerate(xs) for x in pair}
        of = []
        for v in big.order:
            ks = {point.get(id(p), -1) for p in v.parents} - {-1} if v.parents else set()
            point.setdefault(id(v), ks.pop() if len(ks) == 1 else -1)
            of.append(point[id(v)])
        graphs = big.graph_data(ops), small.graph_data(ops)
        for g in graphs:
            del g["_ops"]  # the Op objects themselves: the page gets their JavaScript
        return graphs[0], graphs[1], ops, of

    def html(self, title: str = "weightgrad: a network training live") -> str:
        from weightgrad.engine import render_svg
        from weightgrad.engine.explain_html import inline_svg

        from .draw import draw_network
        from .network_page import render_page

        loss, point, ops, of = self._graphs()
        data = {"loss": loss, "point": point, "pointOf": of, "grid": GRID,
                "points": [[*x, y] for x, y in zip(self.points, self.targets)],
                "layerOf": self.layer_of,
                # what SGD leaves alone (frozen or pruned), as nn.optim does
                "frozen": [n for n, p in self.model.named_parameters() if not is_trainable(p)]}
        svg = inline_svg(render_svg(draw_network(self.model, labels=False)), "net-")
        return render_page(title, svg, page_json(data), ops)

    def save_html(self, path: str | Path, title: str = "weightgrad: a network training live"
                  ) -> Path:
        page = self.html(title)  # refused before anything is written
        return files.write_atomic(path, page, "the page", make_folder=True)

    def _repr_html_(self) -> str:
        return iframe(self.html(), 760)


def _floats(name: str, xs: object, n: int) -> list[float]:
    """n finite numbers (Values read by their data) as plain floats, for the page's JSON."""
    out = [float(x.data if isinstance(x, Value) else x) for x in checks.numbers(WHO, name, xs, n)]
    for i, x in enumerate(out):
        if not math.isfinite(x):
            raise checks.wrong_value(WHO, f"{name}[{i}]", "a finite number", x)
    return out


def network_playground(model: Module, inputs: Sequence[Sequence[float]],
                       targets: Sequence[float], loss: str = "hinge") -> NetworkPlayground:
    """A live page where `model` trains on (inputs, targets) with SGD on the mean `loss`
    ("hinge", labels ±1, or "mse"); see the module docstring."""
    return NetworkPlayground(model, inputs, targets, loss)
