"""RNNCell and unroll: torch.nn.RNNCell's formula, names and init; the same weights at every
step; backprop through time against finite differences and as a sum of per-step parts."""

from __future__ import annotations

import math
import random

import pytest

from tests.finite import central_difference
from weightgrad.engine import Value, gradcheck
from weightgrad.nn.rnn import RNNCell, unroll


def plain_rnn(cell: RNNCell, xs: list[list[float]], h0: list[float] | None = None
              ) -> list[list[float]]:
    """torch.nn.RNNCell in floats: h' = tanh(W_ih x + b_ih + W_hh h + b_hh), step by step."""
    w_ih = [[p.data for p in row] for row in cell.weight_ih]
    w_hh = [[p.data for p in row] for row in cell.weight_hh]
    b_ih = [p.data for p in cell.bias_ih]
    b_hh = [p.data for p in cell.bias_hh]
    h = list(h0) if h0 is not None else [0.0] * cell.hidden_size
    states = []
    for x in xs:
        h = [math.tanh(sum(w * xi for w, xi in zip(w_ih[j], x)) + b_ih[j]
                       + sum(w * hi for w, hi in zip(w_hh[j], h)) + b_hh[j])
             for j in range(cell.hidden_size)]
        states.append(h)
    return states


def sequence(steps: int, size: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-1.5, 1.5) for _ in range(size)] for _ in range(steps)]


def test_forward_matches_torch_formula() -> None:
    cell = RNNCell(3, 4, seed=0)
    xs = sequence(5, 3, seed=1)
    for h0 in (None, [0.5, -0.2, 0.9, -0.7]):
        got = [[v.data for v in h] for h in unroll(cell, xs, h0)]
        want = plain_rnn(cell, xs, h0)
        for g, w in zip(got, want):
            assert g == pytest.approx(w, rel=1e-12, abs=1e-15)


def test_one_step_by_hand() -> None:
    cell = RNNCell(1, 1)
    cell.weight_ih[0][0].data, cell.weight_hh[0][0].data = 0.5, -2.0
    cell.bias_ih[0].data, cell.bias_hh[0].data = 0.25, 0.125
    h = cell([2.0], [0.5])
    assert h[0].data == pytest.approx(math.tanh(1.0 + 0.25 - 1.0 + 0.125), abs=1e-15)


def test_names_and_counts() -> None:
    cell = RNNCell(2, 3, seed=0)
    names = [n for n, _ in cell.named_parameters()]
    assert names[:3] == ["weight_ih.0.0", "weight_ih.0.1", "weight_ih.1.0"]
    assert names[6:9] == ["weight_hh.0.0", "weight_hh.0.1", "weight_hh.0.2"]
    assert names[-6:] == ["bias_ih.0", "bias_ih.1", "bias_ih.2",
                          "bias_hh.0", "bias_hh.1", "bias_hh.2"]
    assert len(names) == 3 * (2 + 3 + 2)
    assert [p.label for p in cell.parameters()] == names
    assert list(cell.state_dict()) == ["weight_ih.0", "weight_ih.1", "weight_ih.2",
                                       "weight_hh.0", "weight_hh.1", "weight_hh.2",
                                       "bias_ih", "bias_hh"]


def test_save_and_load_round_trip(tmp_path) -> None:
    cell = RNNCell(2, 3, seed=0)
    cell.save(tmp_path / "cell.json")
    other = RNNCell(2, 3, seed=1)
    other.load(tmp_path / "cell.json")
    xs = sequence(3, 2, seed=0)
    assert [v.data for v in unroll(other, xs)[-1]] == [v.data for v in unroll(cell, xs)[-1]]
    with pytest.raises(ValueError, match=r"has input_size=2, this one has input_size=3"):
        RNNCell(3, 3, seed=0).load(tmp_path / "cell.json")  # input_size 3 does not fit


def test_init_is_pytorchs_and_seeded() -> None:
    state = random.getstate()
    cell = RNNCell(3, 5, seed=4)
    assert random.getstate() == state
    bound = 1 / math.sqrt(5)
    rng = random.Random(4)
    # PyTorch draws U(-1/sqrt(hidden), 1/sqrt(hidden)) for every parameter, in order.
    assert [p.data for p in cell.parameters()] == [rng.uniform(-bound, bound)
                                                   for _ in range(5 * (3 + 5 + 2))]
    assert RNNCell(3, 5, seed=4).state_dict() == cell.state_dict()
    assert RNNCell(3, 5, seed=5).state_dict() != cell.state_dict()


def test_same_weights_at_every_step() -> None:
    cell = RNNCell(2, 3, seed=0)
    before = [id(p) for p in cell.parameters()]
    states = unroll(cell, sequence(6, 2, seed=0))
    assert [id(p) for p in cell.parameters()] == before
    for j in range(3):
        # h = tanh(Σ + b_hh): every step's Σ node holds the one tuple of unit j.
        sums = [h[j]._a._a for h in states]
        assert all(s._a is sums[0]._a for s in sums)
        assert list(sums[0]._a) == [*cell.weight_ih[j], *cell.weight_hh[j], cell.bias_ih[j]]
        assert all(h[j]._a._b is cell.bias_hh[j] for h in states)


