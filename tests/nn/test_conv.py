"""Conv1d: PyTorch's shapes and init, values against a plain-float convolution, gradients
against finite differences, and the shared kernel whose gradient is a sum over positions."""

from __future__ import annotations

import math
import random

import pytest

from tests.finite import central_difference
from weightgrad.engine import Value, gradcheck, no_grad
from weightgrad.engine.ops import WSUM
from weightgrad.nn.conv import Conv1d


def plain_conv(x: list[list[float]], weight: list[list[list[float]]], bias: list[float],
               stride: int, padding: int) -> list[list[float]]:
    """out[o][t] = bias[o] + Σ_c Σ_k weight[o][c][k] · xpad[c][t·stride + k], in floats."""
    xpad = [[0.0] * padding + list(ch) + [0.0] * padding for ch in x]
    k = len(weight[0][0])
    n_out = (len(x[0]) + 2 * padding - k) // stride + 1  # PyTorch's L_out (dilation 1)
    return [[bias[o] + sum(weight[o][c][j] * xpad[c][t * stride + j]
                           for c in range(len(x)) for j in range(k))
             for t in range(n_out)] for o in range(len(weight))]


def floats(conv: Conv1d) -> tuple[list[list[list[float]]], list[float]]:
    return ([[[p.data for p in row] for row in conv.kernel(o)] for o in range(conv.out_channels)],
            [b.data for b in conv.bias])


def signal(channels: int, length: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2) for _ in range(length)] for _ in range(channels)]


def test_hand_computed_example() -> None:
    conv = Conv1d(1, 1, 3)
    for p, w in zip(conv.weight[0], [1.0, 0.0, -1.0]):
        p.data = w
    conv.bias[0].data = 0.5
    out = conv([[1, 2, 3, 4]])
    # [1 - 3 + 0.5, 2 - 4 + 0.5]
    assert [v.data for v in out[0]] == [-1.5, -1.5]
    padded = Conv1d(1, 1, 3, padding=1)
    padded.load_state_dict(conv.state_dict())
    # zero padding: [0 - 2, 1 - 3, 2 - 4, 3 - 0] + 0.5
    assert [v.data for v in padded([[1, 2, 3, 4]])[0]] == [-1.5, -1.5, -1.5, 3.5]


@pytest.mark.parametrize(("cin", "cout", "k", "stride", "padding", "length"), [
    (1, 1, 3, 1, 0, 10), (2, 3, 3, 1, 1, 7), (2, 2, 4, 2, 0, 9), (3, 1, 2, 3, 2, 8),
    (1, 2, 5, 2, 2, 5), (2, 1, 1, 1, 0, 4), (1, 1, 3, 4, 1, 3),
])
def test_output_matches_plain_float_convolution(cin: int, cout: int, k: int, stride: int,
                                                padding: int, length: int) -> None:
    conv = Conv1d(cin, cout, k, stride=stride, padding=padding, seed=1)
    x = signal(cin, length, seed=2)
    out = conv(x)
    expected = plain_conv(x, *floats(conv), stride, padding)
    assert len(out) == cout
    assert [len(row) for row in out] == [math.floor((length + 2 * padding - k) / stride) + 1] * cout
    assert conv.output_length(length) == len(out[0])
    for row, want in zip(out, expected):
        assert [v.data for v in row] == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_each_position_is_one_sigma_node_sharing_its_channels_kernel_tuple() -> None:
    conv = Conv1d(2, 3, 3, stride=1, padding=1, seed=0)
    out = conv(signal(2, 12, seed=0))
    for o, row in enumerate(out):
        assert all(v.op is WSUM for v in row)
        assert all(v._a is row[0]._a for v in row)  # the same tuple object, not equal copies
        assert list(row[0]._a) == [*conv.weight[o], conv.bias[o]]
    assert len({id(row[0]._a) for row in out}) == 3


def test_parameter_count_is_independent_of_length() -> None:
    conv = Conv1d(3, 4, 5, seed=0)
    before = [id(p) for p in conv.parameters()]
    assert len(before) == 4 * (3 * 5 + 1)
    for length in (5, 17, 60):
        out = conv(signal(3, length, seed=length))
        assert len(out[0]) == length - 4
        assert [id(p) for p in conv.parameters()] == before


