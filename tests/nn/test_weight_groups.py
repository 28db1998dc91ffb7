"""Weight groups, and every weight tool on every module: a table of tools × modules.

The truth each test compares with is written out here from each module's own attributes
(`layer.neurons[j].w`, `conv.weight`, `cell.weight_ih`, `attention.q.weight`, ...) and from
PyTorch's documented shapes, never read back from `weight_groups()` itself.
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable

import pytest

from tests.svg import parse
from weightgrad.engine import render_svg
from weightgrad.nn import (
    MLP,
    Conv1d,
    Conv2d,
    Layer,
    LeakyReLU,
    Linear,
    Module,
    Neuron,
    ReLU,
    RNNCell,
    SelfAttention,
    Sequential,
    mse_loss,
)
from weightgrad.nn.draw import draw_network
from weightgrad.nn.flow import flow_stats
from weightgrad.nn.prune import l1_unstructured, masks, sparsity
from weightgrad.nn.quantize import error_report, error_report_text, fake_quantize, qparams
from weightgrad.nn.weight_groups import WeightGroup


class Stack(Module):
    """A user's own model: an RNNCell and an MLP head, to show that any Module works."""

    def __init__(self) -> None:
        self.cell, self.head = RNNCell(2, 3, seed=5), MLP(3, [2], seed=6)

    def _children(self):  # type: ignore[no-untyped-def]
        yield from (("cell", self.cell), ("head", self.head))


