"""From `make bench`'s raw measurements to its result: the ratios, each target and whether it
was met, the table's rows and the notes under the table (benchmarks/bench.py measures).
"""

from __future__ import annotations

from typing import Any

from benchmarks import digits, moons
from benchmarks.report import Row, number, ratio, times, verdict

TARGET_X_MICROGRAD = 50.0  # weightgrad's step at least this many times faster than micrograd's
TARGET_X_PLAIN = 3.0  # and at most this many times the hand-written plain-Python step
TARGET_BYTES = 150.0  # per node of a forward graph
TARGET_SVG_S = 2.0
TARGET_FRAME_MS = 16.0  # one edit of the playground's largest page: within one 60 Hz frame
TARGET_TRAIN_STEPS = 30.0  # the moons page's train steps per second, so training looks live


def summarize(raw: dict[str, Any], meta: dict[str, Any]) -> tuple[dict[str, Any], list[Row]]:
    """The JSON-ready result dict and the table rows, from the raw measurements."""
    ms, chain, wide, mem, svg = (raw["moons"]["ms"], raw["chain"], raw["wide"], raw["memory"],
                                 raw["svg"])
    imp, pg, net = raw["imports"]["ms"], raw["playground"], raw["network_page"]
    dg = digits.report(raw["digits_epoch"], raw["digits_step"])
    ratios = {
        "moons_x_faster_than_micrograd": ratio(ms["micrograd"], ms["weightgrad"]),
        "moons_x_plain_step": ratio(ms["weightgrad"], ms["plain"]),
        "wide_forward_x_micrograd": ratio(wide["forward"]["weightgrad"],
                                          wide["forward"]["micrograd"]),
        "wide_backward_x_micrograd": ratio(wide["backward"]["weightgrad"],
                                           wide["backward"]["micrograd"]),
        "bytes_forward_micrograd_over_weightgrad": ratio(mem["forward"]["micrograd"],
                                                         mem["forward"]["weightgrad"]),
        "bytes_after_backward_micrograd_over_weightgrad": ratio(
            mem["backward"]["micrograd"], mem["backward"]["weightgrad"]),
        **dg["ratios"],
    }

    def target(text: str, value: float | None, ok: bool) -> dict[str, Any]:
        return {"target": text, "ok": None if value is None else ok}

    x_mg, x_plain = ratios["moons_x_faster_than_micrograd"], ratios["moons_x_plain_step"]
    targets = {
        "moons_x_faster_than_micrograd": target(
            f">= {TARGET_X_MICROGRAD:g}x faster than micrograd", x_mg,
            x_mg is not None and x_mg >= TARGET_X_MICROGRAD),
        "moons_x_plain_step": target(
            f"<= {TARGET_X_PLAIN:g}x the plain-Python step", x_plain,
            x_plain is not None and x_plain <= TARGET_X_PLAIN),
        "chain_backward_s": {"target": "completes, no RecursionError",
                             "ok": chain["s"] is not None},
        "fanout_svg_s": {"target": f"< {TARGET_SVG_S:g} s each",
                         "ok": all(x is not None and x < TARGET_SVG_S
                                   for x in raw["fanout"]["s"].values())},
        "playground_edit_ms": target(f"< {TARGET_FRAME_MS:g} ms", pg["ms"],
                                     pg["ms"] is not None and pg["ms"] < TARGET_FRAME_MS),
        "network_page_steps_per_s": target(
            f">= {TARGET_TRAIN_STEPS:g} steps/s", net["steps_per_s"],
            net["steps_per_s"] is not None and net["steps_per_s"] >= TARGET_TRAIN_STEPS),
        "import_ms": {"target": "core loads neither graphviz nor subprocess",
                      "ok": not raw["imports"]["loaded"]["weightgrad"]},
        "bytes_per_node_forward": target(f"<= {TARGET_BYTES:g} bytes per node",
                                         mem["forward"]["weightgrad"],
                                         mem["forward"]["weightgrad"] <= TARGET_BYTES),
        "svg_render_s": target(f"< {TARGET_SVG_S:g} s", svg["s"],
                               svg["s"] is not None and svg["s"] < TARGET_SVG_S),
        **dg["targets"],
    }
    result = {
        "meta": meta,
        "agreement": raw["moons"]["agreement"],
        "measurements": {
            "moons_step_ms": ms,
            "chain_backward_s": {"weightgrad": chain["s"]},
            "wide_forward_nodes_per_s": wide["forward"],
            "wide_backward_nodes_per_s": wide["backward"],
            "bytes_per_node_forward": mem["forward"],
            "bytes_per_node_after_backward": mem["backward"],
            "svg_render_s": {"weightgrad": svg["s"]},
            "import_ms": raw["imports"]["ms"],
            "fanout_svg_s": {name: x for name, x in raw["fanout"]["s"].items()
                             if x is not None},
            "playground_edit_ms": {} if pg["ms"] is None else {"weightgrad": pg["ms"]},
            "network_page_steps_per_s": {} if net["steps_per_s"] is None
            else {"weightgrad": net["steps_per_s"]},
            **dg["measurements"],
        },
        "ratios": ratios,
        "targets": targets,
        "repeats": {"moons_step_ms": raw["moons"]["repeats"], "chain_backward_s":
                    chain.get("repeats"), "wide": wide["repeats"], "svg_render_s":
                    svg["repeats"]},
        "details": {"chain": chain, "micrograd_chain": raw["micrograd_chain"],
                    "wide": {k: wide[k] for k in ("n_ops", "depth", "width")},
                    "memory": {"n_ops": mem["n_ops"]},
                    "svg": {k: svg[k] for k in ("renderer", "nodes", "svg_bytes")},
                    "imports_loaded": raw["imports"]["loaded"],
                    "playground": raw["playground"], "network_page": net,
                    "digits": dg["details"], "digits_note": dg["note"]},
    }
    rep = raw["moons"]["repeats"]
    ok = {k: verdict(t["ok"]) for k, t in targets.items()}
    rows = [
        Row("moons step, ms", number(ms["weightgrad"]), number(ms["micrograd"]),
            number(ms["plain"]), times(x_mg, "faster than micrograd"),
            targets["moons_x_faster_than_micrograd"]["target"],
            ok["moons_x_faster_than_micrograd"],
            f"{rep['weightgrad']}/{rep['micrograd']}/{rep['plain']}"),
        Row("moons step vs plain Python", ratio=times(x_plain, "the plain-Python step"),
            target=targets["moons_x_plain_step"]["target"], ok=ok["moons_x_plain_step"]),
        *dg["rows"],
        Row(f"backward, {chain['n_ops']:,}-op chain, s", chain["error"] or number(chain["s"]),
            raw["micrograd_chain"], target=targets["chain_backward_s"]["target"],
            ok=ok["chain_backward_s"], n=str(chain.get("repeats", 1))),
        Row(f"wide graph forward ({wide['n_ops']:,} nodes), nodes/s",
            number(wide["forward"]["weightgrad"]), number(wide["forward"]["micrograd"]),
            ratio=times(ratios["wide_forward_x_micrograd"], "micrograd"),
            n=f"{wide['repeats']}/{wide['repeats']}"),
        Row("wide graph backward, nodes/s", number(wide["backward"]["weightgrad"]),
            number(wide["backward"]["micrograd"]),
            ratio=times(ratios["wide_backward_x_micrograd"], "micrograd"),
            n=f"{wide['repeats']}/{wide['repeats']}"),
        Row(f"bytes per node, forward ({mem['n_ops']:,} nodes)",
            number(mem["forward"]["weightgrad"]), number(mem["forward"]["micrograd"]),
            ratio=times(ratios["bytes_forward_micrograd_over_weightgrad"], "less than micrograd"),
            target=targets["bytes_per_node_forward"]["target"], ok=ok["bytes_per_node_forward"],
            n="1/1"),
        Row("bytes per node, after backward", number(mem["backward"]["weightgrad"]),
            number(mem["backward"]["micrograd"]),
            ratio=times(ratios["bytes_after_backward_micrograd_over_weightgrad"],
                        "less than micrograd"), n="1/1"),
        Row(f"SVG of MLP(2, [16, 16, 1]) graph, unfused ({svg['nodes']} Values), s",
            "no renderer" if svg["s"] is None else number(svg["s"]),
            target=targets["svg_render_s"]["target"], ok=ok["svg_render_s"],
            n=str(svg["repeats"])),
        *[Row(f"SVG of {name}, s", "no renderer" if x is None else number(x),
              target=targets["fanout_svg_s"]["target"], ok=ok["fanout_svg_s"],
              n=str(raw["fanout"]["repeats"])) for name, x in raw["fanout"]["s"].items()],
        Row(f"playground edit, {pg.get('nodes', '?')}-node page (Chromium), ms",
            pg.get("why") or number(pg["ms"]), target=targets["playground_edit_ms"]["target"],
            ok=ok["playground_edit_ms"], n=str(pg.get("edits", 0))),
        Row("playground vs Python, largest difference (relative)",
            "-" if pg["ms"] is None else f"{pg['max_relative_difference']:.2g}",
            target="<= 1e-12", ok=verdict(None if pg["ms"] is None
                                          else pg["max_relative_difference"] <= 1e-12)),
        Row("moons page training live (Chromium), steps/s",
            net.get("why") or f"{number(net['steps_per_s'])} "
                              f"({number(net['frames_per_s'])} frames/s)",
            target=targets["network_page_steps_per_s"]["target"],
            ok=ok["network_page_steps_per_s"]),
        Row("import weightgrad.engine (.nn) vs micrograd.engine, ms",
            f"{number(imp['weightgrad'])} ({number(imp['weightgrad.nn'])})",
            number(imp["micrograd"]), target=targets["import_ms"]["target"],
            ok=ok["import_ms"], n=str(raw["imports"]["repeats"])),
    ]
    return result, rows


def notes(result: dict[str, Any]) -> str:
    a, d = result["agreement"], result["details"]
    return "\n".join([
        f"agreement (one step from the same weights): loss {a['loss_weightgrad']:.12g}; "
        f"max loss diff {a['max_loss_diff']:.2g}; max weight diff vs plain: weightgrad "
        f"{a['max_weight_diff_weightgrad_plain']:.2g}, micrograd "
        f"{a['max_weight_diff_micrograd_plain']:.2g} (tolerance {moons.TOLERANCE:g})",
        f"medians of n repeats (weightgrad/micrograd/plain), contenders alternating round by "
        f"round; moons: MLP(2, [16, 16, 1]), 100 points, SGD lr {moons.LR:g}",
        "GC on at its defaults; gc.collect() runs off the clock before every sample, so no "
        "contender pays for another's garbage (this flatters micrograd, whose cyclic garbage "
        "would otherwise be collected during its next step)",
        f"wide graph: {d['wide']['width']:,} wide, {d['wide']['depth']} deep, ops + * relu "
        f"(micrograd 0.1.0 has no tanh); chain build (forward) "
        f"{number(d['chain'].get('build_s'))} s; SVG renderer: {d['svg']['renderer']}",
        d["digits_note"],
    ])
