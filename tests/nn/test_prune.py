"""nn.prune: which weights go (checked against rankings computed here), how many (PyTorch's
rounding, cumulative calls), that masks hold through every optimizer, remove, the sparsity
report, and that refused input changes nothing."""

from __future__ import annotations

import copy
import heapq
import random

import pytest

from weightgrad.nn import MLP, Layer, Neuron, mse_loss
from weightgrad.nn.optim import SGD, Adam, AdamW, Lion
from weightgrad.nn.prune import (
    is_pruned,
    l1_unstructured,
    masks,
    random_unstructured,
    remove,
    sparsity,
    sparsity_report,
)


def weights_by_layer(model: MLP) -> list[list[tuple[str, object]]]:
    """[(name, Parameter)] per layer, written out from the layer structure (not nn.prune)."""
    return [[(f"layers.{li}.neurons.{j}.w.{i}", w) for j, n in enumerate(layer.neurons)
             for i, w in enumerate(n.w)] for li, layer in enumerate(model.layers)]


def pruned_names(model: MLP) -> set[str]:
    return {name for layer in weights_by_layer(model) for name, w in layer if w.pruned}


def set_weights(neuron: Neuron, values: list[float]) -> None:
    for w, x in zip(neuron.w, values):
        w.data = x


def snapshot(model: MLP) -> tuple[dict, list[tuple[float, bool]]]:
    return model.state_dict(), [(p.data, p.pruned) for p in model.parameters()]


# -- which weights, how many ---------------------------------------------------------------


def test_layer_scope_prunes_the_smallest_of_each_layer() -> None:
    model = MLP(3, [4, 3, 2], seed=0)  # layers of 12, 12 and 6 weights
    before = {p: p.data for p in model.parameters()}
    l1_unstructured(model, 0.5)
    expected = set()
    for layer, k in zip(weights_by_layer(model), [6, 6, 3]):  # half of 12, 12, 6
        smallest = heapq.nsmallest(k, layer, key=lambda item: abs(before[item[1]]))
        expected |= {name for name, _ in smallest}
    assert pruned_names(model) == expected
    for p, x in before.items():
        assert p.data == (0.0 if p.pruned else x)
    assert all(not n.b.pruned for layer in model.layers for n in layer.neurons)


def test_global_scope_ranks_every_weight_together() -> None:
    model = MLP(2, [16, 16, 1], seed=3)
    before = {name: abs(w.data) for layer in weights_by_layer(model) for name, w in layer}
    l1_unstructured(model, 0.7, scope="global")
    # 0.7 * 304 = 212.8 -> 213; the cut is the 213th smallest magnitude over the whole model.
    threshold = sorted(before.values())[212]
    assert pruned_names(model) == {name for name, m in before.items() if m <= threshold}
    assert len(pruned_names(model)) == 213


