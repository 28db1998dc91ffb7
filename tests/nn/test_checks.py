"""nn's one input policy (nn/checks.py), checked at every nn entry point that takes numbers.

One table: each row is an entry point, the argument it names and the kind of thing the argument
is (an input number, a size, a seed, a choice, a hyper-parameter, a class index, a pruning
amount, a generator). Every row is called with every bad value of its kind, `True` among them,
and must refuse with the same exception type as every other row (TypeError for a wrong type,
ValueError for a wrong value), in one shape, `{who}: {name} must be {...}, got {what came}`,
and must change nothing: no model's weights, grads or flags, no optimizer's state, no
generator's state. Then every row accepts ints, floats, Fractions and (for inputs) Values,
with the same numbers as for floats.
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import pytest

from weightgrad.engine import Value
from weightgrad.nn import (
    MLP,
    SGD,
    Adam,
    AdamW,
    Conv1d,
    Conv2d,
    Flatten,
    Layer,
    LeakyReLU,
    Linear,
    Lion,
    MaxPool2d,
    Neuron,
    Parameter,
    ReLU,
    RNNCell,
    SelfAttention,
    Sequential,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    checks,
    clip_grad_norm,
    cross_entropy,
    draw_network,
    hinge_loss,
    init,
    l1_penalty,
    l2_penalty,
    load_digits,
    make_moons,
    mse_loss,
    prune,
    quantize,
    softmax,
    unroll,
)
from weightgrad.nn.flow import flow_stats

# --- the context every row acts on -------------------------------------------------------------


@dataclass
class Ctx:
    mlp: MLP  # grads filled in and one Adam step taken, so every snapshot field is nonzero
    fused: MLP  # big enough to compute each layer as fused Σ nodes
    conv: Conv1d
    cell: RNNCell
    att: SelfAttention
    opt: Adam
    rng: random.Random = field(default_factory=lambda: random.Random(5))

    def modules(self) -> list:
        return [self.mlp, self.fused, self.conv, self.cell, self.att]

    def weight(self) -> list:
        """A real weight matrix (the first layer's), for nn.init: a refusal must not touch it."""
        return self.mlp.layers[0].weight


def _make_ctx() -> Ctx:
    mlp = MLP(2, [3, 1], seed=0)
    mse_loss([mlp([0.5, -1.0]), mlp([1.5, 2.0])], [1.0, -1.0]).backward()
    opt = Adam(mlp.parameters(), lr=0.01)
    opt.step()
    return Ctx(mlp, MLP(8, [8, 1], seed=1), Conv1d(2, 2, 2, seed=2), RNNCell(2, 3, seed=3),
               SelfAttention(2, seed=4), opt)


@pytest.fixture
def ctx() -> Ctx:
    return _make_ctx()


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)  # bit for bit: nan == nan and -0.0 != 0.0 here


def _snapshot(c: Ctx) -> tuple:
    params = [(n, id(p), _bits(p.data), _bits(p.grad), p.requires_grad, p.pruned)
              for m in c.modules() for n, p in m.named_parameters()]
    state = {id(p): dict(s) for p, s in c.opt.state.items()}  # no defaultdict look-ups
    hyper = (c.opt.lr, c.opt.betas, c.opt.eps, c.opt.weight_decay, [id(p) for p in c.opt.params])
    return params, repr(state), hyper, c.rng.getstate()


# --- the entry points --------------------------------------------------------------------------

@dataclass
class Entry:
    kind: str  # number, size, seed, choice, real, index, amount, rng
    who: str
    name: str
    call: Callable[[Ctx, object], object]
    low: int = 1  # sizes: the smallest accepted
    out: tuple = ()  # reals: finite values out of range (ValueError)
    optional: bool = True  # rng: None accepted
    none_ok: bool = False  # real: None is accepted and means the default

    @property
    def id(self) -> str:
        return f"{self.who}-{self.name}"


def _qp() -> quantize.QParams:
    return quantize.qparams([1.0])