# name -> (factory, expected groups as (module name, PyTorch's tensor name, kind, shape),
# the same groups' Parameters written out from the module's own attributes).
Expected = list[tuple[str, str, str, tuple[int, ...]]]
MODULES: dict[str, tuple[Callable[[], Module], Expected, Callable[[Module], list[list]]]] = {
    # torch.nn.Sequential(Linear(2, 3), ReLU(), Linear(3, 2)): 0.weight (3, 2), 0.bias (3,) ...
    "MLP": (lambda: MLP(2, [3, 2], seed=1),
            [("layers.0", "weight", "weight", (3, 2)), ("layers.0", "bias", "bias", (3,)),
             ("layers.1", "weight", "weight", (2, 3)), ("layers.1", "bias", "bias", (2,))],
            lambda m: [[w for n in m.layers[0].neurons for w in n.w],
                       [n.b for n in m.layers[0].neurons],
                       [w for n in m.layers[1].neurons for w in n.w],
                       [n.b for n in m.layers[1].neurons]]),
    # torch.nn.Linear(3, 4)
    "Layer": (lambda: Layer(3, 4, rng=random.Random(2)),
              [("", "weight", "weight", (4, 3)), ("", "bias", "bias", (4,))],
              lambda m: [[w for n in m.neurons for w in n.w], [n.b for n in m.neurons]]),
    # torch.nn.Linear(5, 1)
    "Neuron": (lambda: Neuron(5, rng=random.Random(3)),
               [("", "weight", "weight", (1, 5)), ("", "bias", "bias", (1,))],
               lambda m: [list(m.w), [m.b]]),
    # torch.nn.Linear(3, 2) itself, and without its bias
    "Linear": (lambda: Linear(3, 2, seed=10),
               [("", "weight", "weight", (2, 3)), ("", "bias", "bias", (2,))],
               lambda m: [[w for row in m.weight for w in row], m.bias]),
    "Linear(bias=False)": (lambda: Linear(4, 3, bias=False, seed=11),
                           [("", "weight", "weight", (3, 4))],
                           lambda m: [[w for row in m.weight for w in row]]),
    # torch.nn.Sequential(Linear(2, 3), ReLU(), Linear(3, 3), LeakyReLU(), Linear(3, 2)):
    # 0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias (the activations hold none)
    "Sequential": (lambda: Sequential(Linear(2, 3, seed=12), ReLU(), Linear(3, 3, seed=13),
                                      LeakyReLU(0.1), Linear(3, 2, seed=14)),
                   [(str(i), t, t, s) for i, n, m in ((0, 3, 2), (2, 3, 3), (4, 2, 3))
                    for t, s in (("weight", (n, m)), ("bias", (n,)))],
                   lambda m: [g for i in (0, 2, 4)
                              for g in ([w for row in m[i].weight for w in row], m[i].bias)]),
    # torch.nn.Conv1d(2, 3, 4): weight (out_channels, in_channels, kernel_size)
    "Conv1d": (lambda: Conv1d(2, 3, 4, seed=4),
               [("", "weight", "weight", (3, 2, 4)), ("", "bias", "bias", (3,))],
               lambda m: [[w for o in range(3) for c in m.kernel(o) for w in c], m.bias]),
    # torch.nn.Conv2d(2, 3, (2, 3)): weight (out_channels, in_channels, kh, kw)
    "Conv2d": (lambda: Conv2d(2, 3, (2, 3), seed=15),
               [("", "weight", "weight", (3, 2, 2, 3)), ("", "bias", "bias", (3,))],
               lambda m: [[w for o in range(3) for c in m.kernel(o) for row in c for w in row],
                          m.bias]),
    "Conv2d(bias=False)": (lambda: Conv2d(1, 2, 2, bias=False, seed=16),
                           [("", "weight", "weight", (2, 1, 2, 2))],
                           lambda m: [[w for o in range(2) for c in m.kernel(o) for row in c
                                       for w in row]]),
    # torch.nn.RNNCell(3, 4): weight_ih (hidden, input), weight_hh (hidden, hidden)
    "RNNCell": (lambda: RNNCell(3, 4, seed=5),
                [("", "weight_ih", "weight", (4, 3)), ("", "weight_hh", "weight", (4, 4)),
                 ("", "bias_ih", "bias", (4,)), ("", "bias_hh", "bias", (4,))],
                lambda m: [[w for row in m.weight_ih for w in row],
                           [w for row in m.weight_hh for w in row], m.bias_ih, m.bias_hh]),
    # torch.nn.MultiheadAttention(3, 1) with q/k/v_proj_weight (3, 3) and out_proj Linear(3, 3)
    "SelfAttention": (lambda: SelfAttention(3, seed=6),
                      [(p, t, t, s) for p in ("q", "k", "v", "out")
                       for t, s in (("weight", (3, 3)), ("bias", (3,)))],
                      lambda m: [g for proj in (m.q, m.k, m.v, m.out)
                                 for g in ([w for row in proj.weight for w in row], proj.bias)]),
    "SelfAttention(bias=False, out_proj=False)": (
        lambda: SelfAttention(2, seed=7, bias=False, out_proj=False),
        [(p, "weight", "weight", (2, 2)) for p in ("q", "k", "v")],
        lambda m: [[w for row in proj.weight for w in row] for proj in (m.q, m.k, m.v)]),
    "a Module of an RNNCell and an MLP": (
        Stack,
        [("cell", "weight_ih", "weight", (3, 2)), ("cell", "weight_hh", "weight", (3, 3)),
         ("cell", "bias_ih", "bias", (3,)), ("cell", "bias_hh", "bias", (3,)),
         ("head.layers.0", "weight", "weight", (2, 3)), ("head.layers.0", "bias", "bias", (2,))],
        lambda m: [[w for row in m.cell.weight_ih for w in row],
                   [w for row in m.cell.weight_hh for w in row], m.cell.bias_ih, m.cell.bias_hh,
                   [w for n in m.head.layers[0].neurons for w in n.w],
                   [n.b for n in m.head.layers[0].neurons]]),
}
NAMES = list(MODULES)
# what draw_network and flow take
DENSE = ("MLP", "Layer", "Neuron", "Linear", "Linear(bias=False)", "Sequential")


def build(name: str) -> tuple[Module, Expected, list[list]]:
    factory, expected, written_out = MODULES[name]
    model = factory()
    return model, expected, written_out(model)


def weights_and_biases(expected: Expected, params: list[list]) -> tuple[list[list], list]:
    weights = [ps for (_, _, kind, _), ps in zip(expected, params) if kind == "weight"]
    biases = [p for (_, _, kind, _), ps in zip(expected, params) if kind == "bias" for p in ps]
    return weights, biases


