"""Lesson: store a trained network's weights as 8-bit integers and see what it costs.

Trains micrograd's two-moons classifier (the moons lesson's recipe, `train_moons`), then
quantizes each layer to int8 with one scale per layer, PyTorch's way (nn/quantize.py):
symmetric (qint8, zero point 0) and affine (quint8, a zero point that shifts the grid to the
layer's range).
Rounding to the nearest of 256 levels moves each weight by at most half a level, scale / 2;
the lesson measures every weight's error, draws their histograms against that bound, and
compares the accuracy of the float model with both fake-quantized copies.
Affine's level spacing is never larger than symmetric's; a smaller mean error follows on
average (about scale/4 each), though on a layer of 16 weights the luck of rounding can flip it.

Run: python -m demos.quantization [--quick] [--seed N] [--out DIR]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from demos.common import accuracy, lesson_parser, pyplot, record_picture, save_picture, train_moons
from weightgrad.nn import MLP, make_moons
from weightgrad.nn.quantize import error_report, error_report_text, fake_quantize, weight_errors

LESSON = "Int8 quantization"
SCHEMES = ("symmetric", "affine")
COLORS = {"symmetric": "#0877bd", "affine": "#e8710a"}


def plot_errors(model: MLP, reports: dict[str, dict[str, dict[str, Any]]], out: Path) -> Path:
    """One panel per layer: |error| histograms of both schemes, dashed lines at scale / 2."""
    plt = pyplot()
    errors = {s: weight_errors(model, s) for s in SCHEMES}
    names = list(errors["symmetric"])
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.2), squeeze=False)
    for ax, name in zip(axes[0], names):
        top = max(reports[s][name]["half_scale"] for s in SCHEMES)
        bins = [top * i / 20 for i in range(21)]
        for s in SCHEMES:
            ax.hist([abs(e) for e in errors[s][name]], bins=bins, histtype="step", linewidth=1.5,
                    color=COLORS[s], label=f"{s} (mean {reports[s][name]['mean_abs_error']:.2e})")
            ax.axvline(reports[s][name]["half_scale"], color=COLORS[s], linestyle="--",
                       linewidth=1, label=f"{s} scale/2 = {reports[s][name]['half_scale']:.2e}")
        ax.set_xlim(0, top * 1.12)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.6)  # headroom for the legend
        ax.set_title(f"{name} ({reports['symmetric'][name]['n_weights']} weights)")
        ax.set_xlabel("|dequantize(quantize(w)) - w|")
        ax.legend(fontsize=7, loc="upper left")
    axes[0][0].set_ylabel("weights")
    fig.suptitle("Int8 rounding error per weight: never more than half a level (scale/2)",
                 y=1.02)
    return save_picture(fig, out / "quantization_errors.svg",
                        "Int8 quantization: per-weight rounding error vs scale/2, "
                        "symmetric and affine", LESSON)


def lopsided_layer(reports: dict[str, dict[str, dict[str, Any]]]) -> str:
    """The layer whose weights sit least evenly around 0: affine's scale shrinks the most."""
    return min(reports["symmetric"], key=lambda n: reports["affine"][n]["scale"]
               / reports["symmetric"][n]["scale"])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = lesson_parser(__doc__.splitlines()[0], seed=1337).parse_args(argv)
    steps = 20 if args.quick else 100
    xs, ys = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=args.seed)
    train_moons(model, xs, ys, steps)
    args.out.mkdir(parents=True, exist_ok=True)
    weights = args.out / "quantization_weights.json"
    model.save(weights)
    record_picture(args.out, weights, "Int8 quantization: the float weights that were quantized "
                   "(JSON)", LESSON)

    reports = {s: error_report(model, s) for s in SCHEMES}
    print(error_report_text(*reports.values()))
    path = plot_errors(model, reports, args.out)

    result: dict[str, Any] = {"float_accuracy": accuracy(model, xs, ys)}
    for s in SCHEMES:
        worst = max(reports[s], key=lambda n: reports[s][n]["max_abs_error"])
        result[f"{s}_accuracy"] = accuracy(fake_quantize(model, s), xs, ys)
        result[f"{s}_max_error_layer"] = worst
        result[f"{s}_max_error"] = reports[s][worst]["max_abs_error"]
        result[f"{s}_half_scale"] = reports[s][worst]["half_scale"]
        result[f"{s}_within_half_scale"] = all(r["within_half_scale"]
                                               for r in reports[s].values())
    lop = lopsided_layer(reports)
    result["lopsided_layer"] = lop
    for s in SCHEMES:
        result[f"lopsided_{s}_scale"] = reports[s][lop]["scale"]
        result[f"lopsided_{s}_mean_error"] = reports[s][lop]["mean_abs_error"]

    for s in SCHEMES:
        print(f"int8 {s}: max error {result[f'{s}_max_error']:.3g} on "
              f"{result[f'{s}_max_error_layer']} (<= scale/2 = "
              f"{result[f'{s}_half_scale']:.3g}), accuracy {result[f'{s}_accuracy']:.0%} vs "
              f"float {result['float_accuracy']:.0%}.")
    print(f"On {lop}, whose weights are least centred on 0, affine's level spacing is "
          f"{result['lopsided_affine_scale'] / result['lopsided_symmetric_scale']:.0%} of "
          f"symmetric's, and its mean error is {result['lopsided_affine_mean_error']:.3g} vs "
          f"{result['lopsided_symmetric_mean_error']:.3g} "
          f"({reports['affine'][lop]['n_weights']} weights).")
    print(f"wrote {path}, {weights}")
    return result


if __name__ == "__main__":
    main()
