"""The quantization lesson's claims hold: every weight within scale/2, accuracy kept, affine
finer on a lopsided layer; and its pictures are written, registered and reproducible."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from demos import quantization
from weightgrad.engine import no_grad
from weightgrad.nn import MLP, make_moons


def scale_and_zero_point(ws: list[float], scheme: str) -> tuple[float, int, int, int]:
    """MinMaxObserver's qparams, written out again here for an independent check."""
    lo, hi = min(*ws, 0.0), max(*ws, 0.0)
    if scheme == "symmetric":  # qint8, levels -128..127, zero point 0
        return max(max(-lo, hi) / 127.5, 2.0 ** -23), 0, -128, 127
    scale = max((hi - lo) / 255, 2.0 ** -23)  # quint8, levels 0..255
    return scale, min(max(-round(lo / scale), 0), 255), 0, 255


def nearest(w: float, scale: float, zp: int, qmin: int, qmax: int) -> float:
    return min(((k - zp) * scale for k in range(qmin, qmax + 1)), key=lambda v: abs(v - w))


def test_quick_quantization_lesson(tmp_path: Path) -> None:
    out = tmp_path / "a"
    result = quantization.main(["--quick", "--out", str(out)])

    # Recompute every weight's error from the saved float weights, independently.
    model = MLP(2, [16, 16, 1], seed=0)  # its weights come from the file
    model.load(out / "quantization_weights.json")
    xs, ys = make_moons(100, noise=0.1, seed=0)
    with no_grad():
        float_acc = sum((y > 0) == (model(x).data > 0) for x, y in zip(xs, ys)) / len(ys)
    assert result["float_accuracy"] == float_acc
    mean_err = {}
    for scheme in ("symmetric", "affine"):
        assert result[f"{scheme}_within_half_scale"] is True
        assert result[f"{scheme}_max_error"] <= result[f"{scheme}_half_scale"] * (1 + 1e-12)
        worst = 0.0
        for i, layer in enumerate(model.layers):
            ws = [w.data for row in layer.weight for w in row]
            scale, zp, qmin, qmax = scale_and_zero_point(ws, scheme)
            errs = [abs(nearest(w, scale, zp, qmin, qmax) - w) for w in ws]
            assert max(errs) <= scale / 2 * (1 + 1e-12)  # every weight within half a level
            mean_err[scheme, f"layers.{i}"] = sum(errs) / len(errs)
            worst = max(worst, max(errs))
        assert abs(result[f"{scheme}_max_error"] - worst) <= 1e-12
        # Quantized accuracy within two points of the float model's.
        assert abs(result[f"{scheme}_accuracy"] - float_acc) <= 0.02

    # On the layer least centred on 0, affine's levels are finer and its mean error smaller.
    lop = result["lopsided_layer"]
    assert result["lopsided_affine_scale"] < result["lopsided_symmetric_scale"]
    assert mean_err["affine", lop] <= mean_err["symmetric", lop]
    assert abs(result["lopsided_affine_mean_error"] - mean_err["affine", lop]) <= 1e-12

    root = ET.parse(out / "quantization_errors.svg").getroot()
    assert root.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert all(f"layers.{i}" in texts for i in range(3)) and "scale/2" in texts
    registered = {e["file"] for e in json.loads((out / "pictures.json").read_text())}
    assert {"quantization_errors.svg", "quantization_weights.json"} <= registered

    again = quantization.main(["--quick", "--out", str(tmp_path / "b")])
    assert again == result
    for name in ("quantization_errors.svg", "quantization_weights.json"):
        assert (out / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