ENTRIES = [
    # -- an input number (or target, label, logit): a real number or a Value, never a bool --
    Entry("number", "MLP", "x[1]", lambda c, b: c.mlp([0.5, b])),
    Entry("number", "MLP", "x[0]", lambda c, b: c.fused([b, *[0.5] * 7])),
    Entry("number", "Layer", "x[1]", lambda c, b: c.mlp.layers[0]([0.5, b])),
    Entry("number", "Neuron", "x[0]", lambda c, b: c.mlp.layers[1].neurons[0]([b, 0.5, 0.5])),
    Entry("number", "Conv1d", "x[1][2]", lambda c, b: c.conv([[1.0, 2.0, 3.0], [1.0, 2.0, b]])),
    Entry("number", "Conv2d", "x[0][1][0]", lambda c, b: Conv2d(1, 1, 1, seed=0)([[[0.5], [b]]])),
    Entry("number", "MaxPool2d", "x[0][0][1]", lambda c, b: MaxPool2d(1, 2)([[[0.5, b]]])),
    Entry("number", "RNNCell", "x[1]", lambda c, b: c.cell([0.5, b])),
    Entry("number", "RNNCell", "h[2]", lambda c, b: c.cell([0.5, 0.5], [0.0, 0.0, b])),
    Entry("number", "unroll", "xs[1][0]", lambda c, b: unroll(c.cell, [[0.5, 0.5], [b, 0.5]])),
    Entry("number", "unroll", "h0[0]", lambda c, b: unroll(c.cell, [[0.5, 0.5]], [b, 0.0, 0.0])),
    Entry("number", "SelfAttention", "x[1][0]", lambda c, b: c.att([[0.5, 0.5], [b, 0.5]])),
    Entry("number", "SelfAttention", "context[0][1]",
          lambda c, b: c.att([[0.5, 0.5]], context=[[0.5, b]])),
    Entry("number", "Linear", "x[0]", lambda c, b: c.att.q([b, 0.5])),  # a projection
    Entry("number", "Linear", "x[1]", lambda c, b: Linear(2, 2, seed=0)([0.5, b])),
    Entry("number", "ReLU", "x[1]", lambda c, b: ReLU()([0.5, b])),
    Entry("number", "LeakyReLU", "x[0][1]", lambda c, b: LeakyReLU(0.1)([[0.5, b]])),
    Entry("number", "Flatten", "x[1][1]", lambda c, b: Flatten()([[0.5], [0.5, b]])),
    Entry("number", "Flatten", "x[1][0]",  # a Sequential: its first module refuses
          lambda c, b: Sequential(Flatten(), Linear(3, 1, seed=0))([[0.5, -1.0], [b]])),
    Entry("number", "mse_loss", "predictions[0]", lambda c, b: mse_loss([b], [1.0])),
    Entry("number", "mse_loss", "targets[1]",
          lambda c, b: mse_loss([c.mlp([0.5, 0.5]), 0.5], [1.0, b])),
    Entry("number", "hinge_loss", "scores[0]", lambda c, b: hinge_loss([b], [1.0])),
    Entry("number", "hinge_loss", "labels[0]", lambda c, b: hinge_loss([0.5], [b])),
    Entry("number", "binary_cross_entropy", "probs[0]",
          lambda c, b: binary_cross_entropy([b], [1.0])),
    Entry("number", "binary_cross_entropy", "targets[0]",
          lambda c, b: binary_cross_entropy([0.5], [b])),
    Entry("number", "binary_cross_entropy_with_logits", "logits[0]",
          lambda c, b: binary_cross_entropy_with_logits([b], [1.0])),
    Entry("number", "binary_cross_entropy_with_logits", "targets[0]",
          lambda c, b: binary_cross_entropy_with_logits([0.5], [b])),
    Entry("number", "cross_entropy", "logits[1]", lambda c, b: cross_entropy([0.5, b], 0)),
    Entry("number", "cross_entropy", "logits[1][0]",
          lambda c, b: cross_entropy([[0.5, 0.5], [b, 0.5]], [0, 1])),
    Entry("number", "softmax", "logits[0]", lambda c, b: softmax([b, 0.5])),
    Entry("number", "l1_penalty", "params[1]",
          lambda c, b: l1_penalty([c.mlp.parameters()[0], b])),
    Entry("number", "l2_penalty", "params[0]", lambda c, b: l2_penalty([b])),
    Entry("number", "flow_stats", "inputs[1][1]",
          lambda c, b: flow_stats(c.mlp, [[0.5, 0.5], [0.5, b]])),
    # -- a size: an int >= low --------------------------------------------------------------
    Entry("size", "MLP", "nin", lambda c, b: MLP(b, [1])),
    Entry("size", "MLP", "nouts[1]", lambda c, b: MLP(2, [2, b])),
    Entry("size", "Layer", "nin", lambda c, b: Layer(b, 1)),
    Entry("size", "Layer", "nout", lambda c, b: Layer(2, b)),
    Entry("size", "Neuron", "nin", lambda c, b: Neuron(b)),
    Entry("size", "Conv1d", "in_channels", lambda c, b: Conv1d(b, 1, 1)),
    Entry("size", "Conv1d", "out_channels", lambda c, b: Conv1d(1, b, 1)),
    Entry("size", "Conv1d", "kernel_size", lambda c, b: Conv1d(1, 1, b)),
    Entry("size", "Conv1d", "stride", lambda c, b: Conv1d(1, 1, 1, stride=b)),
    Entry("size", "Conv1d", "padding", lambda c, b: Conv1d(1, 1, 1, padding=b), low=0),
    Entry("size", "Conv2d", "in_channels", lambda c, b: Conv2d(b, 1, 1)),
    Entry("size", "Conv2d", "out_channels", lambda c, b: Conv2d(1, b, 1)),
    Entry("size", "Conv2d", "kernel_size", lambda c, b: Conv2d(1, 1, b)),
    Entry("size", "Conv2d", "kernel_size[1]", lambda c, b: Conv2d(1, 1, (1, b))),
    Entry("size", "Conv2d", "stride", lambda c, b: Conv2d(1, 1, 1, stride=b)),
    Entry("size", "Conv2d", "padding[0]", lambda c, b: Conv2d(1, 1, 1, padding=(b, 0)), low=0),
    Entry("size", "MaxPool2d", "kernel_size", lambda c, b: MaxPool2d(b)),
    Entry("size", "MaxPool2d", "stride[1]", lambda c, b: MaxPool2d(2, (1, b))),
    Entry("size", "RNNCell", "input_size", lambda c, b: RNNCell(b, 1)),
    Entry("size", "RNNCell", "hidden_size", lambda c, b: RNNCell(1, b)),
    Entry("size", "SelfAttention", "d_model", lambda c, b: SelfAttention(b)),
    Entry("size", "Linear", "in_features", lambda c, b: Linear(b, 1)),
    Entry("size", "Linear", "out_features", lambda c, b: Linear(1, b)),
    Entry("size", "Linear", "in_features", lambda c, b: Linear(b, 1, bias=False)),
    Entry("size", "make_moons", "n_samples", lambda c, b: make_moons(b), low=2),
    # -- a seed: an int or None --------------------------------------------------------------
    Entry("seed", "MLP", "seed", lambda c, b: MLP(2, [1], seed=b)),
    Entry("seed", "Conv1d", "seed", lambda c, b: Conv1d(1, 1, 1, seed=b)),
    Entry("seed", "Conv2d", "seed", lambda c, b: Conv2d(1, 1, 1, seed=b)),
    Entry("seed", "RNNCell", "seed", lambda c, b: RNNCell(1, 1, seed=b)),
    Entry("seed", "SelfAttention", "seed", lambda c, b: SelfAttention(2, seed=b)),
    Entry("seed", "make_moons", "seed", lambda c, b: make_moons(4, seed=b)),
    Entry("seed", "Linear", "seed", lambda c, b: Linear(2, 3, seed=b)),
    Entry("seed", "load_digits", "seed", lambda c, b: load_digits("test", seed=b)),
    # -- a choice among names ------------------------------------------------------------------
    Entry("choice", "MLP", "activation", lambda c, b: MLP(2, [1], activation=b)),
    Entry("choice", "MLP", "init", lambda c, b: MLP(2, [1], init=b)),
    Entry("choice", "Layer", "activation", lambda c, b: Layer(2, 1, b)),
    Entry("choice", "Neuron", "activation", lambda c, b: Neuron(2, b)),
    Entry("choice", "l1_unstructured", "scope",
          lambda c, b: prune.l1_unstructured(c.mlp, 0.5, scope=b)),
    Entry("choice", "quantize", "scheme", lambda c, b: quantize.fake_quantize(c.mlp, b)),
    Entry("choice", "quantize", "scheme", lambda c, b: quantize.qparams([0.5], b)),
    Entry("choice", "kaiming_uniform", "mode",
          lambda c, b: init.kaiming_uniform(c.weight(), mode=b, rng=random.Random(0))),
    Entry("choice", "draw_network", "color_by", lambda c, b: draw_network(c.mlp, color_by=b)),
    Entry("choice", "load_digits", "split", lambda c, b: load_digits(b)),
    # -- a hyper-parameter: a finite real number, maybe in a range ----------------------------
    Entry("real", "SGD", "lr", lambda c, b: SGD(c.mlp.parameters(), lr=b), out=(-0.1,)),
    Entry("real", "SGD", "momentum", lambda c, b: SGD(c.mlp.parameters(), momentum=b),
          out=(-0.9,)),
    Entry("real", "SGD", "dampening", lambda c, b: SGD(c.mlp.parameters(), dampening=b)),
    Entry("real", "SGD", "weight_decay", lambda c, b: SGD(c.mlp.parameters(), weight_decay=b),
          out=(-1,)),
    Entry("real", "Adam", "lr", lambda c, b: Adam(c.mlp.parameters(), lr=b), out=(-1e-3,)),
    Entry("real", "Adam", "eps", lambda c, b: Adam(c.mlp.parameters(), eps=b), out=(-1e-8,)),
    Entry("real", "Adam", "weight_decay", lambda c, b: Adam(c.mlp.parameters(), weight_decay=b),
          out=(-0.5,)),
    Entry("real", "Adam", "betas[0]", lambda c, b: Adam(c.mlp.parameters(), betas=(b, 0.999)),
          out=(1.0, -0.1)),
    Entry("real", "AdamW", "betas[1]", lambda c, b: AdamW(c.mlp.parameters(), betas=(0.9, b)),
          out=(1,)),
    Entry("real", "AdamW", "weight_decay",
          lambda c, b: AdamW(c.mlp.parameters(), weight_decay=b), out=(-0.01,)),
    Entry("real", "Lion", "lr", lambda c, b: Lion(c.mlp.parameters(), lr=b), out=(-1,)),
    Entry("real", "Lion", "betas[0]", lambda c, b: Lion(c.mlp.parameters(), betas=(b, 0.99)),
          out=(1.5,)),
    Entry("real", "Lion", "weight_decay", lambda c, b: Lion(c.mlp.parameters(), weight_decay=b),
          out=(-1.0,)),
    Entry("real", "clip_grad_norm", "max_norm",
          lambda c, b: clip_grad_norm(c.mlp.parameters(), b), out=(-1.0,)),
    Entry("real", "uniform", "a", lambda c, b: init.uniform(c.weight(), b, 2.0)),
    Entry("real", "uniform", "b", lambda c, b: init.uniform(c.weight(), -2.0, b)),
    Entry("real", "normal", "mean", lambda c, b: init.normal(c.weight(), b, 1.0)),
    Entry("real", "normal", "std", lambda c, b: init.normal(c.weight(), 0.0, b), out=(-1.0,)),
    Entry("real", "constant", "val", lambda c, b: init.constant(c.weight(), b)),
    Entry("real", "xavier_uniform", "gain", lambda c, b: init.xavier_uniform(c.weight(), b)),
    Entry("real", "xavier_normal", "gain", lambda c, b: init.xavier_normal(c.weight(), b)),
    Entry("real", "kaiming_uniform", "a", lambda c, b: init.kaiming_uniform(c.weight(), b)),
    Entry("real", "kaiming_normal", "a", lambda c, b: init.kaiming_normal(c.weight(), b)),
    Entry("real", "calculate_gain", "param", lambda c, b: init.calculate_gain("leaky_relu", b),
          none_ok=True),
    Entry("real", "make_moons", "noise", lambda c, b: make_moons(4, b), out=(-0.1,)),
    Entry("real", "LeakyReLU", "negative_slope", lambda c, b: LeakyReLU(b)),
    Entry("real", "qparams", "values[0]", lambda c, b: quantize.qparams([b, 0.5])),
    Entry("real", "quantize", "x", lambda c, b: quantize.quantize(b, _qp())),
    # -- a class index among the logits --------------------------------------------------------
    Entry("index", "cross_entropy", "target", lambda c, b: cross_entropy([0.5, 0.5, 0.5], b)),
    Entry("index", "cross_entropy", "target[1]",
          lambda c, b: cross_entropy([[0.5, 0.5, 0.5]] * 2, [0, b])),
    # -- a pruning amount: an int count or a float fraction -----------------------------------
    Entry("amount", "l1_unstructured", "amount", lambda c, b: prune.l1_unstructured(c.mlp, b)),
    Entry("amount", "random_unstructured", "amount",
          lambda c, b: prune.random_unstructured(c.mlp, b, c.rng)),
    # -- a random number generator ---------------------------------------------------------------
    Entry("rng", "random_unstructured", "rng",
          lambda c, b: prune.random_unstructured(c.mlp, 0.5, b), optional=False),
    Entry("rng", "uniform", "rng", lambda c, b: init.uniform(c.weight(), rng=b)),
    Entry("rng", "xavier_uniform", "rng", lambda c, b: init.xavier_uniform(c.weight(), rng=b)),
    Entry("rng", "kaiming_normal", "rng", lambda c, b: init.kaiming_normal(c.weight(), rng=b)),
    Entry("rng", "Layer", "rng", lambda c, b: Layer(2, 2, rng=b)),
    Entry("rng", "Neuron", "rng", lambda c, b: Neuron(2, rng=b)),
]

