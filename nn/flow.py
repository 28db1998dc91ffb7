"""Gradient flow through an MLP as numbers: per layer, how spread out its activations are, how
many are saturated, and how large its weights' gradients are after one backward pass.
It takes any model made of dense layers in sequence (an MLP, a lone Layer, Neuron or Linear,
a stack of one, or a Sequential of Linears and activations); a layer's weights are its weight
groups of kind "weight" (nn/weight_groups.py). Anything else (a Conv1d, an RNNCell,
attention) is refused in one line saying so.

    from weightgrad.nn.flow import flow_stats
    for s in flow_stats(MLP(16, [16] * 9 + [1], activation="sigmoid", seed=0), batch):
        print(s.name, s.act_std, s.grad_norm)

These are the diagnostics of Glorot & Bengio (2010) "Understanding the difficulty of training
deep feedforward neural networks" (their Figures 3-7: activation and back-propagated gradient
statistics per layer) and of Karpathy's makemore part 3 (activation and gradient histograms
per layer). Plotting them is a demo's job (demos/initialization.py): `nn` needs no matplotlib.

Definitions (all statistics are population statistics, dividing by N, as `Module.summary`):
- weights are the layer's incoming weights only; biases are left out (they start at 0 and
  would hide the weights' spread), so `grad_norm` here differs from `summary()`'s, which
  includes the biases;
- activations are the layer's outputs after its activation, pooled over every example of the
  batch and every neuron of the layer (B·n numbers);
- an activation is *saturated* where its activation function is flat, as the op catalogue
  states it (`engine.ops`, each activation's `saturated`): |tanh| > 0.99 (slope < 0.02),
  sigmoid within 0.01 of 0 or 1 (slope < 0.0099), relu exactly 0 (slope 0, PyTorch's
  relu'(0) = 0). A linear layer never saturates (0.0), nor does a leaky relu: its slope is
  never below its negative slope (0.01), so it is never flat;
- a *dead unit* is a neuron saturated on every example of the batch: no gradient reaches its
  incoming weights through this batch at all (for relu, a "dead relu").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from weightgrad.engine import Value, is_grad_enabled

from . import activations, checks
from .layers import MLP, Layer, Neuron, layer_stack
from .losses import _sum
from .sequential import Sequential
from .summary import _stats

LossFn = Callable[[list[Value | list[Value]]], Value]

@dataclass(frozen=True)
class LayerStats:
    """One layer's forward and backward statistics for one batch."""

    name: str  # "layers.i" in an MLP; "Layer" or "Neuron" for a lone one
    activation: str  # the layer's activation, a name of nn.activations.ACTIVATIONS
    weight_mean: float
    weight_std: float
    act_mean: float  # over the batch and the layer's neurons
    act_std: float
    saturated: float  # fraction of the B·n activations that are saturated (see module doc)
    dead_units: float  # fraction of neurons saturated on every example of the batch
    grad_norm: float  # sqrt(Σ grad²) over the layer's weights (biases left out)
    grad_to_weight: float  # grad_norm / sqrt(Σ w²); nan when every weight is 0


def is_saturated(activation: str, a: float) -> bool:
    """Whether an output `a` of `activation` lies where the function is (nearly) flat."""
    return activations.get(activation).saturated(a)


def forward_with_activations(model: MLP | Layer | Neuron | Sequential,
                             x: Sequence[Value | float]
                             ) -> tuple[Value | list[Value], list[list[Value]]]:
    """`model(x)` and, alongside it, every layer's outputs (after its activation), in order.

    The output is exactly what `model(x)` returns (a Value for one output neuron, else a
    list; a Sequential or a Linear always gives a list); the last entry of the activations
    is the output layer's list of Values.
    """
    layer_stack(model, "forward_with_activations")
    acts = _layer_outputs(model, x)
    out = acts[-1]
    return (out[0] if len(out) == 1 and isinstance(model, (MLP, Layer, Neuron)) else out), acts


