"""The live playground page: its JSON and API from Python, and the page itself in real
Chromium, offline, where every node's value and gradient after an edit must equal what the
Python engine computes at the same leaf values (bit for bit for + - * / neg relu and the
weighted sum; within 1e-12 of the graph's scale where the browser's libm is involved)."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser import offline_page
from weightgrad.engine import Value, playground
from weightgrad.engine.fused import weighted_sum
from weightgrad.engine.playground import Playground, unique_names

# -- Python side --------------------------------------------------------------------------


def seed_neuron() -> tuple[Value, dict[str, Value]]:
    leaves = {n: Value(x, n) for n, x in
              [("x1", 5.0), ("w1", 0.7), ("x2", 2.0), ("w2", 0.3), ("b", 1.0)]}
    out = leaves["x1"] * leaves["w1"] + leaves["x2"] * leaves["w2"] + leaves["b"]
    out.label = "out"
    return out, leaves


def test_names_are_explains_and_unique() -> None:
    a, b = Value(1.0, "w"), Value(2.0, "w")
    out = a * b + 3.0 + 3.0  # two constants 3 and two leaves w
    from weightgrad.engine import topological_order

    names = list(unique_names(topological_order(out)).values())
    assert len(set(names)) == len(names)
    assert {"w", "w#2", "3", "3#2"} <= set(names)


def test_the_json_reads_back_non_finite_numbers_and_cannot_end_its_script() -> None:
    x = Value(0.0, "</script><img src=x onerror=alert(1)>")
    out = x.log() * Value(math.inf, "big")
    page = playground(out).html()
    start = page.index('<script type="application/json" id="wg-graph">')
    end = page.index("</script>", start)
    data = json.loads(page[start:end].split(">", 1)[1])
    assert {"-inf", "inf"} <= {n["data"] for n in data["nodes"]}  # log(0) and the leaf
    assert "<img" not in page.split("<svg", 1)[0]  # the label is text wherever it appears


def test_params_default_to_parameters_and_can_be_named() -> None:
    out, leaves = seed_neuron()
    assert Playground(out).params == set()  # plain Values: nothing is a parameter by default
    chosen = Playground(out, params=["w1", "w2", leaves["b"]]).params
    assert chosen == {id(leaves["w1"]), id(leaves["w2"]), id(leaves["b"])}
    with pytest.raises(ValueError, match="'w9' is not one"):
        Playground(out, params=["w9"])


def test_jupyter_shows_the_page_in_an_isolated_iframe() -> None:
    out, _ = seed_neuron()
    shown = playground(out)._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in shown
    assert "<script" not in shown  # escaped inside srcdoc, run only inside the frame


# -- random graphs over every op ----------------------------------------------------------

EXACT = {"add", "sub", "mul", "div", "neg", "relu", "wsum", "wsumc", "abs", "leaky_relu",
         "max"}
EDGES = [0.0, 1.0, -1.0, 2.0, 0.5, -2.5, 3.0, 1e-3]


STEPS: dict[str, Callable[[Value, Value, float], Value]] = {
    "+": lambda a, b, c: a + b, "-": lambda a, b, c: a - b, "*": lambda a, b, c: a * b,
    "/": lambda a, b, c: a / b, "r+": lambda a, b, c: c + a, "r-": lambda a, b, c: c - a,
    "r*": lambda a, b, c: c * a, "r/": lambda a, b, c: c / a, "neg": lambda a, b, c: -a,
    "**v": lambda a, b, c: a ** b, "**2": lambda a, b, c: a ** 2,
    "r**": lambda a, b, c: 2.0 ** a, "exp": lambda a, b, c: a.exp(),
    "log": lambda a, b, c: a.log(), "tanh": lambda a, b, c: a.tanh(),
    "relu": lambda a, b, c: a.relu(), "sigmoid": lambda a, b, c: a.sigmoid(),
    "abs": lambda a, b, c: a.abs(), "leaky": lambda a, b, c: a.leaky_relu(0.1),
    "max": lambda a, b, c: a.max(b), "rmax": lambda a, b, c: a.max(c),
    "log1p": lambda a, b, c: a.log1p(),
    "wsum": lambda a, b, c: weighted_sum([a, b], [b, c], a),
    "wsumc": lambda a, b, c: weighted_sum([a, b], [c, -0.5], b),  # numbers only: in the op
}


def random_graph(seed: int) -> tuple[Callable[..., Value], int]:
    """A recipe over 3 leaves using every kind of op, numbers on either side, IEEE edges
    (log 0, 1/0, 0/0, relu at 0, 0 ** 2 come from the leaves' values, which include 0)."""
    rng = random.Random(seed)
    steps = [(rng.choice(list(STEPS)), rng.random(), rng.random(),
              rng.choice([0.0, 2.0, -1.5, 0.5])) for _ in range(rng.randint(4, 12))]

    def build(*leaves: Value) -> Value:
        pool = list(leaves)
        for op, i, j, c in steps:
            pool.append(STEPS[op](pool[int(i * len(pool))], pool[int(j * len(pool))], c))
        return pool[-1] + pool[-2]
    return build, 3


def python_truth(build: Callable[..., Value], values: list[float]) -> dict[str, tuple]:
    leaves = [Value(x, f"x{i}") for i, x in enumerate(values)]
    root = build(*leaves)
    root.backward()
    page = Playground(root)
    return {page.names[id(v)]: (v.data, v.grad, v.op.name if v.op else None)
            for v in page.order}


def agree(js: float, py: float, scale: float, exact: bool) -> bool:
    if math.isnan(py) or math.isinf(py):
        return (math.isnan(js) and math.isnan(py)) or js == py
    return js == py if exact else abs(js - py) <= 1e-12 * max(abs(py), scale)


@pytest.mark.parametrize("seed", range(24))
def test_every_node_matches_the_python_engine_after_edits(chromium, tmp_path: Path,
                                                          seed: int) -> None:
    build, n = random_graph(seed)
    rng = random.Random(1000 + seed)
    start = [rng.choice(EDGES) for _ in range(n)]
    root = build(*[Value(x, f"x{i}") for i, x in enumerate(start)])
    with offline_page(chromium, playground(root).html(), tmp_path / "p.html") as (page, log):
        used = page.evaluate("window.weightgrad.leaves()")  # a leaf may go unused
        for _ in range(3):
            values = [rng.choice(EDGES) for _ in range(n)]
            for i, x in enumerate(values):
                if f"x{i}" in used:
                    page.evaluate("([n, x]) => window.weightgrad.set(n, x)", [f"x{i}", x])
            truth = python_truth(build, values)
            got = page.evaluate("(names) => names.map(n => window.weightgrad.get(n))",
                                list(truth))
            finite = [abs(t) for d, g, _ in truth.values() for t in (d, g) if math.isfinite(t)]
            scale = max(finite, default=1.0)
            exact = all(op is None or op in EXACT for _, _, op in truth.values())
            for (name, (data, grad, _)), js in zip(truth.items(), got):
                assert agree(js["data"], data, scale, exact), (seed, name, js, data)
                assert agree(js["grad"], grad, scale, exact), (seed, name, js, grad)
        log.assert_clean()


# -- the page as a learner uses it ---------------------------------------------------------

def test_the_seed_neuron_edits_live(chromium, tmp_path: Path) -> None:
    out, _ = seed_neuron()
    with offline_page(chromium, playground(out, params=["w1", "w2", "b"]).html(),
                      tmp_path / "p.html") as (page, log):
        wg = "window.weightgrad"
        assert page.evaluate(f"{wg}.leaves()") == ["x1", "w1", "x2", "w2", "b"]
        assert page.evaluate(f"{wg}.get('out')") == {"data": 5.1, "grad": 1.0}
        assert page.evaluate(f"{wg}.get('w1')")["grad"] == 5.0
        # typed into the field, as a learner would
        page.get_by_label("b", exact=True).fill("0.8")
        assert page.evaluate(f"{wg}.get('out')")["data"] == (5 * 0.7 + 2 * 0.3) + 0.8
        assert "data 4.9" in page.locator("#picture").inner_text()
        marked = page.evaluate("() => [...document.querySelectorAll('#picture text"
                               "[text-decoration=underline]')].map(t => t.textContent)")
        assert sorted(marked) == ["data 0.8", "data 4.9"]  # what the edit changed: b and out
        assert page.locator("#readout").inner_text() == \
            "raising b by 0.01 changes out by about 0.01 (gradient 1)"
        page.evaluate(f"{wg}.step(0.1)")  # parameters move by -0.1·grad, inputs never
        assert page.evaluate(f"{wg}.get('w1')")["data"] == 0.7 - 0.1 * 5.0
        assert page.evaluate(f"{wg}.get('x1')")["data"] == 5.0
        page.evaluate(f"{wg}.reset()")
        assert page.evaluate(f"{wg}.get('out')")["data"] == out.data
        for call, message in [("get('nope')", 'no node named "nope"'),
                              ("set('out', 1)", "out is not an editable leaf"),
                              ("set('x1', 'a')", "x1: a number is needed")]:
            error = page.evaluate(f"() => {{ try {{ {wg}.{call} }} catch (e) "
                                  "{ return e.message } }")
            assert message in error, call
        log.assert_clean()


def test_hostile_labels_stay_text(chromium, tmp_path: Path) -> None:
    hostile = ['</script><script>alert(1)</script>', '"quoted\' <img src=x onerror=alert(2)>']
    a, b = Value(1.5, hostile[0]), Value(-2.0, hostile[1])
    with offline_page(chromium, playground(a * b).html(), tmp_path / "p.html") as (page, log):
        assert page.evaluate("window.weightgrad.leaves()") == hostile
        page.evaluate("([n]) => window.weightgrad.set(n, 3)", [hostile[0]])
        assert page.evaluate("window.weightgrad.get('n1')")["data"] == -6.0
        assert page.locator("img").count() == 0
        log.assert_clean()


def test_numbers_in_the_picture_read_as_pythons(chromium, tmp_path: Path) -> None:
    # The page's fmt must print what explain and the drawings print ("%.6g").
    x = Value(1.0, "x")
    samples = [5.1, -0.000123456789, 1e-5, 123456.7, 1234567.0, 1e290, -2.5e-300, 0.1 + 0.2,
               100000.0, 7.0, -0.0, math.inf, -math.inf, math.nan, 0.5, 99999.95]
    with offline_page(chromium, playground(x * 1.0).html(), tmp_path / "p.html") as (page, log):
        for s in samples:
            page.evaluate("([x]) => window.weightgrad.set('x', x)", [s])
            text = page.evaluate("() => [...document.querySelectorAll('#picture g.node')]"
                                 ".find(g => g.querySelector('title').textContent === 'n0')"
                                 ".textContent")  # n0: the leaf x, first in the picture
            assert f"data {s:.6g}" in text, (s, text)
        log.assert_clean()


def test_the_command_line_writes_a_page_that_edits_live(chromium, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    from weightgrad.engine.cli import main

    page_path = tmp_path / "p.html"
    status = main(["play", "x1*w1 + x2*w2 + b", "x1=5", "w1=0.7", "x2=2", "w2=0.3", "b=1",
                   "--html", str(page_path)])
    out = capsys.readouterr().out
    assert status == 0 and "weights the step button moves: w1, w2, b" in out
    with offline_page(chromium, page_path.read_text(), tmp_path / "opened.html") as (page, log):
        assert page.evaluate("window.weightgrad.get('out')")["data"] == 5.1
        page.evaluate("window.weightgrad.step(0.01)")  # moves w1, w2, b; never x1, x2
        moved = page.evaluate("['x1', 'w1', 'b'].map(n => window.weightgrad.get(n).data)")
        assert moved == [5.0, 0.7 - 0.01 * (5.0 + 0.0 * 0.7), 1.0 - 0.01 * (1.0 + 0.0 * 1.0)]
        log.assert_clean()


@pytest.mark.parametrize(("argv", "message"), [
    (["play", "x*w", "x=1", "w=2", "--html", "{p}", "--params", "q"],
     "--params: q not in EXPR (its names: x, w)"),
    (["play", "x*w", "x=1", "w=2"], "the following arguments are required: --html"),
    (["play", "x*", "x=1", "--html", "{p}"], "got end of expression"),
    (["play", "x*w", "x=1", "w=2", "--html", "/proc/nope/p.html"], "cannot write --html"),
])
def test_command_line_mistakes_are_one_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
        message: str) -> None:
    from weightgrad.engine.cli import main

    argv = [a.replace("{p}", str(tmp_path / "p.html")) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("weightgrad: error: ") and message in err
    assert not (tmp_path / "p.html").exists()