V = Value(0.5, "v")
# What each kind refuses: (bad value, exception). True is in every list.
BAD: dict[str, list[tuple[object, type[Exception]]]] = {
    "number": [(True, TypeError), (False, TypeError), ("1", TypeError), (None, TypeError),
               ([1.0], TypeError), (1j, TypeError)],
    "size": [(True, TypeError), ("1", TypeError), (None, TypeError), (1.0, TypeError),
             (V, TypeError)],
    "seed": [(True, TypeError), ("1", TypeError), (1.5, TypeError), (V, TypeError)],
    "choice": [(True, TypeError), (None, TypeError), (1, TypeError), ("nope", ValueError)],
    "real": [(True, TypeError), ("1", TypeError), (None, TypeError), (V, TypeError),
             (1j, TypeError), (math.nan, ValueError), (math.inf, ValueError),
             (-math.inf, ValueError), (10**400, ValueError)],
    "index": [(True, TypeError), ("1", TypeError), (1.0, TypeError), (None, TypeError),
              (3, ValueError), (-1, ValueError)],
    "amount": [(True, TypeError), ("1", TypeError), (None, TypeError), (V, TypeError),
               (math.nan, ValueError), (-1, ValueError), (1.5, ValueError)],
    "rng": [(True, TypeError), (42, TypeError), ("x", TypeError), (random, TypeError)],
}


