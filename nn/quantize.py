"""Int8 weight quantization, one scale per layer, with PyTorch's formulas.

Each layer's weights become 8-bit integers q plus two numbers, a `scale` and a `zero_point`,
so that w ≈ (q - zero_point) * scale. "A layer's weights" is a weight group of kind "weight"
(nn/weight_groups.py), one per tensor as torch's per-tensor quantization has it: an MLP
layer's matrix, a Conv1d's kernel, an RNNCell's weight_ih and weight_hh apart, SelfAttention's
q, k, v and out apart; any Module works. Two schemes, as torch.ao.quantization names them:

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

import copy
import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple, TypeVar

from . import checks
from .layers import Layer
from .module import Module, weight_groups_of
from .weight_groups import WeightGroup, report_name

M = TypeVar("M", bound=Module)

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
    """A weight group as integers, one row per output (a neuron, a channel's kernel, a hidden
    unit), its qparams, the float biases that go with it (the `bias` of a `weight`, the
    `bias_ih` of a `weight_ih`; [] if none) and its shape in PyTorch's layout."""

    name: str
    q: list[list[int]]
    qparams: QParams
    bias: list[float]
    shape: tuple[int, ...]

    def dequantized(self) -> list[list[float]]:
        return [[dequantize(q, self.qparams) for q in row] for row in self.q]


def _scheme(scheme: str) -> tuple[int, int]:
    return SCHEMES[checks.choice("quantize", "scheme", scheme, SCHEMES)]


def qparams(values: Sequence[float], scheme: str = "symmetric", name: str = "values"
            ) -> QParams:
    """Scale and zero point for `values`, as MinMaxObserver computes them."""
    quant_min, quant_max = _scheme(scheme)
    values = checks.sequence("qparams", name, values, of="finite numbers (weights)",
                             nonempty=True)
    values = [checks.real("qparams", f"{name}[{i}]", v) for i, v in enumerate(values)]
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
    x = checks.real("quantize", "x", x)
    # Python's round() on a float rounds half to even, like C's nearbyint in PyTorch.
    return min(max(round(x / qp.scale) + qp.zero_point, qp.quant_min), qp.quant_max)


def dequantize(q: int, qp: QParams) -> float:
    """(q - zero_point) * scale: the float the integer stands for."""
    return (q - qp.zero_point) * qp.scale


def _quantize_group(group: WeightGroup, bias: WeightGroup | None, scheme: str, name: str,
                    names: Mapping[int, str]) -> QuantizedLayer:
    """One weight group as integers, with one scale and zero point for the whole group."""
    for p in group.params:
        if not math.isfinite(p.data):  # name the weight, as load_state_dict does
            raise ValueError(f"{names[id(p)]}: cannot quantize a non-finite weight {p.data!r}")
    qp = qparams([p.data for p in group.params], scheme, name)
    return QuantizedLayer(name, [[quantize(p.data, qp) for p in row] for row in group.rows()],
                          qp, [b.data for b in bias.params] if bias else [], group.shape)


def _quantize(model: object, scheme: str, who: str
              ) -> list[tuple[WeightGroup, QuantizedLayer]]:
    """Every weight group of `model` with its quantized form, in group order."""
    _scheme(scheme)
    groups = weight_groups_of(model, who)
    names = {id(p): n for n, p in model.named_parameters()}  # type: ignore[attr-defined]
    # PyTorch pairs a weight with its bias by name: weight/bias, weight_ih/bias_ih.
    biases = {(m, g.name): g for m, g in groups if g.kind == "bias"}
    return [(g, _quantize_group(g, biases.get((m, g.name.replace("weight", "bias", 1))), scheme,
                                report_name(m, g, model), names))
            for m, g in groups if g.kind == "weight"]


def quantize_layer(layer: Layer, scheme: str = "symmetric", name: str = "layer"
                   ) -> QuantizedLayer:
    """One layer's weights as integers with one scale and zero point for the whole layer."""
    if not isinstance(layer, Layer):
        raise TypeError(f"{name}: expected a Layer, got {type(layer).__name__}")
    groups = {g.name: g for _, g in layer.weight_groups()}
    names = {id(p): f"{name}.{n}" for n, p in layer.named_parameters()}
    return _quantize_group(groups["weight"], groups["bias"], scheme, name, names)


def quantize_model(model: Module, scheme: str = "symmetric") -> list[QuantizedLayer]:
    """Every weight group of `model` quantized on its own, named as `nn.prune` and `summary`
    name them: `layers.0`, `layers.1`, ... for an MLP; `q`, `k`, `v`, `out`; `weight_ih`."""
    return [ql for _, ql in _quantize(model, scheme, "quantize_model")]


def fake_quantize(model: M, scheme: str = "symmetric") -> M:
    """A copy of `model` whose weights are dequantize(quantize(w)); biases copied as they are;
    `model` untouched.

    This is what torch.ao.quantization's FakeQuantize does in the forward pass: the network
    still computes in floats, but only with values an int8 model could hold. The copy is a
    deep copy, so it keeps the model's frozen and pruned flags (a pruned 0 stays exactly 0).
    """
    quantized = [ql for _, ql in _quantize(model, scheme, "fake_quantize")]
    twin = copy.deepcopy(model)
    weights = [g for _, g in twin.weight_groups() if g.kind == "weight"]
    for group, ql in zip(weights, quantized):
        for p, d in zip(group.params, (d for row in ql.dequantized() for d in row)):
            p.data = d
    return twin


def weight_errors(model: Module, scheme: str = "symmetric") -> dict[str, list[float]]:
    """Per weight group, dequantize(quantize(w)) - w for every weight, in row-major order."""
    return _errors(_quantize(model, scheme, "weight_errors"))  # checks model and scheme first


def _errors(quantized: list[tuple[WeightGroup, QuantizedLayer]]) -> dict[str, list[float]]:
    return {ql.name: [d - p.data for p, d in
                      zip(group.params, (d for row in ql.dequantized() for d in row))]
            for group, ql in quantized}


def error_report(model: Module, scheme: str = "symmetric"
                 ) -> dict[str, dict[str, float | int | str]]:
    """Per weight group: max and mean |error|, scale, zero point, scale/2 and whether
    max <= scale/2.

    Rounding to the nearest level is off by at most half a level, scale / 2, for every weight
    inside the grid; MinMax qparams put every weight inside it (or, at a clamp, exactly half a
    level outside), so `within_half_scale` must hold for every group.
    """
    report = {}
    quantized = _quantize(model, scheme, "error_report")  # once, for errors and qparams
    for (_, ql), errs in zip(quantized, _errors(quantized).values()):
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
    width = max([10, *(len(name) for report in reports for name in report)])
    head = f"{'layer':<{width}} {'scheme':<10} {'weights':>7} {'scale':>11} {'zp':>4} " \
           f"{'max |err|':>11} {'mean |err|':>11} {'scale/2':>11}  max<=scale/2"
    lines = [head, "-" * len(head)]
    for report in reports:
        for name, r in report.items():
            lines.append(f"{name:<{width}} {r['scheme']:<10} {r['n_weights']:>7} "
                         f"{r['scale']:>11.4e} {r['zero_point']:>4} {r['max_abs_error']:>11.4e} "
                         f"{r['mean_abs_error']:>11.4e} {r['half_scale']:>11.4e}  "
                         f"{'yes' if r['within_half_scale'] else 'NO'}")
    return "\n".join(lines)
