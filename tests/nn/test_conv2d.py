"""Conv2d: PyTorch's shapes, names and init, values against a plain-float convolution written
here and against numbers worked by hand, gradients against finite differences, the shared
kernel (one tuple per output channel), and refusals that change nothing."""

from __future__ import annotations

import math
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.finite import central_difference
from tests.nn.images import Grid, data, image
from weightgrad.engine import Value, gradcheck
from weightgrad.engine.ops import WSUM
from weightgrad.nn import Conv2d, draw_weights

SVG = "{http://www.w3.org/2000/svg}"


def plain_conv2d(x: Grid, weight: list[Grid], bias: list[float], stride: tuple[int, int],
                 padding: tuple[int, int]) -> Grid:
    """out[o][r][c] = bias[o] + Σ_ch Σ_i Σ_j weight[o][ch][i][j] · xpad[ch][r·sh + i][c·sw + j],
    in floats, the definition of torch.nn.Conv2d (cross-correlation, zero padding)."""
    (sh, sw), (ph, pw) = stride, padding
    height, width = len(x[0]), len(x[0][0])
    xpad = [[[0.0] * (width + 2 * pw) for _ in range(ph)]
            + [[0.0] * pw + list(row) + [0.0] * pw for row in ch]
            + [[0.0] * (width + 2 * pw) for _ in range(ph)] for ch in x]
    kh, kw = len(weight[0][0]), len(weight[0][0][0])
    # PyTorch's H_out and W_out (dilation 1), written with floor as the documentation does
    h_out = math.floor((height + 2 * ph - kh) / sh) + 1
    w_out = math.floor((width + 2 * pw - kw) / sw) + 1
    return [[[bias[o] + sum(weight[o][ch][i][j] * xpad[ch][r * sh + i][c * sw + j]
                            for ch in range(len(x)) for i in range(kh) for j in range(kw))
              for c in range(w_out)] for r in range(h_out)] for o in range(len(weight))]


def floats(conv: Conv2d) -> tuple[list[Grid], list[float]]:
    kernels = [[[[p.data for p in row] for row in ch] for ch in conv.kernel(o)]
               for o in range(conv.out_channels)]
    return kernels, [b.data for b in conv.bias] if conv.bias else [0.0] * conv.out_channels


def set_kernel(conv: Conv2d, o: int, kernel: Grid, bias: float) -> None:
    for ch, rows in zip(conv.kernel(o), kernel):
        for ps, ws in zip(ch, rows):
            for p, w in zip(ps, ws):
                p.data = w
    if conv.bias:
        conv.bias[o].data = bias