def _bad_cases() -> list:
    cases = []
    for e in ENTRIES:
        bads = list(BAD[e.kind])
        if e.none_ok:
            bads.remove((None, TypeError))  # calculate_gain's param: None is leaky_relu's 0.01
        if e.kind == "size":
            bads.append((e.low - 1, ValueError))
        bads += [(x, ValueError) for x in e.out]
        if e.kind == "rng" and not e.optional:
            bads.append((None, TypeError))
        for bad, error in bads:
            cases.append(pytest.param(e, bad, error, id=f"{e.id}-{type(bad).__name__}-{bad!r:.12}"))
    return cases


def _tail(bad: object, error: type[Exception]) -> str:
    """How the message ends: the type and the value for a TypeError, the value for a ValueError."""
    shown = repr(bad) if len(repr(bad)) <= 60 else repr(bad)[:57] + "..."
    return f"got {type(bad).__name__}: {shown}" if error is TypeError else f"got {shown}"


@pytest.mark.parametrize(("entry", "bad", "error"), _bad_cases())
def test_bad_numbers_are_refused_in_one_shape_and_change_nothing(
        ctx: Ctx, entry: Entry, bad: object, error: type[Exception]) -> None:
    before = _snapshot(ctx)
    with pytest.raises(Exception) as info:  # the type is checked exactly just below
        entry.call(ctx, bad)
    msg = str(info.value)
    assert type(info.value) is error, f"{type(info.value).__name__}: {msg}"
    assert msg.startswith(f"{entry.who}: {entry.name} must be "), msg
    assert msg.endswith(_tail(bad, error)), msg
    assert "\n" not in msg
    assert _snapshot(ctx) == before, "the refusal changed a model, the optimizer or the rng"