def test_global_and_layer_scopes_differ_on_a_crafted_model() -> None:
    def crafted() -> MLP:
        model = MLP(2, [2, 1], seed=0)
        set_weights(model.layers[0].neurons[0], [5.0, -6.0])
        set_weights(model.layers[0].neurons[1], [7.0, -8.0])
        set_weights(model.layers[1].neurons[0], [0.1, -0.2])  # a layer of small weights
        return model

    per_layer = l1_unstructured(crafted(), 0.5, scope="layer")
    assert pruned_names(per_layer) == {"layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                                       "layers.1.neurons.0.w.0"}
    whole = l1_unstructured(crafted(), 2, scope="global")  # the two smallest anywhere
    assert pruned_names(whole) == {"layers.1.neurons.0.w.0", "layers.1.neurons.0.w.1"}


def test_fractions_round_half_to_even_and_counts_are_exact() -> None:
    # PyTorch's _compute_nparams_toprune: round(amount * n), Python's round.
    for n_weights, amount, expected in [(10, 0.25, 2), (6, 0.25, 2), (10, 0.35, 4),
                                        (10, 0.0, 0), (10, 1.0, 10), (10, 1, 1), (10, 0, 0)]:
        neuron = Neuron(n_weights, rng=random.Random(1))
        l1_unstructured(neuron, amount)
        assert sum(w.pruned for w in neuron.w) == expected, (n_weights, amount)


def test_ties_go_to_parameter_order() -> None:
    neuron = Neuron(5, rng=random.Random(0))
    set_weights(neuron, [0.5, -0.5, 2.0, 0.5, 1.0])
    l1_unstructured(neuron, 2)
    assert [w.pruned for w in neuron.w] == [True, True, False, False, False]
    model = MLP(1, [1, 1], seed=0)  # one weight per layer, equal magnitudes
    model.layers[0].neurons[0].w[0].data, model.layers[1].neurons[0].w[0].data = -0.3, 0.3
    l1_unstructured(model, 1, scope="global")
    assert pruned_names(model) == {"layers.0.neurons.0.w.0"}


def test_a_lone_layer_is_one_group() -> None:
    layer = Layer(3, 2, rng=random.Random(4))
    l1_unstructured(layer, 3)
    assert sum(not kept for kept in masks(layer).values()) == 3
    assert list(masks(layer)) == [f"neurons.{j}.w.{i}" for j in range(2) for i in range(3)]


def test_pruning_is_cumulative_over_the_unpruned_weights() -> None:
    neuron = Neuron(10, rng=random.Random(0))
    set_weights(neuron, [10.0, -1.0, 9.0, 2.0, -8.0, 3.0, 7.0, -4.0, 6.0, 5.0])
    l1_unstructured(neuron, 0.5)  # 5 of 10: |w| = 1, 2, 3, 4, 5
    assert [w.pruned for w in neuron.w] == [False, True, False, True, False,
                                            True, False, True, False, True]
    # 0.5 of the 5 left is round(2.5) = 2 (not 0.5 of all 10): |w| = 6, 7. Already-pruned
    # weights (|w| = 0 now) are not picked again.
    l1_unstructured(neuron, 0.5)
    assert [abs(w.data) for w in neuron.w if not w.pruned] == [10.0, 9.0, 8.0]
    l1_unstructured(neuron, 3)  # a count also refers to the unpruned ones
    assert all(w.pruned for w in neuron.w)
    with pytest.raises(ValueError, match="amount=1 is more than the 0 unpruned weights"):
        l1_unstructured(neuron, 1)


# -- random pruning --------------------------------------------------------------------------


def test_random_pruning_is_seeded_and_leaves_the_global_generator_alone() -> None:
    state = random.getstate()
    a = random_unstructured(MLP(2, [16, 16, 1], seed=0), 0.5, random.Random(7))
    b = random_unstructured(MLP(2, [16, 16, 1], seed=0), 0.5, random.Random(7))
    c = random_unstructured(MLP(2, [16, 16, 1], seed=0), 0.5, random.Random(8))
    assert random.getstate() == state
    assert masks(a) == masks(b) != masks(c)
    counts = [sum(w.pruned for _, w in layer) for layer in weights_by_layer(a)]
    assert counts == [16, 128, 8]  # half of 32, 256, 16 in each layer
    g = random_unstructured(MLP(2, [16, 16, 1], seed=0), 100, random.Random(7), "global")
    assert len(pruned_names(g)) == 100
    # Not the magnitude ranking: random pruning picks some large weights too.
    assert pruned_names(g) != pruned_names(l1_unstructured(MLP(2, [16, 16, 1], seed=0), 100,
                                                           scope="global"))


# -- masks hold through training; remove ------------------------------------------------------

POINTS = [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-1.2, 0.8, 0.4]]
TARGETS = [1.0, -1.0, 0.5]


def train(model: MLP, optimizer: object, steps: int = 10) -> None:
    for _ in range(steps):
        loss = mse_loss([model(x) for x in POINTS], TARGETS)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


OPTIMIZERS = {
    "SGD": lambda ps: SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.1),
    "Adam": lambda ps: Adam(ps, lr=0.05, weight_decay=0.1),
    "AdamW": lambda ps: AdamW(ps, lr=0.05),
    "Lion": lambda ps: Lion(ps, lr=0.01, weight_decay=0.1),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_pruned_weights_stay_exactly_zero_through_training(name: str) -> None:
    model = MLP(3, [4, 1], activation="tanh", seed=2)  # tanh: no dead units, every grad moves
    l1_unstructured(model, 0.5)
    pruned = [p for p in model.parameters() if p.pruned]
    # Weights only: a bias starts at 0 and, behind a pruned outgoing weight, has grad 0,
    # so nothing (not even weight decay) would move it.
    kept = {w: w.data for layer in model.layers for n in layer.neurons for w in n.w
            if not w.pruned}
    assert len(pruned) == 8  # half of 12, half of 4
    train(model, OPTIMIZERS[name](model.parameters()))
    assert all(p.data == 0.0 for p in pruned)
    assert all(p.data != x for p, x in kept.items())
    assert any(p.grad != 0.0 for p in pruned)  # backprop still computes their gradients