def test_hand_computed_example() -> None:
    conv = Conv2d(1, 1, 2)
    set_kernel(conv, 0, [[[1.0, 0.0], [0.0, -1.0]]], 0.5)  # top-left minus bottom-right
    x = [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    # 1 - 5 + 0.5, 2 - 6 + 0.5; 4 - 8 + 0.5, 5 - 9 + 0.5
    assert data(conv(x)) == [[[-3.5, -3.5], [-3.5, -3.5]]]
    padded = Conv2d(1, 1, 2, stride=2, padding=1)
    padded.load_state_dict(conv.state_dict())
    # xpad is 5×5 with the image in the middle; windows start at rows/columns 0 and 2:
    # (0,0): 0 - 1; (0,2): 0 - 3; (2,0): 0 - 7; (2,2): 5 - 9; each + 0.5
    assert data(padded(x)) == [[[-0.5, -2.5], [-6.5, -3.5]]]


def test_two_channels_and_a_rectangular_kernel_by_hand() -> None:
    conv = Conv2d(2, 1, (1, 2), bias=False)
    set_kernel(conv, 0, [[[1.0, 2.0]], [[-1.0, 0.5]]], 0.0)
    x = [[[1, 2, 3]], [[4, 5, 6]]]
    # (1·1 + 2·2) + (-1·4 + 0.5·5) = 3.5; (2 + 6) + (-5 + 3) = 6
    assert data(conv(x)) == [[[3.5, 6.0]]]


@pytest.mark.parametrize(("cin", "cout", "k", "stride", "padding", "height", "width"), [
    (1, 1, 3, 1, 0, 6, 6), (2, 3, 3, 1, 1, 5, 7), (1, 2, (2, 3), (2, 1), (0, 1), 6, 5),
    (3, 1, 2, 3, 2, 4, 4), (1, 2, (3, 1), 2, (1, 0), 3, 4), (2, 1, 1, 1, 0, 2, 3),
    (1, 1, 3, 4, 1, 3, 3), (1, 1, 5, 1, 2, 1, 1),
])
def test_output_matches_plain_float_convolution(cin: int, cout: int, k: object, stride: object,
                                                padding: object, height: int, width: int
                                                ) -> None:
    conv = Conv2d(cin, cout, k, stride=stride, padding=padding, seed=1)  # type: ignore[arg-type]
    x = image(cin, height, width, seed=2)
    out = conv(x)
    expected = plain_conv2d(x, *floats(conv), conv.stride, conv.padding)
    assert len(out) == cout
    assert conv.output_size(height, width) == (len(out[0]), len(out[0][0]))
    for got, want in zip(data(out), expected):
        assert [len(row) for row in got] == [len(row) for row in want]
        for row, wrow in zip(got, want):
            assert row == pytest.approx(wrow, rel=1e-12, abs=1e-12)


def test_int_or_pair_arguments_are_pytorchs() -> None:
    conv = Conv2d(1, 2, 3, stride=(2, 1), padding=[0, 1], seed=0)
    assert (conv.kernel_size, conv.stride, conv.padding) == ((3, 3), (2, 1), (0, 1))
    # torch: H_out = (7 + 0 - 3) // 2 + 1 = 3, W_out = (5 + 2 - 3) // 1 + 1 = 5
    assert conv.output_size(7, 5) == (3, 5)
    assert repr(conv) == "Conv2d(1, 2, kernel_size=(3, 3), stride=(2, 1), padding=(0, 1))"
    assert repr(Conv2d(3, 4, 2, bias=False)) == ("Conv2d(3, 4, kernel_size=(2, 2), "
                                                "stride=(1, 1), bias=False)")


def test_each_position_is_one_sigma_node_sharing_its_channels_kernel_tuple() -> None:
    conv = Conv2d(2, 3, 2, padding=1, seed=0)
    out = conv(image(2, 4, 5, seed=0))
    for o, ch in enumerate(out):
        nodes = [v for row in ch for v in row]
        assert all(v.op is WSUM for v in nodes)
        assert all(v._a is nodes[0]._a for v in nodes)  # the same tuple object
        assert list(nodes[0]._a) == [*conv.weight[o], conv.bias[o]]
    assert len({id(ch[0][0]._a) for ch in out}) == 3


def test_names_order_state_dict_and_kernel_layout() -> None:
    conv = Conv2d(2, 2, (2, 3), seed=0)
    names = [n for n, _ in conv.named_parameters()]
    assert names[:3] == ["weight.0.0", "weight.0.1", "weight.0.2"]
    assert names[11:13] == ["weight.0.11", "weight.1.0"]  # 2·2·3 weights a channel
    assert names[-2:] == ["bias.0", "bias.1"] and len(names) == 2 * (2 * 2 * 3 + 1)
    assert [p.label for p in conv.parameters()] == names
    # torch's weight[o][c][i][j] is weight.o.((c·kh + i)·kw + j)
    assert conv.kernel(1)[1][0][2] is conv.weight[1][(1 * 2 + 0) * 3 + 2]
    assert list(conv.state_dict()) == ["weight.0", "weight.1", "bias"]
    groups = [(m, g.name, g.shape) for m, g in conv.weight_groups()]
    assert groups == [("", "weight", (2, 2, 2, 3)), ("", "bias", (2,))]


def test_without_bias_there_is_no_bias_parameter() -> None:
    conv = Conv2d(1, 2, 2, bias=False, seed=3)
    assert conv.bias is None and len(conv.parameters()) == 8
    assert list(conv.state_dict()) == ["weight.0", "weight.1"]
    assert [g.name for _, g in conv.weight_groups()] == ["weight"]
    x = image(1, 3, 3, seed=4)
    for got, want in zip(data(conv(x)), plain_conv2d(x, *floats(conv), (1, 1), (0, 0))):
        for row, wrow in zip(got, want, strict=True):
            assert row == pytest.approx(wrow, rel=1e-12, abs=1e-12)


def test_init_is_pytorchs_default_and_seeded() -> None:
    state = random.getstate()
    conv = Conv2d(3, 8, (2, 3), seed=3)
    assert random.getstate() == state
    fan_in = 3 * 2 * 3
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=√5) = U(-1/√fan_in, 1/√fan_in)
    ws = [p.data for row in conv.weight for p in row]
    rng = random.Random(3)  # weights row by row, then the biases: PyTorch's order
    assert ws == pytest.approx([rng.uniform(-bound, bound) for _ in range(8 * fan_in)],
                               rel=1e-14)
    assert [b.data for b in conv.bias] == pytest.approx(
        [rng.uniform(-bound, bound) for _ in range(8)], rel=1e-14)
    assert Conv2d(3, 8, (2, 3), seed=3).state_dict() == conv.state_dict()
    assert Conv2d(3, 8, (2, 3), seed=4).state_dict() != conv.state_dict()


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    conv = Conv2d(2, 3, 2, stride=2, padding=1, seed=0)
    conv.save(tmp_path / "conv.json")
    other = Conv2d(2, 3, 2, stride=2, padding=1, seed=1)
    other.load(tmp_path / "conv.json")
    assert other.state_dict() == conv.state_dict()
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2d(2, 3, 3, seed=0).load(tmp_path / "conv.json")  # a 3×3 kernel does not fit