def test_every_kind_refuses_true_and_the_table_covers_every_kind() -> None:
    assert all((True, TypeError) in bads for bads in BAD.values())
    assert {e.kind for e in ENTRIES} == set(BAD)
    assert len({(e.id, e.call) for e in ENTRIES}) == len(ENTRIES)


def test_the_context_is_what_the_rows_assume(ctx: Ctx) -> None:
    """A refusal that changed something would show: grads are set and the optimizer has state."""
    params = ctx.mlp.parameters()
    assert sum(p.grad != 0.0 for p in params) > len(params) // 2
    assert all(ctx.opt.state[p]["step"] == 1 for p in params)
    assert ctx.fused.fused and not ctx.mlp.fused


# --- what is still accepted --------------------------------------------------------------------

def _data(out: object) -> object:
    """Every number in an output (Values, lists and tuples of them, dataclasses as they are)."""
    if isinstance(out, Value):
        return out.data
    if isinstance(out, (list, tuple)):
        return [_data(o) for o in out]
    return out


# 1 fits every slot: an input, a ±1 label, a probability, a target of any loss.
GOOD_NUMBERS = [1, 1.0, Fraction(1), Value(1.0), Parameter(1.0)]


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.kind == "number"], ids=lambda e: e.id)
def test_ints_floats_and_values_are_accepted_as_inputs(entry: Entry) -> None:
    results = []
    for good in GOOD_NUMBERS:
        c = _make_ctx()  # a fresh context each time: flow_stats refills grads
        results.append(_data(entry.call(c, good)))
    assert all(r == results[1] for r in results), results


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.kind in ("size", "real", "seed",
                                                                        "index", "amount")],
                         ids=lambda e: e.id)
