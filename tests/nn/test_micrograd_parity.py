"""Parity with micrograd 0.1.0 (the `dev` extra): the same seed gives the same weights, and
micrograd's moons demo gives the same loss and gradients to 1e-12, step after step."""

from __future__ import annotations

import random

import pytest

from weightgrad.engine import Value
from weightgrad.nn import MLP, hinge_loss, l2_penalty, make_moons
from weightgrad.nn.optim import SGD

micrograd_nn = pytest.importorskip("micrograd.nn", reason="micrograd comes with the dev extra")

SEED = 1337


@pytest.fixture
def models() -> tuple[MLP, object]:
    state = random.getstate()
    random.seed(SEED)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.setstate(state)
    return MLP(2, [16, 16, 1], seed=SEED), theirs


def micrograd_loss(model: object, xs: list[list[float]], ys: list[int]) -> tuple[object, float]:
    """micrograd's demo.ipynb loss(), verbatim in substance."""
    from micrograd.engine import Value as MValue

    inputs = [list(map(MValue, xrow)) for xrow in xs]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    accuracy = [(yi > 0) == (s.data > 0) for yi, s in zip(ys, scores)]
    return data_loss + reg_loss, sum(accuracy) / len(accuracy)


def our_loss(model: MLP, xs: list[list[float]], ys: list[int]) -> tuple[Value, float]:
    scores = [model(x) for x in xs]
    loss = hinge_loss(scores, ys) + 1e-4 * l2_penalty(model.parameters())
    accuracy = sum((y > 0) == (s.data > 0) for y, s in zip(ys, scores)) / len(ys)
    return loss, accuracy


def test_same_seed_same_weights(models: tuple[MLP, object]) -> None:
    ours, theirs = models
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert len(ours.parameters()) == 337


def test_moons_loss_and_gradients_agree_over_training(models: tuple[MLP, object]) -> None:
    ours, theirs = models
    xs, ys = make_moons(100, noise=0.1, seed=0)
    opt = SGD(ours.parameters(), lr=1.0)
    for step in range(3):
        lr = 1.0 - 0.9 * step / 100  # micrograd's demo schedule
        loss_t, acc_t = micrograd_loss(theirs, xs, ys)
        theirs.zero_grad()
        loss_t.backward()
        loss_o, acc_o = our_loss(ours, xs, ys)
        ours.zero_grad()
        loss_o.backward()
        assert loss_o.data == pytest.approx(loss_t.data, abs=1e-12)
        assert acc_o == acc_t
        for p, q in zip(ours.parameters(), theirs.parameters()):
            assert p.grad == pytest.approx(q.grad, abs=1e-12)
        for q in theirs.parameters():
            q.data -= lr * q.grad
        opt.lr = lr
        opt.step()
        for p, q in zip(ours.parameters(), theirs.parameters()):
            assert p.data == pytest.approx(q.data, abs=1e-12)


def test_micrograd_fails_where_we_do_not() -> None:
    # micrograd's Layer returns a bare Value for one neuron, so a 1-wide hidden layer breaks it.
    with pytest.raises(TypeError):
        micrograd_nn.MLP(2, [16, 1, 1])([1.0, 2.0])
    out = MLP(2, [16, 1, 1], seed=0)([1.0, 2.0])
    assert isinstance(out, Value)