def test_save_and_load_round_trip(tmp_path) -> None:
    conv = Conv1d(2, 3, 2, stride=2, padding=1, seed=0)
    conv.save(tmp_path / "conv.json")
    other = Conv1d(2, 3, 2, stride=2, padding=1, seed=1)
    other.load(tmp_path / "conv.json")
    assert other.state_dict() == conv.state_dict()
    with pytest.raises(ValueError, match=r"has kernel_size=2, this one has kernel_size=3"):
        Conv1d(2, 3, 3, seed=0).load(tmp_path / "conv.json")  # kernel 3 does not fit


def test_names_order_and_state_dict() -> None:
    conv = Conv1d(2, 2, 3, seed=0)
    names = [n for n, _ in conv.named_parameters()]
    assert names[:7] == ["weight.0.0", "weight.0.1", "weight.0.2", "weight.0.3", "weight.0.4",
                         "weight.0.5", "weight.1.0"]
    assert names[-2:] == ["bias.0", "bias.1"] and len(names) == 14
    assert [p.label for p in conv.parameters()] == names
    assert conv.kernel(1)[1][2] is conv.weight[1][1 * 3 + 2]  # (channel, tap) order
    sd = conv.state_dict()
    assert list(sd) == ["weight.0", "weight.1", "bias"]
    other = Conv1d(2, 2, 3, seed=5)
    other.load_state_dict(sd)
    x = signal(2, 6, seed=3)
    assert [v.data for v in other(x)[1]] == [v.data for v in conv(x)[1]]


def test_init_is_pytorchs_default_and_seeded() -> None:
    state = random.getstate()
    conv = Conv1d(4, 8, 5, seed=3)
    assert random.getstate() == state
    bound = 1 / math.sqrt(4 * 5)  # kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fan_in), ...)
    ws = [p.data for row in conv.weight for p in row]
    bs = [p.data for p in conv.bias]
    assert all(-bound <= w <= bound for w in ws + bs)
    assert max(abs(w) for w in ws) > 0.9 * bound  # 160 draws fill the range
    # Weights first, row by row, then biases: the order PyTorch draws them in.
    rng = random.Random(3)
    # (approx: nn.init reaches the bound as sqrt(3)·gain/sqrt(fan_in), one ulp from 1/sqrt(20))
    assert ws == pytest.approx([rng.uniform(-bound, bound) for _ in range(160)], rel=1e-14)
    assert bs == pytest.approx([rng.uniform(-bound, bound) for _ in range(8)], rel=1e-14)
    assert Conv1d(4, 8, 5, seed=3).state_dict() == conv.state_dict()
    assert Conv1d(4, 8, 5, seed=4).state_dict() != conv.state_dict()


def loss_of(out: list[list[Value]]) -> Value:
    # Nonlinear and different at every position, so every weight gets a distinct gradient.
    total = Value(0.0)
    for o, row in enumerate(out):
        for t, v in enumerate(row):
            total = total + (v * (0.3 + 0.1 * t - 0.2 * o)).tanh() ** 2
    return total


@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (2, 1), (1, 2)])
def test_weight_gradients_match_finite_differences(stride: int, padding: int) -> None:
    conv = Conv1d(2, 2, 3, stride=stride, padding=padding, seed=7)
    x = signal(2, 7, seed=8)
    loss_of(conv(x)).backward()
    for name, p in conv.named_parameters():
        numeric = central_difference(lambda: loss_of(conv(x)).data, p)
        assert p.grad == pytest.approx(numeric, rel=1e-5, abs=1e-7), name


def test_input_gradients_pass_gradcheck() -> None:
    conv = Conv1d(2, 2, 3, stride=2, padding=1, seed=9)
    x = signal(2, 6, seed=10)

    def f(*v: Value) -> Value:
        return loss_of(conv([list(v[:6]), list(v[6:])]))

    assert gradcheck(f, x[0] + x[1])