def test_plain_ints_floats_and_fractions_are_accepted(entry: Entry) -> None:
    goods = {"size": [entry.low, entry.low + 1], "real": [0, 0.0, Fraction(0)],
             "seed": [None, 0, 12345], "index": [0, 2], "amount": [0, 1, 0.0, 0.5]}[entry.kind]
    for good in goods:
        entry.call(_make_ctx(), good)


def test_a_value_input_gets_its_gradient() -> None:
    """Values are always accepted as inputs: that is how a gradient reaches an input."""
    model = MLP(2, [3, 1], seed=0)
    x = [Value(0.5, "x0"), Value(-1.0, "x1")]
    model(x).backward()
    assert any(v.grad != 0.0 for v in x)


def test_the_message_shape_by_hand() -> None:
    """The two examples of nn/checks.py's docstring, word for word."""
    with pytest.raises(TypeError) as info:
        MLP(True, [1])
    assert str(info.value) == "MLP: nin must be an int >= 1, got bool: True"
    with pytest.raises(TypeError) as info:
        Layer(2, 1, rng=random.Random(0))([0.5, "a"])
    assert str(info.value) == "Layer: x[1] must be a real number or a Value, got str: 'a'"
    with pytest.raises(ValueError) as info:
        MLP(2, [1], seed=0)([1.0, 2.0, 3.0])
    assert str(info.value) == ("MLP: x must be a list of 2 real numbers or Values, "
                               "got list of length 3")


def test_long_values_are_cut_to_keep_the_message_short() -> None:
    with pytest.raises(TypeError) as info:
        checks.number("f", "x", "a" * 500)
    # 57 characters of the repr (a quote and 56 a's), then "..."
    assert str(info.value).endswith("got str: '" + "a" * 56 + "...")
    assert len(str(info.value)) < 120


def test_generators_are_read_once_and_sets_and_dicts_refused() -> None:
    assert checks.numbers("f", "x", (v for v in [1.0, 2]), 2) == [1.0, 2]
    for unordered in ({1.0, 2.0}, {"a": 1.0, "b": 2.0}):
        with pytest.raises(TypeError, match=r"^f: x must be a list of 2 real numbers or Values"):
            checks.numbers("f", "x", unordered, 2)
