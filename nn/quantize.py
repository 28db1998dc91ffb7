"""Int8 weight quantization, one scale per layer, with PyTorch's formulas.

Each layer's weights become 8-bit integers q plus two numbers, a `scale` and a `zero_point`,
so that w ≈ (q - zero_point) * scale. Two schemes, as torch.ao.quantization names them:

- "symmetric" (per_tensor_symmetric, dtype qint8, q in -128..127, zero_point 0): the grid
  is centred on 0, PyTorch's default for weights.
- "affine" (per_tensor_affine, dtype quint8, q in 0..255): the grid spans [min, max] and
  zero_point shifts it; quint8 0..255 is PyTorch's default activation dtype. Its scale is
  never larger than the symmetric one, so it wastes fewer levels on a lopsided layer.

qparams follow MinMaxObserver._calculate_qparams (torch/ao/quantization/observer.py): the
range always includes 0, the scale is floored at float32 machine epsilon. quantize and
dequantize follow torch.quantize_per_tensor / torch.fake_quantize_per_tensor_affine:
q = clamp(nearbyint(x / scale) + zero_point), round half to even. Biases stay float, as in
PyTorch's dynamic and weight-only quantization.

Symmetric divides max|w| by (127 - (-128)) / 2 = 127.5, so the largest weight sits exactly
half a level beyond the last one it may use (127 or -128): its error is scale / 2, the bound
met exactly. Variants PyTorch also has and this module leaves out: symmetric on quint8
(zero point 128), `reduce_range` (7-bit ranges), the -127..127 weight observer, per-channel.

Differences from PyTorch, all in the last bits: numbers are Python floats (float64), where
PyTorch keeps scale in float32 and multiplies by a float32 1/scale; we divide by the scale,
so hand-computed ties such as x / scale = 2.5 stay exact ties.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from .layers import MLP, Layer

# torch.finfo(torch.float32).eps, MinMaxObserver's default floor for the scale: an
# all-zero layer gets a tiny scale instead of a division by zero.
EPS = 1.1920928955078125e-07
SCHEMES: dict[str, tuple[int, int]] = {"symmetric": (-128, 127), "affine": (0, 255)}
# Float slack for "error <= scale / 2": rounding in x / scale and (q - zp) * scale is about
# 1e-14 of the scale; 1e-12 of it is room enough and still far below anything visible.
SLACK = 1e-12


class QParams(NamedTuple):
    """How one layer maps floats to integers: w ≈ (q - zero_point) * scale."""

    scale: float
    zero_point: int
    quant_min: int
    quant_max: int
    scheme: str


class QuantizedLayer(NamedTuple):
    """A layer's weights as integers (one row per neuron), its qparams and its float biases."""

    name: str
    q: list[list[int]]
    qparams: QParams
    bias: list[float]

    def dequantized(self) -> list[list[float]]:
        return [[dequantize(q, self.qparams) for q in row] for row in self.q]


def _scheme(scheme: str) -> tuple[int, int]:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown quantization scheme {scheme!r}; "
                         f"choose one of {', '.join(SCHEMES)}")
    return SCHEMES[scheme]


def qparams(values: Sequence[float], scheme: str = "symmetric", name: str = "values"
            ) -> QParams:
    """Scale and zero point for `values`, as MinMaxObserver computes them."""
    quant_min, quant_max = _scheme(scheme)
    values = list(values)
    if not values:
        raise ValueError(f"{name}: cannot quantize an empty set of weights")
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"{name}[{i}]: expected a number, got {type(v).__name__} {v!r}")
        if not math.isfinite(v):
            raise ValueError(f"{name}[{i}]: cannot quantize a non-finite weight {v!r}")
    # The range always includes 0, so that 0 (a pruned weight, padding) is exact.
    min_neg, max_pos = min(min(values), 0.0), max(max(values), 0.0)
    if scheme == "symmetric":
        scale = max(-min_neg, max_pos) / ((quant_max - quant_min) / 2)
        return QParams(max(scale, EPS), 0, quant_min, quant_max, scheme)
    scale = max((max_pos - min_neg) / (quant_max - quant_min), EPS)
    zero_point = quant_min - round(min_neg / scale)  # round: half to even, as torch.round
    zero_point = min(max(zero_point, quant_min), quant_max)
    return QParams(scale, zero_point, quant_min, quant_max, scheme)


def quantize(x: float, qp: QParams) -> int:
    """clamp(round_half_even(x / scale) + zero_point, quant_min, quant_max)."""
    if not math.isfinite(x):
        raise ValueError(f"cannot quantize a non-finite number {x!r}")
    # Python's round() on a float rounds half to even, like C's nearbyint in PyTorch.
    return min(max(round(x / qp.scale) + qp.zero_point, qp.quant_min), qp.quant_max)