def _mean_of_squares(outputs: list[Value | list[Value]]) -> Value:
    """The default loss: the mean over the batch and the output neurons of output²."""
    terms = [v * v for out in outputs for v in (out if isinstance(out, list) else [out])]
    return _sum(terms) / len(terms)


def flow_stats(model: MLP | Layer | Neuron | Sequential, inputs: Sequence[Sequence[float]],
               loss_fn: LossFn | None = None) -> list[LayerStats]:
    """Run the batch forward, backpropagate one loss, and return one `LayerStats` per layer.

    `loss_fn` gets the list of the model's outputs (one per input, each a Value or a list as
    `model(x)` returns) and must return a Value; by default it is the mean of the outputs
    squared. Gradients are zeroed first, so they are this batch's alone; afterwards each
    parameter's `.grad` holds them (frozen or pruned parameters included, as backprop fills
    every node). Bad input raises before any gradient is touched, and so does a call inside
    `engine.no_grad()` (RuntimeError), where no graph is recorded to backpropagate through.
    """
    layers = layer_stack(model, "flow_stats")
    if not is_grad_enabled():  # no graph would be built: every gradient would read 0
        raise RuntimeError("flow_stats needs gradients: call it outside engine.no_grad()")
    batch = checks.sequence("flow_stats", "inputs", inputs, of="input rows", nonempty=True)
    nin = next(g for _, g in layers[0][1].weight_groups() if g.kind == "weight").shape[1]
    batch = [checks.numbers("flow_stats", f"inputs[{i}]", x, nin)
             for i, x in enumerate(batch)]
    outputs, per_layer = [], [[] for _ in layers]
    for x in batch:
        out, acts = forward_with_activations(model, x)
        outputs.append(out)
        for store, layer_acts in zip(per_layer, acts):
            store.append([a.data for a in layer_acts])
    loss = (loss_fn or _mean_of_squares)(outputs)
    if not isinstance(loss, Value):
        raise TypeError(f"flow_stats: loss_fn must return a Value, got {type(loss).__name__}")
    model.zero_grad()
    loss.backward()
    return [_layer_stats(name, layer, rows) for (name, layer), rows in zip(layers, per_layer)]


def _layer_outputs(model: MLP | Layer | Neuron | Sequential, x: Sequence[Value | float]
                   ) -> list[list[Value]]:
    """Each layer's outputs for one input (a lone Layer or Neuron is a stack of one)."""
    if isinstance(model, MLP):
        return model.layer_outputs(x)
    if not isinstance(model, (Layer, Neuron)):  # a Sequential's (or a lone Linear's) steps
        outputs = []
        for _, step in layer_stack(model, "flow_stats"):
            x = step.forward(x)
            outputs.append(x)
        return outputs
    return [model.forward(x) if isinstance(model, Layer) else [model(x)]]


def _layer_stats(name: str, layer: Layer | Neuron, rows: list[list[float]]) -> LayerStats:
    """Statistics of one layer; `rows[b][j]` is neuron j's activation on example b."""
    weights = [w for _, g in layer.weight_groups() if g.kind == "weight" for w in g.params]
    w_mean, w_std = _stats([w.data for w in weights])
    a_mean, a_std = _stats([a for row in rows for a in row])
    flat = [[is_saturated(layer.activation, a) for a in row] for row in rows]
    nout = len(rows[0])  # the layer's neurons
    saturated = sum(map(sum, flat)) / (len(rows) * nout)
    dead = sum(all(row[j] for row in flat) for j in range(nout)) / nout
    grad_norm = math.sqrt(sum(w.grad * w.grad for w in weights))
    weight_norm = math.sqrt(sum(w.data * w.data for w in weights))
    return LayerStats(name, layer.activation, w_mean, w_std, a_mean, a_std, saturated, dead,
                      grad_norm, grad_norm / weight_norm if weight_norm > 0 else math.nan)