def loss_of(states: list[list[Value]]) -> Value:
    # A loss on every step's state, each weighted differently.
    total = Value(0.0)
    for t, h in enumerate(states):
        for j, v in enumerate(h):
            total = total + (0.5 + 0.3 * t - 0.4 * j) * v + 0.2 * v * v
    return total


def test_bptt_gradients_match_finite_differences() -> None:
    cell = RNNCell(2, 3, seed=1)
    xs = sequence(5, 2, seed=2)
    loss_of(unroll(cell, xs)).backward()
    for name, p in cell.named_parameters():
        numeric = central_difference(lambda: loss_of(unroll(cell, xs)).data, p)
        assert p.grad == pytest.approx(numeric, rel=1e-5, abs=1e-7), name


def test_input_and_initial_state_gradients_pass_gradcheck() -> None:
    cell = RNNCell(2, 2, seed=3)
    xs = sequence(4, 2, seed=4)

    def f(*v: Value) -> Value:
        steps = [list(v[2 * t:2 * t + 2]) for t in range(4)]
        return loss_of(unroll(cell, steps, h0=list(v[8:])))

    assert gradcheck(f, [x for step in xs for x in step] + [0.3, -0.6])


def test_bptt_gradient_is_the_sum_of_per_step_contributions() -> None:
    cell = RNNCell(2, 3, seed=5)
    xs = sequence(5, 2, seed=6)
    states = unroll(cell, xs)
    loss_of(states).backward()
    # Untied copies: step t runs its own cell holding the same numbers. Each copy's gradient
    # is that step's contribution; together they make the tied cell's gradient.
    copies = [RNNCell(2, 3) for _ in xs]
    h = None
    untied = []
    for copy, x in zip(copies, xs):
        copy.load_state_dict(cell.state_dict())
        h = copy(x, h)
        untied.append(h)
    loss_of(untied).backward()
    for i, (name, p) in enumerate(cell.named_parameters()):
        per_step = [copy.parameters()[i].grad for copy in copies]
        assert sum(per_step) == pytest.approx(p.grad, rel=1e-12, abs=1e-15), name
    # By hand for W_ih: step t adds (d loss / d pre-activation_t) · x_t, and
    # d loss / d pre = d loss / d h · (1 - h²) (tanh's derivative).
    for j in range(3):
        pre = [h[j].grad * (1 - h[j].data ** 2) for h in states]
        for i in range(2):
            parts = [g * x[i] for g, x in zip(pre, xs)]
            assert cell.weight_ih[j][i].grad == pytest.approx(sum(parts), rel=1e-12)
            assert copies[0].weight_ih[j][i].grad == pytest.approx(parts[0], rel=1e-12)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="input_size"):
        RNNCell(2.0, 3)
    with pytest.raises(ValueError, match="hidden_size"):
        RNNCell(2, 0)
    with pytest.raises(TypeError, match="seed"):
        RNNCell(2, 3, seed=1.5)
    cell = RNNCell(2, 3, seed=0)
    before = cell.state_dict()
    with pytest.raises(ValueError, match=r"^RNNCell: x must be a list of 2 real numbers or "
                                         r"Values, got list of length 1$"):
        cell([1.0])
    with pytest.raises(ValueError, match=r"^RNNCell: h must be a list of 3 .*, got list of "
                                         r"length 1$"):
        cell([1.0, 2.0], [0.0])
    with pytest.raises(TypeError, match=r"^RNNCell: x\[1\] must be a real number or a Value, "
                                        r"got NoneType: None$"):
        cell([1.0, None])
    with pytest.raises(TypeError, match=r"x\[0\] must be a real number or a Value, got bool"):
        cell([True, 1.0])
    with pytest.raises(TypeError, match=r"^unroll: cell must be an RNNCell, got object"):
        unroll(object(), [[1.0, 2.0]])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^unroll: xs must be a non-empty list"):
        unroll(cell, [])
    with pytest.raises(ValueError, match=r"^unroll: xs\[1\] must be a list of 2 .*, got list "
                                         r"of length 1$"):
        unroll(cell, [[1.0, 2.0], [1.0]])
    with pytest.raises(TypeError, match=r"^unroll: h0\[2\] must be a real number or a Value"):
        unroll(cell, [[1.0, 2.0]], h0=[0.0, 0.0, False])
    with pytest.raises(TypeError, match=r"^unroll: xs must be a non-empty list of input "
                                        r"vectors .*, got int: 5$"):
        unroll(cell, 5)  # type: ignore[arg-type]
    assert cell.state_dict() == before
