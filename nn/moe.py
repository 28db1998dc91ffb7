"""`MixtureOfExperts`: a gate routes each input to a few of several expert MLPs, so which weights
compute an output depends on the input ("dynamic weight routing").

    from weightgrad.nn import MixtureOfExperts
    moe = MixtureOfExperts(2, 3, num_experts=4, top_k=1, seed=0)
    y = moe([0.5, -1.0])     # 3 Values, from one expert
    moe.last_routing         # [2]: the expert the gate chose for that input

For one input x the gate, a Linear with bias followed by a softmax, gives each expert a
probability p_i. The top-k experts (ties go to the lower index) run, each an
`MLP(nin, [hidden, nout])`, and their outputs are mixed:

- top_k = 1: y = p_i · E_i(x) with the raw probability, as the Switch Transformer (Fedus et
  al. 2021, section 2.1): multiplying by p_i is what gives the gate a gradient at all.
- top_k > 1: y = Σ_chosen (p_i / Σ_chosen p_j) · E_i(x), the chosen probabilities renormalised
  to sum to 1, as Mixtral (Jiang et al. 2024, eq. 1: softmax over the top-k logits).

Experts that are not chosen are not called, so they take no part in the graph and get no
gradient from that input; the gate's weights always do. `load_balancing_loss` is the Switch
Transformer's auxiliary loss that keeps the gate from sending everything to one expert.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any

from weightgrad.engine import Value

from . import checks
from .layers import MLP
from .linear import Linear
from .losses import softmax
from .module import Module

WHO = "MixtureOfExperts"


class MixtureOfExperts(Module):
    """A softmax gate over `num_experts` MLPs; the top `top_k` of them compute each output."""

    def __init__(self, nin: int, nout: int, num_experts: int = 4, top_k: int = 1,
                 hidden: int = 8, seed: int | None = None) -> None:
        self.nin = checks.size(WHO, "nin", nin)
        self.nout = checks.size(WHO, "nout", nout)
        self.num_experts = checks.size(WHO, "num_experts", num_experts)
        self.top_k = checks.size(WHO, "top_k", top_k)
        if top_k > num_experts:
            raise checks.wrong_value(WHO, "top_k", f"an int in [1, num_experts={num_experts}]",
                                     top_k)
        self.hidden = checks.size(WHO, "hidden", hidden)
        self.seed = checks.seed(WHO, seed)
        # One generator seeds the gate and then each expert in turn: the same seed, the same
        # model, and every expert starts from different weights (or they would stay alike).
        rng = random.Random(seed)
        self.gate = Linear(nin, num_experts, seed=rng.randrange(2**32))
        self.experts = [MLP(nin, [hidden, nout], seed=rng.randrange(2**32))
                        for _ in range(num_experts)]
        self.last_routing: list[int] = []
        self.last_gate: list[Value] = []  # the gate's probabilities for the last input
        self.label_parameters()

    def _children(self) -> Iterator[tuple[str, Module]]:
        # The children state the weight groups (gate: Linear; experts: their Layers), so
        # summary, prune, quantize, flow and the files read this module through them.
        yield "gate", self.gate
        for i, expert in enumerate(self.experts):
            yield f"experts.{i}", expert

    def route(self, x: Sequence[Value | float]) -> tuple[list[Value], list[int]]:
        """(the gate's probabilities, the chosen experts' indices, most probable first)."""
        x = checks.numbers(WHO, "x", x, self.nin)
        probs = softmax(self.gate(x))
        order = sorted(range(self.num_experts), key=lambda i: (-probs[i].data, i))
        return probs, order[:self.top_k]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """The mixed output: one Value when nout is 1 (as MLP), else a list of nout Values."""
        x = checks.numbers(WHO, "x", x, self.nin)
        probs, chosen = self.route(x)
        self.last_gate, self.last_routing = probs, chosen
        if self.top_k == 1:
            mix = [probs[chosen[0]]]
        else:
            total = sum((probs[i] for i in chosen[1:]), probs[chosen[0]])
            mix = [probs[i] / total for i in chosen]
        outputs = []
        for i in chosen:
            out = self.experts[i](x)
            outputs.append(out if isinstance(out, list) else [out])
        y = [sum((m * out[j] for m, out in zip(mix[1:], outputs[1:])), mix[0] * outputs[0][j])
             for j in range(self.nout)]
        return y[0] if self.nout == 1 else y

    def describe(self) -> tuple[str, str]:
        return (f"{self.nin} → {self.nout}",
                f"{self.num_experts} experts, top-{self.top_k}")

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": self.nout, "num_experts": self.num_experts,
                "top_k": self.top_k, "hidden": self.hidden, "seed": self.seed}

    def __repr__(self) -> str:
        return (f"MixtureOfExperts(nin={self.nin}, nout={self.nout}, num_experts="
                f"{self.num_experts}, top_k={self.top_k}, hidden={self.hidden}; "
                f"{len(self.parameters())} parameters)")


def load_balancing_loss(gates: Sequence[Sequence[Value]], routings: Sequence[Sequence[int]]
                        ) -> Value:
    """The Switch Transformer's auxiliary loss (Fedus et al. 2021, eq. 4-6), without α:

        N · Σ_i f_i · P_i,  f_i = share of inputs whose first choice is expert i,
                            P_i = mean gate probability of expert i over the inputs.

    It is 1 when routing is perfectly even and up to N when one expert takes everything;
    only P carries gradient (f counts choices). `gates` and `routings` are, per input, a
    model's `last_gate` and `last_routing`."""
    gates = checks.sequence("load_balancing_loss", "gates", gates, nonempty=True,
                            of="lists of gate probabilities")
    routings = checks.sequence("load_balancing_loss", "routings", routings, len(gates),
                               of="lists of expert indices")
    n, m = len(gates[0]), len(gates)
    counts = [0] * n
    for r in routings:
        counts[r[0]] += 1
    terms = [(counts[i] / m) * sum((g[i] for g in gates[1:]), gates[0][i]) / m
             for i in range(n)]
    return n * sum(terms[1:], terms[0])
