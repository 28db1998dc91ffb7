"""Neurons, layers and multi-layer perceptrons whose every weight is a named Parameter.

The defaults reproduce micrograd's `nn.py` exactly: a neuron computes b + Σ wᵢxᵢ (in that
order of additions), hidden layers use the activation and the last layer is linear, weights
are drawn from U(-1, 1) neuron by neuron and biases start at 0. `MLP(2, [16, 16, 1], seed=s)`
therefore holds the same weights as micrograd's model after `random.seed(s)`, but every draw
comes from the model's own `random.Random(seed)`, never from the global generator.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any

from weightgrad.engine import Value
from weightgrad.engine.fused import weighted_sums

from . import checks
from . import init as nninit
from .activations import ACTIVATIONS  # name -> Activation, from the op catalogue
from .linear import Linear
from .module import Module, ParamEntry
from .parameter import Parameter
from .sequential import DenseStep, Sequential
from .weight_groups import WeightGroup

INITS = ("uniform", "xavier", "xavier_normal", "kaiming", "kaiming_normal")

# Fused or not: a model with more than this many weights computes each neuron's
# b + Σ wᵢxᵢ as one Σ node (fast: one node instead of 2n); a model up to this size, the size of
# a lesson, builds one * and one + per input so every step can be seen. Both give the same
# numbers; `fused=True` or `fused=False` overrides the choice.
FUSE_ABOVE_WEIGHTS = 32


def _fused(fused: bool | None, n_weights: int) -> bool:
    return n_weights > FUSE_ABOVE_WEIGHTS if fused is None else bool(fused)


class Neuron(Module):
    """activation(b + Σ wᵢxᵢ) with weights w (one per input) and bias b."""

    def __init__(self, nin: int, activation: str = "relu", rng: random.Random | None = None,
                 fused: bool | None = None) -> None:
        self.nin = checks.size("Neuron", "nin", nin)
        self.activation = checks.choice("Neuron", "activation", activation, ACTIVATIONS)
        self.fused = _fused(fused, nin)
        rng = checks.rng("Neuron", rng) or random.Random()
        # The Parameters live in one tuple (w_1, ..., w_n, b), fixed for the neuron's life:
        # every Σ node of this neuron shares it. Change the numbers through `.data`.
        self._wb = (*[Parameter(rng.uniform(-1.0, 1.0)) for _ in range(nin)], Parameter(0.0))
        self.label_parameters()

    @property
    def w(self) -> tuple[Parameter, ...]:
        """The weights, one per input (read-only: set `w[i].data`, not `w[i]`)."""
        return self._wb[:-1]

    @property
    def b(self) -> Parameter:
        """The bias."""
        return self._wb[-1]

    def _own_tensors(self) -> Iterator[tuple[str, ParamEntry]]:
        yield "w", list(self.w)
        yield "b", self.b

    def _own_weight_groups(self) -> Iterator[WeightGroup]:
        # A neuron is torch.nn.Linear(nin, 1): weight (1, nin), bias (1,).
        yield WeightGroup.weight("weight", (1, self.nin), [self.w])
        yield WeightGroup.bias("bias", [self.b])

    def __call__(self, x: Sequence[Value | float]) -> Value:
        x = checks.numbers("Neuron", "x", x, self.nin)
        if self.fused:  # one Σ node (and its activation), sharing this neuron's tuple
            return weighted_sums([self._wb], x, ACTIVATIONS[self.activation].op)[0]
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return ACTIVATIONS[self.activation](act)

    def describe(self) -> tuple[str, str]:
        return f"{self.nin} → 1", self.activation

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, {self.activation})"


class Layer(Module):
    """`nout` neurons that all see the same `nin` inputs."""

    def __init__(self, nin: int, nout: int, activation: str = "relu",
                 rng: random.Random | None = None, fused: bool | None = None) -> None:
        checks.size("Layer", "nin", nin)
        checks.size("Layer", "nout", nout)
        checks.choice("Layer", "activation", activation, ACTIVATIONS)
        rng = checks.rng("Layer", rng) or random.Random()
        self.fused = _fused(fused, nin * nout)
        self.neurons = [Neuron(nin, activation, rng, self.fused) for _ in range(nout)]
        self.nin, self.nout, self.activation = nin, nout, activation
        self._rows = [n._wb for n in self.neurons]  # each neuron's (w..., b), for weighted_sums
        self.label_parameters()

    def _children(self) -> Iterator[tuple[str, Module]]:
        for i, n in enumerate(self.neurons):
            yield f"neurons.{i}", n

    @property
    def weight(self) -> list[tuple[Parameter, ...]]:
        """Rows of incoming weights, one per neuron: PyTorch's (out, in) layout for nn.init."""
        return [n.w for n in self.neurons]

    @property
    def bias(self) -> list[Parameter]:
        return [n.b for n in self.neurons]

    def _own_weight_groups(self) -> Iterator[WeightGroup]:
        # torch.nn.Linear(nin, nout): weight (out, in), bias (out,). These cover the neurons.
        yield WeightGroup.weight("weight", (len(self.neurons), self.nin), self.weight)
        yield WeightGroup.bias("bias", self.bias)

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        x = checks.numbers("Layer", "x", x, self.nin)
        return self._forward(x)

    def _forward(self, x: Sequence[Value | float]) -> list[Value]:
        """`forward` without the input check, for callers that have made it (MLP)."""
        if self.fused:  # the whole layer at once, sharing one inputs tuple
            return weighted_sums(self._rows, x, ACTIVATIONS[self.activation].op)
        # Numbers become constant Values once here, not once per neuron.
        x = [v if isinstance(v, Value) else Value(v) for v in x]
        return [n(x) for n in self.neurons]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = self.forward(x)
        return out[0] if len(out) == 1 else out

    def describe(self) -> tuple[str, str]:
        return f"{self.nin} → {self.nout}", self.activation

    def __repr__(self) -> str:
        return f"Layer({self.nin} → {self.nout}, {self.activation})"