def loss_of(out: list) -> Value:
    # Nonlinear and different at every position, so every weight gets a distinct gradient.
    total = Value(0.0)
    for o, ch in enumerate(out):
        for r, row in enumerate(ch):
            for c, v in enumerate(row):
                total = total + (v * (0.3 + 0.1 * r - 0.07 * c - 0.2 * o)).tanh() ** 2
    return total


@pytest.mark.parametrize(("k", "stride", "padding"), [(2, 1, 0), ((3, 2), (2, 1), 1)])
def test_weight_gradients_match_finite_differences(k: object, stride: object,
                                                   padding: object) -> None:
    conv = Conv2d(2, 2, k, stride=stride, padding=padding, seed=7)  # type: ignore[arg-type]
    x = image(2, 4, 5, seed=8)
    loss_of(conv(x)).backward()
    for name, p in conv.named_parameters():
        numeric = central_difference(lambda: loss_of(conv(x)).data, p)
        assert p.grad == pytest.approx(numeric, rel=1e-5, abs=1e-7), name


def test_input_gradients_pass_gradcheck() -> None:
    conv = Conv2d(2, 2, 2, stride=(1, 2), padding=1, seed=9)
    x = image(2, 3, 3, seed=10)

    def f(*v: Value) -> Value:
        return loss_of(conv([[list(v[c * 9 + r * 3:c * 9 + r * 3 + 3]) for r in range(3)]
                             for c in range(2)]))

    assert gradcheck(f, [p for ch in x for row in ch for p in row])


def test_kernel_gradient_is_the_sum_over_positions() -> None:
    conv = Conv2d(1, 1, 2, seed=11)
    x = image(1, 4, 4, seed=12)
    out = conv(x)
    loss_of(out).backward()
    # By hand: d loss / d w[i][j] = Σ_r Σ_c (d loss / d out[r][c]) · x[r + i][c + j]
    for i in range(2):
        for j in range(2):
            terms = [v.grad * x[0][r + i][c + j] for r, row in enumerate(out[0])
                     for c, v in enumerate(row)]
            assert conv.kernel(0)[0][i][j].grad == pytest.approx(sum(terms), rel=1e-12)


def test_draw_weights_draws_one_square_per_parameter_named_after_it() -> None:
    conv = Conv2d(2, 3, 2, seed=0)
    root = ET.fromstring(draw_weights(conv).svg)
    drawn = {rect.find(f"{SVG}title").text.split(" = ")[0]: rect.get("class")
             for rect in root.iter(f"{SVG}rect") if rect.get("class") != "background"}
    assert drawn == {n: "bias" if n.startswith("bias") else "weight"
                     for n, _ in conv.named_parameters()}
    assert "weight (3, 2, 2, 2), bias (3,)" in draw_weights(conv).svg  # torch's shapes


