"""nn.quantize against hand-computed examples, a brute-force nearest-level search and the
error bound |dequantize(quantize(w)) - w| <= scale / 2."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weightgrad.nn import MLP, Layer, Module
from weightgrad.nn.quantize import (
    QParams,
    dequantize,
    error_report,
    error_report_text,
    fake_quantize,
    qparams,
    quantize,
    quantize_layer,
)

FLOAT32_EPS = 2.0 ** -23  # torch.finfo(torch.float32).eps
SCHEMES = ("symmetric", "affine")
values_lists = st.lists(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
                        min_size=1, max_size=20)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-14, abs_tol=0.0)


# -- qparams and quantize: hand-computed examples ---------------------------------------------

def test_symmetric_by_hand() -> None:
    # min = -1, max = 2, so max(-min, max) = 2 and scale = 2 / ((127 - -128) / 2) = 2 / 127.5
    # = 4 / 255; zero point 0.
    qp = qparams([-1.0, 0.5, 2.0], "symmetric")
    assert close(qp.scale, 4 / 255)
    assert (qp.zero_point, qp.quant_min, qp.quant_max, qp.scheme) == (0, -128, 127, "symmetric")
    # -1 / (4/255) = -63.75 -> -64;  0.5 / (4/255) = 31.875 -> 32;
    # 2 / (4/255) = 127.5, a tie -> 128 (even) -> clamped to 127.
    assert [quantize(x, qp) for x in (-1.0, 0.5, 2.0)] == [-64, 32, 127]
    assert close(dequantize(-64, qp), -256 / 255)
    assert close(dequantize(32, qp), 128 / 255)
    # 127 * 4/255 = 508/255: 2 - 508/255 = 2/255, exactly half a level.
    assert close(dequantize(127, qp), 508 / 255)
    assert close(2.0 - dequantize(127, qp), qp.scale / 2)


def test_affine_by_hand() -> None:
    # scale = (2 - (-1)) / (255 - 0) = 3/255 = 1/85; zero_point = 0 - round(-1 / (1/85)) = 85.
    qp = qparams([-1.0, 0.5, 2.0], "affine")
    assert close(qp.scale, 1 / 85)
    assert (qp.zero_point, qp.quant_min, qp.quant_max, qp.scheme) == (85, 0, 255, "affine")
    # -1 -> round(-85) + 85 = 0;  0.5 -> round(42.5) + 85 = 42 + 85 (tie to even) = 127;
    # 2 -> round(170) + 85 = 255.  0 -> 85: zero is exact.
    assert [quantize(x, qp) for x in (-1.0, 0.5, 2.0, 0.0)] == [0, 127, 255, 85]
    assert close(dequantize(0, qp), -1.0)
    assert close(dequantize(127, qp), 42 / 85)
    assert close(dequantize(255, qp), 2.0)
    assert dequantize(85, qp) == 0.0


def test_affine_range_always_includes_zero() -> None:
    # All positive: min is taken as 0, scale = 2/255, zero_point = 0 - round(0) = 0;
    # 1.0 / (2/255) = 127.5 -> 128 (even).
    qp = qparams([0.5, 1.0, 2.0], "affine")
    assert close(qp.scale, 2 / 255) and qp.zero_point == 0
    assert [quantize(x, qp) for x in (0.5, 1.0, 2.0)] == [64, 128, 255]
    # All negative: max is taken as 0, scale = 2/255, zero_point = 0 - round(-255) = 255;
    # -1.0 -> round(-127.5) + 255 = -128 + 255 = 127.
    qp = qparams([-2.0, -1.0], "affine")
    assert close(qp.scale, 2 / 255) and qp.zero_point == 255
    assert [quantize(x, qp) for x in (-2.0, -1.0, 0.0)] == [0, 127, 255]


def test_round_half_to_even() -> None:
    one = qparams([-127.5, 1.0], "symmetric")  # scale = 127.5 / 127.5 = 1 exactly
    assert one.scale == 1.0
    ties = [0.5, 1.5, 2.5, 3.5, -0.5, -2.5, -3.5]
    assert [quantize(x, one) for x in ties] == [0, 2, 2, 4, 0, -2, -4]
    assert quantize(-127.5, one) == -128  # the tie rounds to -128, even, and in range
    half = qparams([63.75], "symmetric")  # scale = 63.75 / 127.5 = 0.5 exactly
    assert half.scale == 0.5
    assert quantize(1.25, half) == 2 and quantize(1.75, half) == 4  # 2.5 -> 2, 3.5 -> 4
    affine = qparams([0.0, 255.0], "affine")  # scale = 1, zero point 0
    assert (affine.scale, affine.zero_point) == (1.0, 0)
    assert [quantize(x, affine) for x in (2.5, 3.5)] == [2, 4]


def test_clamping() -> None:
    qp = qparams([-1.0, 1.0], "symmetric")
    assert quantize(5.0, qp) == 127 and quantize(-5.0, qp) == -128
    aff = QParams(1.0, 10, 0, 255, "affine")
    # 300 + 10 -> 255; -30 + 10 = -20 -> 0; so they come back as 245 and -10.
    assert quantize(300.0, aff) == 255 and quantize(-30.0, aff) == 0
    assert dequantize(255, aff) == 245.0 and dequantize(0, aff) == -10.0


def test_all_zero_and_all_equal_layers() -> None:
    for scheme in SCHEMES:
        qp = qparams([0.0] * 5, scheme)  # 0 / 127.5 or 0 / 255 is 0: floored at eps
        assert qp.scale == FLOAT32_EPS and qp.zero_point == 0
        assert quantize(0.0, qp) == 0 and dequantize(0, qp) == 0.0
    # Tiny equal weights: 1e-9 / 127.5 < eps, so the scale is eps; 1e-9 / eps = 0.0084 -> 0.
    tiny = qparams([1e-9] * 3, "symmetric")
    assert tiny.scale == FLOAT32_EPS and quantize(1e-9, tiny) == 0
    # 0.3 everywhere: symmetric scale 0.3/127.5; 0.3 sits at 127.5 levels -> 128 -> 127.
    sym = qparams([0.3] * 4, "symmetric")
    assert close(sym.scale, 0.3 / 127.5) and quantize(0.3, sym) == 127
    # affine: min is 0, scale 0.3/255, zero point 0, 0.3 -> 255; -0.3: zero point 255 -> 0.
    aff = qparams([0.3] * 4, "affine")
    assert close(aff.scale, 0.3 / 255) and (aff.zero_point, quantize(0.3, aff)) == (0, 255)
    neg = qparams([-0.3] * 4, "affine")
    assert neg.zero_point == 255 and quantize(-0.3, neg) == 0
    assert close(dequantize(0, neg), -0.3)


# -- properties: nearest level, error bound ---------------------------------------------------

@given(values_lists, st.sampled_from(SCHEMES))
def test_quantize_picks_the_nearest_level_within_half_a_step(values: list[float], scheme: str
                                                             ) -> None:
    qp = qparams(values, scheme)
    levels = [(k - qp.zero_point) * qp.scale for k in range(qp.quant_min, qp.quant_max + 1)]
    slack = 1e-12 * qp.scale
    for x in values:
        q = quantize(x, qp)
        assert qp.quant_min <= q <= qp.quant_max
        err = abs(dequantize(q, qp) - x)
        assert err <= qp.scale / 2 + slack
        assert err <= min(abs(level - x) for level in levels) + slack  # brute force
    assert dequantize(quantize(0.0, qp), qp) == 0.0  # zero is always exact


@given(values_lists)
def test_affine_levels_are_never_coarser_than_symmetric(values: list[float]) -> None:
    # (max+ - min-) / 255 <= 2 max(|min-|, max+) / 255.
    sym, aff = qparams(values, "symmetric"), qparams(values, "affine")
    assert aff.scale <= sym.scale * (1 + 1e-15)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("seed", range(5))
def test_every_weight_of_a_random_layer_is_within_half_a_step(scheme: str, seed: int) -> None:
    rng = random.Random(seed)
    layer = Layer(7, 9, rng=rng)
    shift = rng.uniform(-2, 2)  # off-centre layers too
    for row in layer.weight:
        for w in row:
            w.data = rng.gauss(shift, 0.5)
    ql = quantize_layer(layer, scheme, "L")
    qp = ql.qparams
    assert len(ql.q) == 9 and all(len(row) == 7 for row in ql.q)
    assert ql.bias == [b.data for b in layer.bias]
    for row, qrow in zip(layer.weight, ql.q):
        for w, q in zip(row, qrow):
            assert abs(dequantize(q, qp) - w.data) <= qp.scale / 2 * (1 + 1e-12)


# -- whole models: fake_quantize and the error report -----------------------------------------

def _model(seed: int, nin: int = 2, nouts: tuple[int, ...] = (16, 16, 1)) -> MLP:
    model = MLP(nin, list(nouts), seed=seed)
    rng = random.Random(seed + 100)
    for layer in model.layers:
        for b in layer.bias:
            b.data = rng.uniform(-0.5, 0.5)  # biases that are not all 0, to see them copied
    return model


@pytest.mark.parametrize("scheme", SCHEMES)
def test_fake_quantize_copies_and_leaves_the_original_bit_identical(scheme: str) -> None:
    model = _model(3, nin=30, nouts=(30, 2))  # 900 weights in layer 0: more than 256 levels
    before = {k: [float.hex(x) for x in v] if isinstance(v, list) else float.hex(v)
              for k, v in model.state_dict().items()}
    params = model.parameters()
    fq = fake_quantize(model, scheme)
    after = {k: [float.hex(x) for x in v] if isinstance(v, list) else float.hex(v)
             for k, v in model.state_dict().items()}
    assert after == before and model.parameters() == params
    assert fq is not model and isinstance(fq, MLP) and fq.config() == model.config()
    assert not set(map(id, fq.parameters())) & set(map(id, params))
    for layer, flayer in zip(model.layers, fq.layers):
        assert [b.data for b in flayer.bias] == [b.data for b in layer.bias]
        weights = [w.data for row in layer.weight for w in row]
        fake = [w.data for row in flayer.weight for w in row]
        assert len(set(fake)) <= 256
        qp = qparams(weights, scheme)
        for w, f in zip(weights, fake):
            k = f / qp.scale  # every fake weight is a whole number of levels from 0
            assert abs(k - round(k)) < 1e-9
            assert qp.quant_min - qp.zero_point <= round(k) <= qp.quant_max - qp.zero_point
            assert abs(f - w) <= qp.scale / 2 * (1 + 1e-12)
    assert len({w.data for row in model.layers[0].weight for w in row}) > 256


@pytest.mark.parametrize("scheme", SCHEMES)
def test_error_report_matches_an_independent_measurement(scheme: str) -> None:
    model = _model(7)
    fq = fake_quantize(model, scheme)
    report = error_report(model, scheme)
    assert list(report) == ["layers.0", "layers.1", "layers.2"]
    for i, (layer, flayer) in enumerate(zip(model.layers, fq.layers)):
        errs = [abs(f.data - w.data) for row, frow in zip(layer.weight, flayer.weight)
                for w, f in zip(row, frow)]
        r = report[f"layers.{i}"]
        assert r["n_weights"] == len(errs) and r["scheme"] == scheme
        assert close(r["max_abs_error"], max(errs))
        assert close(r["mean_abs_error"], sum(errs) / len(errs))
        assert r["half_scale"] == r["scale"] / 2 and r["within_half_scale"] is True
        if scheme == "symmetric":
            # The range is ±127.5 levels, so the largest |w| sits exactly half a level
            # from the last level it may use: the bound is reached.
            assert math.isclose(r["max_abs_error"], r["scale"] / 2, rel_tol=1e-12)
    text = error_report_text(report)
    assert all(f"layers.{i}" in text for i in range(3)) and text.count(scheme) == 3
    assert "NO" not in text


def test_all_zero_layer_in_a_model() -> None:
    model = _model(1)
    for w in (w for row in model.layers[1].weight for w in row):
        w.data = 0.0
    for scheme in SCHEMES:
        r = error_report(model, scheme)["layers.1"]
        assert (r["scale"], r["max_abs_error"], r["within_half_scale"]) == (FLOAT32_EPS, 0, True)
        assert all(w.data == 0.0 for row in fake_quantize(model, scheme).layers[1].weight
                   for w in row)


# -- errors -----------------------------------------------------------------------------------

def test_unknown_scheme_is_refused() -> None:
    model = _model(0)
    for call in (lambda: qparams([1.0], "int4"), lambda: fake_quantize(model, "int4"),
                 lambda: error_report(model, "int4"),
                 lambda: quantize_layer(model.layers[0], "int4")):
        with pytest.raises(ValueError, match="int4"):
            call()


def test_empty_and_non_finite_weights_are_refused_naming_the_layer() -> None:
    with pytest.raises(ValueError, match="empty"):
        qparams([])
    layer = Layer(2, 3, rng=random.Random(0))
    layer.neurons = []
    with pytest.raises(ValueError, match=r"layers\.1.*empty"):
        quantize_layer(layer, "symmetric", "layers.1")
    for bad in (math.nan, math.inf, -math.inf):
        model = _model(2)
        model.layers[1].neurons[2].w[3].data = bad
        before = model.state_dict()
        for scheme in SCHEMES:
            with pytest.raises(ValueError, match=r"layers\.1\.neurons\.2\.w\.3"):
                fake_quantize(model, scheme)
        after = model.state_dict()
        assert str(after) == str(before)  # nan != nan, so compare the text
        with pytest.raises(ValueError, match=rf"^qparams: values\[1\] must be a finite number, "
                                             rf"got {bad}$"):
            qparams([1.0, bad])
    with pytest.raises(ValueError, match=r"^quantize: x must be a finite number, got nan$"):
        quantize(math.nan, qparams([1.0]))


def test_wrong_types_are_refused() -> None:
    with pytest.raises(TypeError, match="number"):
        qparams([1.0, "2"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="Layer"):
        quantize_layer([[1.0]], "symmetric")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^fake_quantize: model must be an nn\.Module \(an MLP"):
        fake_quantize([[1.0]], "symmetric")  # type: ignore[type-var]
    with pytest.raises(TypeError, match=r"^error_report: model must be a Module with weights"):
        error_report(Module(), "symmetric")