def test_remove_keeps_the_zeros_and_lets_them_train_again() -> None:
    model = MLP(3, [4, 1], activation="tanh", seed=2)
    l1_unstructured(model, 0.5)
    formerly = [p for p in model.parameters() if p.pruned]
    assert is_pruned(model)
    remove(model)
    assert not is_pruned(model)
    assert all(masks(model).values())
    assert all(p.data == 0.0 and not p.pruned for p in formerly)
    assert sparsity(model)["total"]["pruned"] == 0 and sparsity(model)["total"]["zeros"] == 8
    train(model, SGD(model.parameters(), lr=0.05))
    assert all(p.data != 0.0 for p in formerly)
    with pytest.raises(ValueError, match="no pruned parameters"):
        remove(model)


# -- the report --------------------------------------------------------------------------------


def test_sparsity_numbers_and_report() -> None:
    model = MLP(2, [16, 16, 1], seed=5)
    l1_unstructured(model, 0.7, scope="global")
    report = sparsity(model)
    layers = weights_by_layer(model)
    for row, layer, li in zip(report["layers"], layers, range(3)):
        zeros = sum(w.data == 0.0 for _, w in layer)
        assert row == {"name": f"layers.{li}", "weights": len(layer), "pruned": zeros,
                       "zeros": zeros, "fraction": zeros / len(layer)}
    assert [row["weights"] for row in report["layers"]] == [32, 256, 16]
    assert report["total"]["pruned"] == 213 and report["total"]["weights"] == 304
    assert report["total"]["fraction"] == pytest.approx(213 / 304)
    lines = sparsity_report(model).splitlines()
    assert len({len(line) for line in lines}) == 1  # aligned columns
    assert lines[0].split() == ["layer", "weights", "pruned", "fraction", "zeros"]
    assert lines[-1].split() == ["total", "304", "213", "70.1%", "213"]
    assert sparsity_report(Neuron(4, rng=random.Random(0))).splitlines()[2].split() == [
        "Neuron", "4", "0", "0.0%", "0"]


# -- refused input changes nothing -------------------------------------------------------------


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda m: l1_unstructured(m, -0.1), ValueError, "amount"),
    (lambda m: l1_unstructured(m, 1.5), ValueError, "amount"),
    (lambda m: l1_unstructured(m, float("nan")), ValueError, "amount"),
    (lambda m: l1_unstructured(m, -1), ValueError, "amount"),
    # After pruning 20% per layer (6 of 32, 51 of 256, 3 of 16), 244 weights are left.
    (lambda m: l1_unstructured(m, 245, scope="global"), ValueError, "245 is more than the 244"),
    (lambda m: l1_unstructured(m, 14), ValueError, r"14 is more than the 13 unpruned weights "
                                                   r"of layers\.2"),
    (lambda m: l1_unstructured(m, True), TypeError, "amount"),
    (lambda m: l1_unstructured(m, "0.5"), TypeError, "amount"),
    (lambda m: l1_unstructured(m, None), TypeError, "amount"),
    (lambda m: l1_unstructured(m, 0.5, scope="model"), ValueError, "scope"),
    (lambda m: random_unstructured(m, 0.5, rng=42), TypeError, "rng"),
    (lambda m: random_unstructured(m, 0.5, random.Random(0), scope=None), TypeError,
     "scope must be one of layer, global, got NoneType: None"),
])
def test_bad_input_is_refused_and_changes_nothing(call, error, message) -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    l1_unstructured(model, 0.2)  # some masks already, which must survive too
    before = copy.deepcopy(snapshot(model))
    with pytest.raises(error, match=message):
        call(model)
    assert snapshot(model) == before


def test_a_refused_layer_leaves_earlier_layers_untouched() -> None:
    model = MLP(2, [2, 1], seed=0)  # layers of 4 and 2 weights
    l1_unstructured(model, 2)  # layer 1 is now fully pruned
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"0 unpruned weights of layers\.1"):
        l1_unstructured(model, 1)  # fine for layer 0, impossible for layer 1
    assert snapshot(model) == before


def test_not_a_model_is_refused() -> None:
    for call in (lambda: l1_unstructured([1.0, 2.0], 0.5), lambda: masks("model"),
                 lambda: is_pruned(None), lambda: remove(3), lambda: sparsity({})):
        with pytest.raises(TypeError, match=r"module must be an nn\.Module \(an MLP, a layer, "
                                            r"\.\.\.\), got (list|str|NoneType|int|dict): "):
            call()
