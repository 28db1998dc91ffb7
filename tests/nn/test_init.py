"""nn.init: PyTorch's gains, bounds and variances, checked against numbers derived by hand,
plus determinism, the untouched global `random` stream, in-place writes and the errors.

Statistical tests draw 200 x 300 = 60,000 values from a seeded generator. Their tolerances come
from the sampling distribution: for n iid draws the sample variance s² has relative standard
error sqrt((kurtosis - 1) / n), i.e. sqrt(2 / n) ≈ 0.58% for a normal and sqrt(0.8 / n) ≈ 0.37%
for a uniform; the sample mean has standard error σ / sqrt(n). Each check allows 5 standard
errors, so a correct initializer fails with probability below 1e-6 for any seed, while a wrong
formula (a factor of 2 or 3/2 in the variance) is far outside.
"""

from __future__ import annotations

import math
import random
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weightgrad.engine import Value
from weightgrad.nn import init
from weightgrad.nn.parameter import Parameter

SENTINEL = 123.25  # a value no initializer produces here, to see what was (not) written
ROWS, COLS = 200, 300  # fan_out = 200, fan_in = 300
N = ROWS * COLS
Z = 5.0  # standard errors allowed


def matrix(rows: int, cols: int) -> list[list[Value]]:
    return [[Value(SENTINEL) for _ in range(cols)] for _ in range(rows)]


def data(m: list[list[Value]] | list[Value]) -> list[float]:
    return [v.data for row in m for v in (row if isinstance(row, list) else [row])]


def assert_variance(xs: list[float], mean: float, var: float, kurtosis: float) -> None:
    n = len(xs)
    assert abs(statistics.fmean(xs) - mean) < Z * math.sqrt(var / n)
    rel_se = math.sqrt((kurtosis - 1.0) / n)
    assert statistics.variance(xs) == pytest.approx(var, rel=Z * rel_se)


NORMAL_KURTOSIS, UNIFORM_KURTOSIS = 3.0, 9.0 / 5.0

# -- calculate_gain ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "param", "expected"), [
    ("linear", None, 1.0), ("identity", None, 1.0), ("sigmoid", None, 1.0),
    ("conv1d", None, 1.0), ("conv2d", None, 1.0), ("conv3d", None, 1.0),
    ("conv_transpose1d", None, 1.0), ("conv_transpose2d", None, 1.0),
    ("conv_transpose3d", None, 1.0),
    ("tanh", None, 1.6666666666666667),
    ("relu", None, 1.4142135623730951),
    ("relu", 0.3, 1.4142135623730951),  # relu ignores param
    ("leaky_relu", None, math.sqrt(2 / 1.0001)),  # default slope 0.01: 1 + 0.01² = 1.0001
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
    ("leaky_relu", 0, 1.4142135623730951),  # slope 0 is relu
    ("leaky_relu", 1, 1.0),  # slope 1 is the identity
    ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)),  # 2 / (1 + 5)
    ("selu", None, 0.75),
])
def test_calculate_gain_matches_pytorch_table(name: str, param: float | None,
                                              expected: float) -> None:
    assert init.calculate_gain(name, param) == pytest.approx(expected, rel=1e-15)


def test_calculate_gain_refuses_unknown_nonlinearity_naming_it() -> None:
    with pytest.raises(ValueError, match="softplus"):
        init.calculate_gain("softplus")


@pytest.mark.parametrize(("bad", "error"), [(True, TypeError), ("0.2", TypeError),
                                            (math.nan, ValueError)])
def test_leaky_relu_gain_refuses_non_number_slope(bad: object, error: type) -> None:
    with pytest.raises(error, match=f"^calculate_gain: param must be a finite number, got "
                                    f".*{bad!r}$"):
        init.calculate_gain("leaky_relu", bad)  # type: ignore[arg-type]


# -- fans --------------------------------------------------------------------------------------


def test_fan_in_is_row_length_and_fan_out_is_row_count() -> None:
    assert init.calculate_fan_in_and_fan_out(matrix(64, 32)) == (32, 64)
    assert init.calculate_fan_in_and_fan_out(matrix(1, 5)) == (5, 1)


@given(st.integers(1, 12), st.integers(1, 12))
def test_fans_for_any_shape(rows: int, cols: int) -> None:
    assert init.calculate_fan_in_and_fan_out(matrix(rows, cols)) == (cols, rows)


# -- bounds of the uniform initializers (64 x 32: fan_in 32, fan_out 64) ------------------------