def test_kernel_gradient_is_the_sum_of_per_position_contributions() -> None:
    conv = Conv1d(2, 2, 3, stride=2, padding=1, seed=11)
    x = signal(2, 9, seed=12)
    out = conv(x)
    conv.zero_grad()
    loss_of(out).backward()
    xpad = [[0.0, *ch, 0.0] for ch in x]
    # By hand: d loss / d w[o][c][k] = Σ_t (d loss / d out[o][t]) · xpad[c][2t + k].
    for o in range(2):
        for c in range(2):
            for k in range(3):
                terms = [v.grad * xpad[c][2 * t + k] for t, v in enumerate(out[o])]
                assert conv.kernel(o)[c][k].grad == pytest.approx(sum(terms), rel=1e-12)
    # With separate copies: each copy's loss keeps one position's terms; the copies' weight
    # gradients add up to the shared kernel's.
    copies = []
    for t in range(len(out[0])):
        copy = Conv1d(2, 2, 3, stride=2, padding=1)
        copy.load_state_dict(conv.state_dict())
        rows = copy(x)
        total = Value(0.0)
        for o, row in enumerate(rows):
            total = total + (row[t] * (0.3 + 0.1 * t - 0.2 * o)).tanh() ** 2
        total.backward()
        copies.append(copy)
    for i, p in enumerate(conv.parameters()):
        per_position = [copy.parameters()[i].grad for copy in copies]
        assert sum(per_position) == pytest.approx(p.grad, rel=1e-12, abs=1e-15)
        assert sum(g != 0.0 for g in per_position) >= 3  # used at several positions


def test_no_grad_builds_no_graph() -> None:
    conv = Conv1d(1, 1, 2, seed=0)
    with no_grad():
        out = conv([[1.0, 2.0, 3.0]])
    assert all(v.is_leaf for v in out[0])


@pytest.mark.parametrize(("args", "kwargs", "error", "words"), [
    ((1.5, 1, 3), {}, TypeError, "in_channels"),
    ((1, "2", 3), {}, TypeError, "out_channels"),
    ((1, 1, True), {}, TypeError, "kernel_size"),
    ((0, 1, 3), {}, ValueError, "in_channels"),
    ((1, 0, 3), {}, ValueError, "out_channels"),
    ((1, 1, 0), {}, ValueError, "kernel_size"),
    ((1, 1, 3), {"stride": 0}, ValueError, "stride"),
    ((1, 1, 3), {"padding": -1}, ValueError, "padding"),
    ((1, 1, 3), {"padding": 1.0}, TypeError, "padding"),
    ((1, 1, 3), {"seed": "x"}, TypeError, "seed"),
])
def test_bad_sizes_are_refused(args: tuple, kwargs: dict, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        Conv1d(*args, **kwargs)


@pytest.mark.parametrize(("x", "error", "words"), [
    ([[1.0, 2.0, 3.0]], ValueError, r"^Conv1d: x must be a list of 2 channels .*, "
                                    r"got list of length 1$"),
    ([[1.0, 2.0, 3.0], [1.0, 2.0]], ValueError,
     r"x\[1\] must be a list of 3 real numbers or Values, got list of length 2"),
    ([[1.0], [2.0]], ValueError, r"x\[0\] must be a list of at least 2 real numbers or Values "
                                 r"\(kernel_size 2, padding 0\), got list of length 1"),
    ([[], []], ValueError, r"x\[0\] must be a list of at least 2 .*, got list of length 0"),
    ([[1.0, 2.0, 3.0], [1.0, "a", 3.0]], TypeError,
     r"^Conv1d: x\[1\]\[1\] must be a real number or a Value, got str: 'a'$"),
    ([[1.0, 2.0, 3.0], [1.0, True, 3.0]], TypeError,
     r"^Conv1d: x\[1\]\[1\] must be a real number or a Value, got bool: True$"),
    ([1.0, 2.0], TypeError, r"x\[0\] must be a list of real numbers or Values, got float: 1.0"),
    ("ab", TypeError, "x must be a list of 2 channels"),
])
def test_bad_inputs_are_refused(x: object, error: type, words: str) -> None:
    conv = Conv1d(2, 1, 2, seed=0)
    before = conv.state_dict()
    with pytest.raises(error, match=words):
        conv(x)
    assert conv.state_dict() == before
