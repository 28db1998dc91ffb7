"""Neurons, layers and multi-layer perceptrons whose every weight is a named Parameter.

The defaults reproduce micrograd's `nn.py` exactly: a neuron computes b + Σ wᵢxᵢ (in that
order of additions), hidden layers use the activation and the last layer is linear, weights
are drawn from U(-1, 1) neuron by neuron and biases start at 0. `MLP(2, [16, 16, 1], seed=s)`
therefore holds the same weights as micrograd's model after `random.seed(s)`, but every draw
comes from the model's own `random.Random(seed)`, never from the global generator.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise
from typing import Any

from weightgrad.engine import Value, ops
from weightgrad.engine.value import weighted_sums
from . import init as nninit
from .module import Module, Tensor
from .parameter import Parameter

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": lambda v: v,
}
# The same activations as catalogue ops, for the fused layer (None: linear).
ACTIVATION_OPS = {"relu": ops.RELU, "tanh": ops.TANH, "sigmoid": ops.SIGMOID, "linear": None}
INITS = ("uniform", "xavier", "xavier_normal", "kaiming", "kaiming_normal")

# Fused or not: a model with more than this many weights computes each neuron's
# b + Σ wᵢxᵢ as one Σ node (fast: one node instead of 2n); a model up to this size, the size of
# a lesson, builds one * and one + per input so every step can be seen. Both give the same
# numbers; `fused=True` or `fused=False` overrides the choice.
FUSE_ABOVE_WEIGHTS = 32


def _check_inputs(who: str, x: object, n: int) -> None:
    """`x` must be n inputs: TypeError for a bare number (or anything without a length)."""
    try:
        got = len(x)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{who} expects a list of {n} inputs, got {type(x).__name__}: "
                        f"{x!r:.40}") from None
    if got != n:
        raise ValueError(f"{who} expects {n} inputs, got {got}")


def _fused(fused: bool | None, n_weights: int) -> bool:
    return n_weights > FUSE_ABOVE_WEIGHTS if fused is None else bool(fused)


def check_int(name: str, n: object, low: int = 1) -> int:
    """`n` if it is an int >= `low`; TypeError or ValueError naming `name` otherwise."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} must be an int, got {type(n).__name__} {n!r}")
    if n < low:
        raise ValueError(f"{name} must be at least {low}, got {n}")
    return n


def _check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")
    return value


class Neuron(Module):
    """activation(b + Σ wᵢxᵢ) with weights w (one per input) and bias b."""

    def __init__(self, nin: int, activation: str = "relu", rng: random.Random | None = None,
                 fused: bool | None = None) -> None:
        self.nin = check_int("nin", nin)
        self.activation = _check_choice("activation", activation, list(ACTIVATIONS))
        self.fused = _fused(fused, nin)
        rng = rng if rng is not None else random.Random()
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

    def _own_tensors(self) -> Iterator[tuple[str, Tensor]]:
        yield "w", list(self.w)
        yield "b", self.b

    def __call__(self, x: Sequence[Value | float]) -> Value:
        _check_inputs("Neuron", x, self.nin)
        if self.fused:  # one Σ node (and its activation), sharing this neuron's tuple
            return weighted_sums([self._wb], x, ACTIVATION_OPS[self.activation])[0]
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
        check_int("nin", nin)
        check_int("nout", nout)
        rng = rng if rng is not None else random.Random()
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

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        _check_inputs("Layer", x, self.nin)
        return self._forward(x)

    def _forward(self, x: Sequence[Value | float]) -> list[Value]:
        """`forward` without the input check, for callers that have made it (MLP)."""
        if self.fused:  # the whole layer at once, sharing one inputs tuple
            return weighted_sums(self._rows, x, ACTIVATION_OPS[self.activation])
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
        check_int("nin", nin)
        if isinstance(nouts, (int, str)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        for i, n in enumerate(nouts):
            check_int(f"nouts[{i}]", n)
        _check_choice("activation", activation, [a for a in ACTIVATIONS if a != "linear"])
        _check_choice("init", init, INITS)
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
        _check_inputs("MLP", x, self.nin)
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