def dequantize(q: int, qp: QParams) -> float:
    """(q - zero_point) * scale: the float the integer stands for."""
    return (q - qp.zero_point) * qp.scale


def quantize_layer(layer: Layer, scheme: str = "symmetric", name: str = "layer"
                   ) -> QuantizedLayer:
    """One layer's weights as integers with one scale and zero point for the whole layer."""
    if not isinstance(layer, Layer):
        raise TypeError(f"{name}: expected a Layer, got {type(layer).__name__}")
    rows = [[w.data for w in row] for row in layer.weight]
    for j, row in enumerate(rows):
        for k, w in enumerate(row):
            if not math.isfinite(w):  # name the weight, as load_state_dict does
                raise ValueError(f"{name}.neurons.{j}.w.{k}: cannot quantize a non-finite "
                                 f"weight {w!r}")
    qp = qparams([w for row in rows for w in row], scheme, name)
    return QuantizedLayer(name, [[quantize(w, qp) for w in row] for row in rows], qp,
                          [b.data for b in layer.bias])


def _check_model(model: MLP, scheme: str) -> None:
    _scheme(scheme)
    if not isinstance(model, MLP):
        raise TypeError(f"expected an MLP, got {type(model).__name__}")


def quantize_model(model: MLP, scheme: str = "symmetric") -> list[QuantizedLayer]:
    """Every layer of `model` quantized, named `layers.0`, `layers.1`, ..."""
    _check_model(model, scheme)
    return [quantize_layer(layer, scheme, f"layers.{i}") for i, layer in enumerate(model.layers)]


def fake_quantize(model: MLP, scheme: str = "symmetric") -> MLP:
    """A new MLP whose weights are dequantize(quantize(w)); biases copied; `model` untouched.

    This is what torch.ao.quantization's FakeQuantize does in the forward pass: the network
    still computes in floats, but only with values an int8 model could hold.
    """
    quantized = quantize_model(model, scheme)
    copy = model.copy()
    for layer, ql in zip(copy.layers, quantized):
        for row, drow in zip(layer.weight, ql.dequantized()):
            for w, d in zip(row, drow):
                w.data = d
    return copy


def weight_errors(model: MLP, scheme: str = "symmetric") -> dict[str, list[float]]:
    """Per layer, dequantize(quantize(w)) - w for every weight, in parameter order."""
    return _errors(model, quantize_model(model, scheme))  # checks model and scheme first


def _errors(model: MLP, quantized: list[QuantizedLayer]) -> dict[str, list[float]]:
    return {ql.name: [d - w.data for row, drow in zip(layer.weight, ql.dequantized())
                      for w, d in zip(row, drow)]
            for layer, ql in zip(model.layers, quantized)}


def error_report(model: MLP, scheme: str = "symmetric"
                 ) -> dict[str, dict[str, float | int | str]]:
    """Per layer: max and mean |error|, scale, zero point, scale/2 and whether max <= scale/2.

    Rounding to the nearest level is off by at most half a level, scale / 2, for every weight
    inside the grid; MinMax qparams put every weight inside it (or, at a clamp, exactly half a
    level outside), so `within_half_scale` must hold for every layer.
    """
    report = {}
    quantized = quantize_model(model, scheme)  # once, for the errors and the qparams
    for ql, errs in zip(quantized, _errors(model, quantized).values()):
        abs_errs = [abs(e) for e in errs]
        half = ql.qparams.scale / 2
        report[ql.name] = {
            "scheme": scheme, "n_weights": len(errs), "scale": ql.qparams.scale,
            "zero_point": ql.qparams.zero_point, "half_scale": half,
            "max_abs_error": max(abs_errs), "mean_abs_error": sum(abs_errs) / len(abs_errs),
            "within_half_scale": max(abs_errs) <= half + SLACK * ql.qparams.scale,
        }
    return report


def error_report_text(*reports: Mapping[str, Mapping[str, float | int | str]]) -> str:
    """One or more `error_report(...)` results as one aligned table, a row per layer."""
    head = f"{'layer':<10} {'scheme':<10} {'weights':>7} {'scale':>11} {'zp':>4} " \
           f"{'max |err|':>11} {'mean |err|':>11} {'scale/2':>11}  max<=scale/2"
    lines = [head, "-" * len(head)]
    for report in reports:
        for name, r in report.items():
            lines.append(f"{name:<10} {r['scheme']:<10} {r['n_weights']:>7} "
                         f"{r['scale']:>11.4e} {r['zero_point']:>4} {r['max_abs_error']:>11.4e} "
                         f"{r['mean_abs_error']:>11.4e} {r['half_scale']:>11.4e}  "
                         f"{'yes' if r['within_half_scale'] else 'NO'}")
    return "\n".join(lines)