def snapshot(conv: Conv2d) -> list:
    return [(n, p.data, p.grad, p.requires_grad) for n, p in conv.named_parameters()]


@pytest.mark.parametrize(("x", "error", "message"), [
    ([[[1.0, 2.0], [3.0, 4.0]]], ValueError,
     "Conv2d: x must be a list of 2 channels (lists of rows of real numbers or Values), got "
     "list of length 1"),
    ([[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0]]], ValueError,
     "Conv2d: x[1] must be a list of 2 rows (lists of real numbers or Values), got list of "
     "length 1"),
    ([[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0]]], ValueError,
     "Conv2d: x[1][1] must be a list of 2 real numbers or Values, got list of length 1"),
    ([[[1.0, 2.0]], [[1.0, 2.0]]], ValueError,
     "Conv2d: x[0] must be a list of at least 2 rows (kernel_size (2, 2), padding (0, 0)), "
     "got list of length 1"),
    ([[[1.0], [2.0]], [[1.0], [2.0]]], ValueError,
     "Conv2d: x[0][0] must be a list of at least 2 real numbers or Values (kernel_size "
     "(2, 2), padding (0, 0)), got list of length 1"),
    ([[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, "a"]]], TypeError,
     "Conv2d: x[1][1][1] must be a real number or a Value, got str: 'a'"),
    ([[[1.0, 2.0], [3.0, True]], [[1.0, 2.0], [3.0, 4.0]]], TypeError,
     "Conv2d: x[0][1][1] must be a real number or a Value, got bool: True"),
    ([[1.0, 2.0], [3.0, 4.0]], TypeError,  # one image without its channel level
     "Conv2d: x[0][0] must be a list of real numbers or Values, got float: 1.0"),
    ("ab", TypeError, "Conv2d: x must be a list of 2 channels (lists of rows of real numbers "
     "or Values), got str: 'ab'"),
])
def test_bad_inputs_are_refused_in_one_line_and_change_nothing(x: object, error: type,
                                                               message: str) -> None:
    conv = Conv2d(2, 1, 2, seed=0)
    loss_of(conv(image(2, 3, 3, seed=1))).backward()  # grads to keep
    before = snapshot(conv)
    with pytest.raises(Exception) as info:
        conv(x)  # type: ignore[arg-type]
    assert type(info.value) is error and str(info.value) == message
    assert snapshot(conv) == before


def test_padding_lets_a_small_image_through() -> None:
    # 1×1 image, 3×3 kernel, padding 1: torch's output is 1×1, the kernel's centre weight
    conv = Conv2d(1, 1, 3, padding=1, seed=0)
    out = conv([[[2.0]]])
    assert data(out) == [[[2.0 * conv.kernel(0)[0][1][1].data + conv.bias[0].data]]]


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"kernel_size": (2, True)}, TypeError,
     "Conv2d: kernel_size[1] must be an int >= 1, got bool: True"),
    ({"kernel_size": (1, 2, 3)}, ValueError,
     "Conv2d: kernel_size must be an int >= 1 or a pair of them, got tuple of length 3"),
    ({"kernel_size": 2.0}, TypeError,
     "Conv2d: kernel_size must be an int >= 1 or a pair of them, got float: 2.0"),
    ({"kernel_size": "3"}, TypeError,
     "Conv2d: kernel_size must be an int >= 1 or a pair of them, got str: '3'"),
    ({"kernel_size": 3, "stride": (0, 1)}, ValueError,
     "Conv2d: stride[0] must be an int >= 1, got 0"),
    ({"kernel_size": 3, "padding": -1}, ValueError,
     "Conv2d: padding must be an int >= 0 or a pair of them, got -1"),
])
def test_bad_sizes_are_refused_in_one_line(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(Exception) as info:
        Conv2d(1, 1, **kwargs)
    assert type(info.value) is error and str(info.value) == message
