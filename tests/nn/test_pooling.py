"""MaxPool2d: values worked by hand and against a plain-float max pool written here, PyTorch's
output size, the gradient routed to each window's argmax (the first largest on a tie, as
max_pool2d's backward), finite differences away from ties, and refusals."""

from __future__ import annotations

import math

import pytest

from tests.nn.images import Grid, data, image
from weightgrad.engine import Value, gradcheck, ops
from weightgrad.nn import Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential


def plain_max_pool(x: Grid, kernel: tuple[int, int], stride: tuple[int, int]
                   ) -> tuple[Grid, list[list[list[tuple[int, int]]]]]:
    """(the pooled values, each window's argmax as (row, column) of the input): the first
    largest in row-major order, which is what torch's CPU max_pool2d records (`val > max`)."""
    (kh, kw), (sh, sw) = kernel, stride
    h_out = math.floor((len(x[0]) - kh) / sh) + 1  # torch's H_out, no padding or dilation
    w_out = math.floor((len(x[0][0]) - kw) / sw) + 1
    values, where = [], []
    for ch in x:
        vs, ws = [], []
        for r in range(h_out):
            vrow, wrow = [], []
            for c in range(w_out):
                best = None
                for i in range(kh):
                    for j in range(kw):
                        v = ch[r * sh + i][c * sw + j]
                        if best is None or v > best[0]:
                            best = (v, (r * sh + i, c * sw + j))
                vrow.append(best[0])
                wrow.append(best[1])
            vs.append(vrow)
            ws.append(wrow)
        values.append(vs)
        where.append(ws)
    return values, where


def test_hand_computed_example() -> None:
    x = [[[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 6, 7], [9, 1, 3, 2]]]
    assert data(MaxPool2d(2)(x)) == [[[5, 8], [9, 7]]]
    # stride 1: windows overlap, 3×3 outputs
    assert data(MaxPool2d(2, stride=1)(x)) == [[[5, 8, 8], [4, 8, 8], [9, 6, 7]]]
    # a 2×3 window, stride (2, 1): torch's H_out = (4 - 2) // 2 + 1 = 2, W_out = (4 - 3) + 1
    assert data(MaxPool2d((2, 3), stride=(2, 1))(x)) == [[[8, 8], [9, 7]]]


@pytest.mark.parametrize(("k", "stride", "channels", "height", "width"), [
    (2, None, 1, 6, 6), (2, 1, 2, 5, 4), (3, 2, 3, 7, 5), ((2, 3), (1, 2), 1, 4, 7),
    (1, None, 2, 3, 3), (3, None, 1, 5, 5),  # 5 // 3: the last partial window is dropped
])
def test_values_and_size_match_a_plain_max_pool(k: object, stride: object, channels: int,
                                                height: int, width: int) -> None:
    pool = MaxPool2d(k, stride)  # type: ignore[arg-type]
    x = image(channels, height, width, seed=height * width)
    out = pool(x)
    expected, _ = plain_max_pool(x, pool.kernel_size, pool.stride)
    assert data(out) == expected  # max picks one of the inputs: exactly equal
    assert pool.output_size(height, width) == (len(out[0]), len(out[0][0]))
    assert pool.stride == (pool.kernel_size if stride is None else pool.stride)


def test_stride_defaults_to_the_kernel_size_and_arguments_are_pytorchs() -> None:
    assert MaxPool2d(3).stride == (3, 3)
    assert MaxPool2d((2, 3)).stride == (2, 3)
    assert MaxPool2d([2, 2], stride=(1, 2)).stride == (1, 2)
    assert repr(MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2))"
    assert MaxPool2d(2).parameters() == []


def test_a_pooled_value_is_a_chain_of_the_catalogues_max() -> None:
    out = MaxPool2d(2)([[[1.0, 2.0], [3.0, 4.0]]])[0][0][0]
    assert out.op is ops.MAX and out.data == 4.0
    # max(max(max(x00, x01), x10), x11): three max nodes down the left operand
    depth, v = 0, out
    while v.op is ops.MAX:
        depth, v = depth + 1, v.parents[0]
    assert depth == 3 and v.data == 1.0