class MLP(Module):
    """A stack of Layers; hidden layers use `activation`, the last one is linear."""

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu",
                 init: str = "uniform", seed: int | None = None, fused: bool | None = None
                 ) -> None:
        checks.size("MLP", "nin", nin)
        nouts = checks.sequence("MLP", "nouts", nouts, of="layer sizes", nonempty=True)
        for i, n in enumerate(nouts):
            checks.size("MLP", f"nouts[{i}]", n)
        checks.choice("MLP", "activation", activation, [a for a in ACTIVATIONS if a != "linear"])
        checks.choice("MLP", "init", init, INITS)
        checks.seed("MLP", seed)
        self.nin, self.nouts, self.activation, self.init, self.seed = (
            nin, list(nouts), activation, init, seed)
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        self.fused = _fused(fused, sum(a * b for a, b in pairwise(sizes)))
        self.layers = [Layer(sizes[i], sizes[i + 1],
                             activation if i < len(nouts) - 1 else "linear", rng, self.fused)
                       for i in range(len(nouts))]
        if init != "uniform":
            for layer in self.layers:
                _initialize(layer, init, rng)
        self.label_parameters()

    def _children(self) -> Iterator[tuple[str, Module]]:
        for i, layer in enumerate(self.layers):
            yield f"layers.{i}", layer

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = self.layer_outputs(x)[-1]
        return out[0] if len(out) == 1 else out

    def layer_outputs(self, x: Sequence[Value | float]) -> list[list[Value]]:
        """Every layer's outputs (after its activation), first layer first; the last entry is
        the model's output. The inputs are checked once: each layer's outputs are the next
        layer's inputs by construction."""
        x = checks.numbers("MLP", "x", x, self.nin)
        outputs = []
        for layer in self.layers:
            x = layer._forward(x)
            outputs.append(x)
        return outputs

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nouts": self.nouts, "activation": self.activation,
                "init": self.init, "seed": self.seed, "fused": self.fused}

    def copy(self) -> MLP:
        """A new MLP with this one's configuration and weights (a state_dict round trip:
        numbers only, not the frozen or pruned flags)."""
        twin = MLP(**self.config())
        twin.load_state_dict(self.state_dict())
        return twin

    def __repr__(self) -> str:
        shape = " → ".join([str(self.nin)] + [f"{layer.nout} {layer.activation}"
                                              for layer in self.layers])
        return f"MLP({shape}; {len(self.parameters())} parameters)"


# What the layer-by-layer tools (draw_network, flow) take, in the words of their refusals.
DENSE_MODELS = ("dense layers in sequence (an MLP, a Layer, a Neuron, a Linear, or a "
                "Sequential of Linears and activations)")


def layer_stack(model: object, who: str) -> list[tuple[str, Layer | Neuron | DenseStep]]:
    """A model made of dense layers as (dotted name, layer) pairs, input side first: an MLP's
    layers, a lone Layer, Neuron or Linear (a layer of one) named by its class, or a
    Sequential's Linears with their activations (named by position,
    `Sequential.dense_steps`). Anything else is refused with one TypeError line naming what
    `who` takes."""
    if isinstance(model, MLP):
        return list(model._children())  # type: ignore[arg-type]
    if isinstance(model, (Layer, Neuron)):
        return [(type(model).__name__, model)]
    if isinstance(model, Linear):
        return [("Linear", DenseStep(model, None))]
    steps = model.dense_steps() if isinstance(model, Sequential) else None
    if steps:
        return steps  # type: ignore[return-value]
    raise checks.wrong_type(who, "model", DENSE_MODELS, model)


def _initialize(layer: Layer, init: str, rng: random.Random) -> None:
    """Re-draw a layer's weights with a named nn.init scheme; biases start at 0."""
    # Gain follows the layer's own activation ("linear" for the output layer), as
    # torch.nn.init.calculate_gain recommends.
    nonlinearity = layer.activation
    if init == "xavier":
        nninit.xavier_uniform(layer.weight, gain=nninit.calculate_gain(nonlinearity), rng=rng)
    elif init == "xavier_normal":
        nninit.xavier_normal(layer.weight, gain=nninit.calculate_gain(nonlinearity), rng=rng)
    else:
        # Kaiming's derivation is for relu; for other activations the gain still applies.
        scheme = nninit.kaiming_uniform if init == "kaiming" else nninit.kaiming_normal
        scheme(layer.weight, nonlinearity=nonlinearity, rng=rng)
    nninit.zeros(layer.bias)