def assert_fills_bound(xs: list[float], bound: float) -> None:
    assert all(-bound <= x <= bound for x in xs)
    # P(all 2048 |x| < 0.99 bound) = 0.99^2048 ≈ 1e-9: the bound is reached, not just respected.
    assert max(abs(x) for x in xs) > 0.99 * bound
    assert min(xs) < 0 < max(xs)


@pytest.mark.parametrize(("gain", "bound"), [(1.0, 0.25), (2.0, 0.5)])
def test_xavier_uniform_bound(gain: float, bound: float) -> None:
    # sqrt(6 / (32 + 64)) = sqrt(1 / 16) = 1/4, times the gain
    m = init.xavier_uniform(matrix(64, 32), gain=gain, rng=random.Random(1))
    assert_fills_bound(data(m), bound)


@pytest.mark.parametrize(("kwargs", "bound"), [
    ({}, math.sqrt(3) / 4),  # leaky_relu, a=0: gain sqrt(2); sqrt(3) * sqrt(2) / sqrt(32)
    ({"a": math.sqrt(5)}, 1 / math.sqrt(32)),  # PyTorch Linear's default: 1 / sqrt(fan_in)
    ({"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(6) / 8),  # sqrt(3 * 2 / 64)
    ({"mode": "FAN_OUT", "nonlinearity": "relu"}, math.sqrt(6) / 8),  # any case, as PyTorch
    ({"nonlinearity": "tanh"}, 5 / 3 * math.sqrt(3 / 32)),
])
def test_kaiming_uniform_bound(kwargs: dict, bound: float) -> None:
    m = init.kaiming_uniform(matrix(64, 32), rng=random.Random(2), **kwargs)
    assert_fills_bound(data(m), bound)


@given(st.integers(1, 10), st.integers(1, 10), st.floats(0.1, 3.0), st.integers(0, 2**32))
def test_xavier_uniform_within_closed_form_bound(rows: int, cols: int, gain: float,
                                                 seed: int) -> None:
    xs = data(init.xavier_uniform(matrix(rows, cols), gain=gain, rng=random.Random(seed)))
    assert all(abs(x) <= gain * math.sqrt(6 / (rows + cols)) * (1 + 1e-12) for x in xs)


@given(st.integers(1, 10), st.integers(1, 10), st.floats(0.0, 5.0),
       st.sampled_from(["fan_in", "fan_out"]), st.integers(0, 2**32))
def test_kaiming_uniform_within_closed_form_bound(rows: int, cols: int, a: float, mode: str,
                                                  seed: int) -> None:
    fan = cols if mode == "fan_in" else rows
    xs = data(init.kaiming_uniform(matrix(rows, cols), a=a, mode=mode, rng=random.Random(seed)))
    # torch docs' form: bound = sqrt(6 / ((1 + a²) fan))
    assert all(abs(x) <= math.sqrt(6 / ((1 + a * a) * fan)) * (1 + 1e-12) for x in xs)


# -- variances on 200 x 300 ---------------------------------------------------------------------


@pytest.mark.parametrize(("gain", "var"), [(1.0, 2 / 500), (5 / 3, 25 / 9 * 2 / 500)])
def test_xavier_normal_variance(gain: float, var: float) -> None:
    m = init.xavier_normal(matrix(ROWS, COLS), gain=gain, rng=random.Random(3))
    assert_variance(data(m), 0.0, var, NORMAL_KURTOSIS)


def test_xavier_uniform_variance() -> None:
    m = init.xavier_uniform(matrix(ROWS, COLS), rng=random.Random(4))
    assert_variance(data(m), 0.0, 2 / 500, UNIFORM_KURTOSIS)


@pytest.mark.parametrize(("kwargs", "var"), [
    ({"nonlinearity": "relu"}, 2 / 300),
    ({"nonlinearity": "relu", "mode": "fan_out"}, 2 / 200),
    ({}, 2 / 300),  # default leaky_relu with a=0: gain² = 2 / (1 + 0²), relu's
    ({"a": 0.2, "mode": "fan_out"}, 2 / 1.04 / 200),
    ({"nonlinearity": "linear"}, 1 / 300),
])
def test_kaiming_normal_variance(kwargs: dict, var: float) -> None:
    m = init.kaiming_normal(matrix(ROWS, COLS), rng=random.Random(5), **kwargs)
    assert_variance(data(m), 0.0, var, NORMAL_KURTOSIS)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_uniform_variance(mode: str) -> None:
    fan = COLS if mode == "fan_in" else ROWS
    m = init.kaiming_uniform(matrix(ROWS, COLS), mode=mode, nonlinearity="relu",
                             rng=random.Random(6))
    assert_variance(data(m), 0.0, 2 / fan, UNIFORM_KURTOSIS)


def test_uniform_mean_and_variance() -> None:
    m = init.uniform(matrix(ROWS, COLS), -2.0, 3.0, rng=random.Random(7))
    xs = data(m)
    assert all(-2.0 <= x <= 3.0 for x in xs)
    assert_variance(xs, 0.5, 25 / 12, UNIFORM_KURTOSIS)  # (b - a)² / 12


def test_uniform_defaults_to_unit_interval() -> None:
    xs = data(init.uniform(matrix(ROWS, COLS), rng=random.Random(8)))
    assert all(0.0 <= x <= 1.0 for x in xs)
    assert_variance(xs, 0.5, 1 / 12, UNIFORM_KURTOSIS)


def test_normal_mean_and_variance() -> None:
    xs = data(init.normal(matrix(ROWS, COLS), mean=3.0, std=0.5, rng=random.Random(9)))
    assert_variance(xs, 3.0, 0.25, NORMAL_KURTOSIS)
    xs = data(init.normal(matrix(ROWS, COLS), rng=random.Random(10)))
    assert_variance(xs, 0.0, 1.0, NORMAL_KURTOSIS)


# -- randomness: only from rng, reproducible, in row-major order --------------------------------

RANDOM_INITS = {
    "uniform": lambda m, rng: init.uniform(m, -1.0, 1.0, rng=rng),
    "normal": lambda m, rng: init.normal(m, 0.0, 1.0, rng=rng),
    "xavier_uniform": lambda m, rng: init.xavier_uniform(m, rng=rng),
    "xavier_normal": lambda m, rng: init.xavier_normal(m, rng=rng),
    "kaiming_uniform": lambda m, rng: init.kaiming_uniform(m, rng=rng),
    "kaiming_normal": lambda m, rng: init.kaiming_normal(m, rng=rng),
}


@pytest.mark.parametrize("name", RANDOM_INITS)
def test_same_seed_same_data_different_seed_different(name: str) -> None:
    fill = RANDOM_INITS[name]
    first = data(fill(matrix(8, 6), random.Random(42)))
    assert data(fill(matrix(8, 6), random.Random(42))) == first
    other = data(fill(matrix(8, 6), random.Random(43)))
    assert other != first
    assert SENTINEL not in first + other


@pytest.mark.parametrize("name", RANDOM_INITS)
def test_global_random_state_untouched(name: str) -> None:
    random.seed(2024)
    before = random.getstate()
    RANDOM_INITS[name](matrix(8, 6), random.Random(1))
    RANDOM_INITS[name](matrix(8, 6), None)  # a fresh generator, not the global one
    assert random.getstate() == before


@pytest.mark.parametrize("name", RANDOM_INITS)
def test_unseeded_default_rng_still_random(name: str) -> None:
    a = data(RANDOM_INITS[name](matrix(8, 6), None))
    b = data(RANDOM_INITS[name](matrix(8, 6), None))
    assert a != b
    assert SENTINEL not in a


def test_draws_are_rng_uniform_and_gauss_in_row_major_order() -> None:
    m = matrix(3, 4)
    init.uniform(m, -2.0, 3.0, rng=random.Random(11))
    ref = random.Random(11)
    assert data(m) == [ref.uniform(-2.0, 3.0) for _ in range(12)]

    init.normal(m, 1.0, 0.5, rng=random.Random(12))
    ref = random.Random(12)
    assert data(m) == [ref.gauss(1.0, 0.5) for _ in range(12)]

    bound = math.sqrt(6 / (4 + 3))  # xavier: sqrt(6 / (fan_in + fan_out))
    init.xavier_uniform(m, rng=random.Random(13))
    ref = random.Random(13)
    assert data(m) == pytest.approx([ref.uniform(-bound, bound) for _ in range(12)], rel=1e-12)

    std = 1 / math.sqrt(3)  # kaiming, linear gain 1, fan_out 3
    init.kaiming_normal(m, mode="fan_out", nonlinearity="linear", rng=random.Random(14))
    ref = random.Random(14)
    assert data(m) == pytest.approx([ref.gauss(0.0, std) for _ in range(12)], rel=1e-12)


@pytest.mark.parametrize("name", ["uniform", "normal"])
def test_flat_and_matrix_forms_draw_the_same(name: str) -> None:
    m = RANDOM_INITS[name](matrix(5, 4), random.Random(15))
    flat = RANDOM_INITS[name]([Value(SENTINEL) for _ in range(20)], random.Random(15))
    assert data(m) == data(flat)


# -- in place: .data written, objects kept, argument returned -----------------------------------


@pytest.mark.parametrize("name", RANDOM_INITS)
def test_writes_data_in_place_and_returns_argument(name: str) -> None:
    params = [[Parameter(SENTINEL, label=f"w{i}{j}") for j in range(3)] for i in range(4)]
    params[1][2].requires_grad = False
    params[2][0].grad = 7.5
    rows = list(params)
    ids = [id(p) for row in params for p in row]
    out = RANDOM_INITS[name](params, random.Random(16))
    assert out is params
    assert rows == params and [id(p) for row in params for p in row] == ids
    assert all(type(p) is Parameter for row in params for p in row)
    assert params[1][2].requires_grad is False and params[2][0].grad == 7.5
    assert params[3][1].label == "w31"
    assert SENTINEL not in data(params)


def test_zeros_and_constant_on_flat_and_matrix() -> None:
    flat = [Value(SENTINEL) for _ in range(5)]
    assert init.zeros(flat) is flat
    assert data(flat) == [0.0] * 5
    m = matrix(3, 2)
    assert init.constant(m, -0.5) is m
    assert data(m) == [-0.5] * 6
    init.constant(m, 2)
    assert all(type(x) is float and x == 2.0 for x in data(m))


def test_empty_flat_sequence_is_a_no_op() -> None:
    assert init.uniform([], rng=random.Random(0)) == []
    assert init.zeros([]) == []


# -- errors, raised before anything is written --------------------------------------------------

MATRIX_INITS = ["xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal"]


@pytest.mark.parametrize("name", MATRIX_INITS)
def test_flat_vector_has_no_fans(name: str) -> None:
    flat = [Value(SENTINEL) for _ in range(6)]
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        getattr(init, name)(flat, rng=random.Random(0))
    assert data(flat) == [SENTINEL] * 6


@pytest.mark.parametrize("name", MATRIX_INITS)
def test_ragged_matrix_refused_naming_the_row(name: str) -> None:
    m = [[Value(SENTINEL)] * 3, [Value(SENTINEL)] * 3, [Value(SENTINEL)] * 2]
    with pytest.raises(ValueError, match=r"ragged.*row 2 has 2"):
        getattr(init, name)(m, rng=random.Random(0))
    assert set(data(m)) == {SENTINEL}


@pytest.mark.parametrize("name", MATRIX_INITS)
@pytest.mark.parametrize("empty", [[], [[], []]], ids=["no rows", "empty rows"])
def test_empty_matrix_refused(name: str, empty: list) -> None:
    with pytest.raises(ValueError, match="empty"):
        getattr(init, name)(empty, rng=random.Random(0))


@pytest.mark.parametrize("name", ["kaiming_uniform", "kaiming_normal"])
def test_unknown_mode_refused(name: str) -> None:
    m = matrix(2, 3)
    with pytest.raises(ValueError, match="fan_avg"):
        getattr(init, name)(m, mode="fan_avg", rng=random.Random(0))
    assert set(data(m)) == {SENTINEL}


def test_kaiming_unknown_nonlinearity_refused() -> None:
    with pytest.raises(ValueError, match="swish"):
        init.kaiming_normal(matrix(2, 3), nonlinearity="swish", rng=random.Random(0))


@pytest.mark.parametrize("bad", [[1.0, 2.0], [[Value(1.0), 2.0]], ["ab"]])
def test_non_values_refused(bad: list) -> None:
    with pytest.raises(TypeError, match="expected Values"):
        init.zeros(bad)


def test_uniform_and_normal_refuse_impossible_ranges() -> None:
    m = matrix(2, 2)
    with pytest.raises(ValueError, match=r"^uniform: a must be a finite number <= b \(-1.0\), "
                                         r"got 1.0$"):
        init.uniform(m, 1.0, -1.0, rng=random.Random(0))
    with pytest.raises(ValueError, match=r"^normal: std must be a finite number >= 0, got -1\.0$"):
        init.normal(m, std=-1.0, rng=random.Random(0))
    assert set(data(m)) == {SENTINEL}