@pytest.mark.parametrize(("k", "stride"), [(2, None), (2, 1), ((2, 3), (1, 2))])
def test_the_gradient_goes_to_each_windows_argmax(k: object, stride: object) -> None:
    pool = MaxPool2d(k, stride)  # type: ignore[arg-type]
    x = image(2, 5, 6, seed=3)
    leaves = [[[Value(p) for p in row] for row in ch] for ch in x]
    out = pool(leaves)
    weights = {}  # a different weight for every output, so each window's share is known
    total = Value(0.0)
    for c, ch in enumerate(out):
        for r, row in enumerate(ch):
            for col, v in enumerate(row):
                weights[c, r, col] = 0.5 + 0.25 * c + 0.125 * r - 0.0625 * col
                total = total + v * weights[c, r, col]
    total.backward()
    _, where = plain_max_pool(x, pool.kernel_size, pool.stride)
    expected = [[[0.0] * 6 for _ in range(5)] for _ in range(2)]
    for (c, r, col), w in weights.items():
        i, j = where[c][r][col]
        expected[c][i][j] += w  # overlapping windows add up at a shared argmax
    assert [[[v.grad for v in row] for row in ch] for ch in leaves] == expected


def test_a_tie_sends_the_whole_gradient_to_the_first_largest() -> None:
    leaves = [[[Value(1.0), Value(3.0)], [Value(3.0), Value(3.0)]]]
    out = MaxPool2d(2)(leaves)[0][0][0]
    out.backward()
    assert out.data == 3.0
    # row-major order: (0, 1) is the first 3; torch's argmax is index 1 too
    assert [[v.grad for v in row] for row in leaves[0]] == [[0.0, 1.0], [0.0, 0.0]]


def test_gradients_pass_gradcheck_away_from_ties() -> None:
    x = image(1, 4, 4, seed=5)  # 16 distinct random numbers: no window has a tie

    def f(*v: Value) -> Value:
        grid = [[list(v[r * 4:(r + 1) * 4]) for r in range(4)]]
        total = Value(0.0)
        for k, out in enumerate(v for ch in MaxPool2d(2, 1)(grid) for row in ch for v in row):
            total = total + (out * (0.3 + 0.1 * k)).tanh()
        return total

    assert gradcheck(f, [p for row in x[0] for p in row])


def test_a_small_cnn_runs_end_to_end_and_its_every_parameter_gets_a_gradient() -> None:
    model = Sequential(Conv2d(1, 2, 3, seed=0), ReLU(), MaxPool2d(2), Flatten(),
                       Linear(2 * 3 * 3, 3, seed=1))
    logits = model(image(1, 8, 8, seed=2))
    assert len(logits) == 3
    sum(logits, Value(0.0)).backward()
    names = [n for n, _ in model.named_parameters()]
    assert names[0] == "0.weight.0.0" and names[-1] == "4.bias.2"
    assert any(p.grad != 0.0 for p in model[0].parameters())


@pytest.mark.parametrize(("x", "error", "message"), [
    ([[[1.0]]], ValueError, "MaxPool2d: x[0] must be a list of at least 2 rows (kernel_size "
     "(2, 2)), got list of length 1"),
    ([[[1.0], [2.0]]], ValueError, "MaxPool2d: x[0][0] must be a list of at least 2 real "
     "numbers or Values (kernel_size (2, 2)), got list of length 1"),
    ([], ValueError, "MaxPool2d: x must be a non-empty list of channels (lists of rows of real "
     "numbers or Values), got list of length 0"),
    ([[[1.0, 2.0], [3.0, None]]], TypeError,
     "MaxPool2d: x[0][1][1] must be a real number or a Value, got NoneType: None"),
    ([[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0]]], ValueError,
     "MaxPool2d: x[1] must be a list of 2 rows (lists of real numbers or Values), got list of "
     "length 1"),
])
def test_bad_inputs_are_refused_in_one_line(x: object, error: type, message: str) -> None:
    with pytest.raises(Exception) as info:
        MaxPool2d(2)(x)  # type: ignore[arg-type]
    assert type(info.value) is error and str(info.value) == message


@pytest.mark.parametrize(("args", "error", "message"), [
    ((0,), ValueError, "MaxPool2d: kernel_size must be an int >= 1 or a pair of them, got 0"),
    ((True,), TypeError,
     "MaxPool2d: kernel_size must be an int >= 1 or a pair of them, got bool: True"),
    ((2, (1, 0)), ValueError, "MaxPool2d: stride[1] must be an int >= 1, got 0"),
    ((2, 1.5), TypeError,
     "MaxPool2d: stride must be an int >= 1 or a pair of them, got float: 1.5"),
])
def test_bad_sizes_are_refused_in_one_line(args: tuple, error: type, message: str) -> None:
    with pytest.raises(Exception) as info:
        MaxPool2d(*args)
    assert type(info.value) is error and str(info.value) == message