# -- the groups themselves ---------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_groups_have_pytorchs_names_shapes_and_row_major_parameters(name: str) -> None:
    model, expected, params = build(name)
    groups = list(model.weight_groups())
    assert [(m, g.name, g.kind, g.shape) for m, g in groups] == expected
    for (_, g), ps in zip(groups, params):
        assert [id(p) for p in g.params] == [id(p) for p in ps]
        assert math.prod(g.shape) == len(g.params)
        assert [len(row) for row in g.rows()] == [len(g.params) // g.shape[0]] * g.shape[0]


@pytest.mark.parametrize("name", NAMES)
def test_groups_cover_every_parameter_exactly_once(name: str) -> None:
    model, _, _ = build(name)
    grouped = [id(p) for _, g in model.weight_groups() for p in g.params]
    assert len(grouped) == len(set(grouped))
    assert sorted(grouped) == sorted(id(p) for p in model.parameters())


def test_state_dict_keys_are_unchanged() -> None:
    # Files of format version 1 hold these keys: weight groups add names, they rename nothing.
    assert list(MLP(1, [2], seed=0).state_dict()) == [
        "layers.0.neurons.0.w", "layers.0.neurons.0.b", "layers.0.neurons.1.w",
        "layers.0.neurons.1.b"]
    assert list(RNNCell(1, 1).state_dict()) == ["weight_ih.0", "weight_hh.0", "bias_ih",
                                                "bias_hh"]


def test_a_group_whose_shape_does_not_hold_its_parameters_is_refused() -> None:
    params = tuple(Neuron(3).parameters()[:3])
    with pytest.raises(ValueError, match=r"shape \(2, 2\) holds 4 numbers, got 3 Parameters"):
        WeightGroup("weight", "weight", (2, 2), params)
    with pytest.raises(ValueError, match="kind must be one of weight, bias"):
        WeightGroup("weight", "matrix", (3,), params)
    with pytest.raises(TypeError, match="every entry must be a Parameter"):
        WeightGroup("weight", "weight", (3,), (1.0, 2.0, 3.0))  # type: ignore[arg-type]


# -- prune: the k smallest weights of each group, never a bias ----------------------------------

def _smallest(values: list[float], k: int) -> set[int]:
    """Indices of the k smallest |values|, by a threshold (the draws here have no ties)."""
    if k == 0:
        return set()
    threshold = sorted(abs(v) for v in values)[k - 1]
    chosen = {i for i, v in enumerate(values) if abs(v) <= threshold}
    assert len(chosen) == k  # no ties, so the ranking is unambiguous
    return chosen


@pytest.mark.parametrize("name", NAMES)
def test_prune_zeroes_the_smallest_weights_of_each_group_and_no_bias(name: str) -> None:
    model, expected, params = build(name)
    weights, biases = weights_and_biases(expected, params)
    before = {id(p): p.data for p in model.parameters()}
    l1_unstructured(model, 0.5)
    for group in weights:
        # PyTorch's count: round(0.5 * n), half to even.
        chosen = _smallest([before[id(p)] for p in group], round(0.5 * len(group)))
        assert {i for i, p in enumerate(group) if p.pruned} == chosen
        assert all(p.data == (0.0 if i in chosen else before[id(p)]) for i, p in enumerate(group))
    assert all(not b.pruned and b.data == before[id(b)] for b in biases)
    assert sum(not kept for kept in masks(model).values()) == sum(round(0.5 * len(g))
                                                                  for g in weights)


@pytest.mark.parametrize("name", NAMES)
def test_global_prune_ranks_the_weights_of_every_group_together(name: str) -> None:
    model, expected, params = build(name)
    weights, biases = weights_and_biases(expected, params)
    flat = [p for group in weights for p in group]
    before = [p.data for p in flat]
    l1_unstructured(model, 0.3, scope="global")
    chosen = _smallest(before, round(0.3 * len(flat)))
    assert {i for i, p in enumerate(flat) if p.pruned} == chosen
    assert not any(b.pruned for b in biases)
    assert sparsity(model)["total"]["pruned"] == len(chosen)


# -- quantize: every weight of every group within scale/2 ---------------------------------------

@pytest.mark.parametrize("scheme", ["symmetric", "affine"])
@pytest.mark.parametrize("name", NAMES)
def test_quantize_error_is_within_half_a_level_for_every_weight_of_every_group(
        name: str, scheme: str) -> None:
    model, expected, params = build(name)
    for p in model.parameters():  # biases that are not 0, to see them copied as they are
        p.data += 0.01
    snapshot = [p.data for p in model.parameters()]
    fq = fake_quantize(model, scheme)
    assert [p.data for p in model.parameters()] == snapshot  # the model is untouched
    assert not {id(p) for p in fq.parameters()} & {id(p) for p in model.parameters()}
    weights, biases = weights_and_biases(expected, params)
    fq_weights, fq_biases = weights_and_biases(expected, MODULES[name][2](fq))
    for group, fq_group in zip(weights, fq_weights, strict=True):
        qp = qparams([p.data for p in group], scheme)  # one scale per group
        for w, f in zip(group, fq_group, strict=True):
            assert abs(f.data - w.data) <= qp.scale / 2 * (1 + 1e-12)
            level = f.data / qp.scale
            assert abs(level - round(level)) < 1e-9  # a whole number of levels
    assert [b.data for b in fq_biases] == [b.data for b in biases]
    report = error_report(model, scheme)
    assert [r["n_weights"] for r in report.values()] == [len(g) for g in weights]
    assert all(r["within_half_scale"] is True for r in report.values())
    lines = error_report_text(report).splitlines()  # aligned, however long the group names
    column = lines[0].index("scheme")
    assert all(line[column:].startswith(scheme) for line in lines[2:])


# -- summary: every group with its shape; counts that add up ----------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_summary_lists_every_group_with_its_shape(name: str) -> None:
    model, expected, _ = build(name)
    lines = model.summary().splitlines()
    # Columns by the header's positions: name | in → out (a group's shape) | ... | params.
    shape_at, activation_at, params_at = (lines[0].index(h) for h in ("in → out", "activation",
                                                                       "params"))
    rows = [(line[:shape_at].strip(), line[shape_at:activation_at].strip(),
             line[params_at:].split()[0]) for line in lines[2:-2]]
    groups = [row for row, line in zip(rows, lines[2:-2]) if line.startswith("  ")]
    assert groups == [(tensor, str(shape), str(math.prod(shape)))
                      for _, tensor, _, shape in expected]
    assert sum(int(count) for _, _, count in groups) == len(model.parameters())
    assert lines[-1].split()[:2] == ["total", str(len(model.parameters()))]
    layers = [name for (name, _, _), line in zip(rows, lines[2:-2]) if not line.startswith(" ")]
    assert layers == list(dict.fromkeys(m or type(model).__name__ for m, *_ in expected))


# -- draw_network: dense layers drawn, anything else refused in one line ------------------------

@pytest.mark.parametrize("name", NAMES)
def test_draw_network_draws_dense_layers_and_refuses_the_rest_in_one_line(name: str) -> None:
    model, expected, params = build(name)
    weights, _ = weights_and_biases(expected, params)
    if name not in DENSE:
        with pytest.raises(TypeError) as refused:
            draw_network(model)
        message = str(refused.value)
        assert "\n" not in message
        assert message.startswith("draw_network: model must be dense layers in sequence "
                                  "(an MLP, a Layer, a Neuron, a Linear, or a Sequential "
                                  "of Linears and activations), got "
                                  f"{type(model).__name__}: ")
        return
    picture = parse(render_svg(draw_network(model, labels=False)))
    assert len(picture.edges) == sum(len(g) for g in weights)  # one edge per weight
    names = {id(p): n for n, p in model.named_parameters()}
    assert sorted(e.tooltip.split(" = ")[0] for e in picture.edges) == sorted(
        names[id(p)] for g in weights for p in g)
    nin = expected[0][3][1]
    assert len(picture.nodes) == nin + sum(shape[0] for _, _, kind, shape in expected
                                           if kind == "weight")


# -- flow: dense layers work, anything else refused in one line ---------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_flow_works_on_dense_layers_and_refuses_the_rest_in_one_line(name: str) -> None:
    model, expected, params = build(name)
    weights, _ = weights_and_biases(expected, params)
    if name not in DENSE:
        with pytest.raises(TypeError) as refused:
            flow_stats(model, [[1.0]])
        message = str(refused.value)
        assert "\n" not in message
        assert message.startswith("flow_stats: model must be dense layers in sequence "
                                  "(an MLP, a Layer, a Neuron, a Linear, or a Sequential "
                                  "of Linears and activations), got "
                                  f"{type(model).__name__}: ")
        return
    nin = expected[0][3][1]
    rng = random.Random(0)
    batch = [[rng.uniform(-1, 1) for _ in range(nin)] for _ in range(4)]
    stats = flow_stats(model, batch)
    assert [s.name for s in stats] == [m or type(model).__name__ for m, _, kind, _ in expected
                                       if kind == "weight"]
    for s, group in zip(stats, weights, strict=True):
        # The gradients flow_stats left behind, read from the module's own weights.
        assert s.grad_norm == pytest.approx(math.sqrt(sum(p.grad ** 2 for p in group)),
                                            rel=1e-12)
        assert s.weight_mean == pytest.approx(sum(p.data for p in group) / len(group),
                                              rel=1e-12)
    # And they are the gradients of the default loss, mean of squared outputs.
    twin = copy.deepcopy(model)
    twin.zero_grad()
    outs = [twin(x) for x in batch]
    flat = [v for out in outs for v in (out if isinstance(out, list) else [out])]
    mse_loss(flat, [0.0] * len(flat)).backward()
    assert [p.grad for p in twin.parameters()] == pytest.approx(
        [p.grad for p in model.parameters()], rel=1e-12, abs=1e-15)
