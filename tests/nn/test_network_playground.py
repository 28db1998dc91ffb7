"""The network page: it trains in real Chromium exactly as nn.optim.SGD trains in Python, its
heat map is the model's own output at the grid points, its edges follow the weights by
draw_network's rule, a clicked edge shows its gradient and chain rule, and bad models or data
are refused in one line."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.browser import offline_page
from weightgrad.engine import Value, render_svg
from weightgrad.nn import MLP, SGD, Conv1d, draw_network, hinge_loss, make_moons
from weightgrad.nn import network_playground as make_page

XS, YS = make_moons(50, noise=0.1, seed=0)
LR = 0.1


def fresh_model() -> MLP:
    return MLP(2, [8, 8, 1], seed=1)


def trained_in_python(steps: int) -> MLP:
    model = fresh_model()
    optimizer = SGD(model.parameters(), lr=LR)
    for _ in range(steps):
        loss = hinge_loss([model(x) for x in XS], YS)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


@pytest.fixture
def page(chromium, tmp_path: Path):
    html = make_page(fresh_model(), XS, YS).html()
    with offline_page(chromium, html, tmp_path / "net.html") as (opened, log):
        yield opened
        log.assert_clean()


def weights(page) -> dict[str, float]:
    return page.evaluate("() => Object.fromEntries(window.weightgrad.weights().map("
                         "n => [n, window.weightgrad.get(n).data]))")


def test_training_in_the_page_is_sgd_in_python(page) -> None:
    page.evaluate(f"window.weightgrad.train(25, {LR})")
    model = trained_in_python(25)
    expected = dict((name, p.data) for name, p in model.named_parameters())
    got = weights(page)
    largest = max(abs(x) for x in expected.values())
    assert got.keys() == expected.keys()
    assert all(abs(got[n] - expected[n]) <= 1e-12 * largest for n in expected)
    loss = hinge_loss([model(x) for x in XS], YS).data
    assert abs(page.evaluate("window.weightgrad.get('loss').data") - loss) <= 1e-12


def test_the_heat_map_is_the_models_output_at_the_grid_points(page) -> None:
    page.evaluate(f"window.weightgrad.train(10, {LR})")
    grid = page.evaluate("window.weightgrad.boundary()")
    model = trained_in_python(10)
    g = len(grid["xs"])
    assert g == 40 and len(grid["values"]) == g * g
    for r in range(0, g, 3):
        for c in range(0, g, 3):
            expected = model([grid["xs"][c], grid["ys"][r]]).data
            assert abs(grid["values"][r * g + c] - expected) <= 1e-12 * max(1.0, abs(expected))
    # the grid spans the data: every point lies inside it
    assert min(grid["xs"]) < min(x for x, _ in XS) and max(grid["ys"]) > max(y for _, y in XS)


def edge_styles(svg: str) -> dict[str, tuple[str, str]]:
    """weight name -> (stroke, stroke-width) of its edge, from Graphviz's or the page's SVG."""
    ns = "{http://www.w3.org/2000/svg}"
    styles = {}
    for g in ET.fromstring(svg).iter(f"{ns}g"):
        match = re.fullmatch(r"(?:net-)?w:(.+)", g.get("id") or "")
        path = g.find(f".//{ns}path")
        if match and path is not None:
            width = float(path.get("stroke-width") or 1.0)
            styles[match[1]] = (path.get("stroke"), f"{width:.2f}")
    return styles


def test_edges_follow_a_stepped_weight_by_draw_networks_rule(page) -> None:
    before = edge_styles(page.inner_html("#network").strip())
    page.evaluate(f"window.weightgrad.train(15, {LR})")
    page.evaluate("window.weightgrad.set('layers.0.neurons.2.w.1', -2.5)")  # a learner's edit
    model = trained_in_python(15)
    dict(model.named_parameters())["layers.0.neurons.2.w.1"].data = -2.5
    expected = edge_styles(render_svg(draw_network(model, labels=False)))
    got = edge_styles(page.inner_html("#network").strip())
    assert got == expected and got != before
    assert got["layers.0.neurons.2.w.1"][0] == "#e8710a"  # orange: negative


def test_clicking_an_edge_shows_its_gradient_and_chain_rule(page) -> None:
    name = "layers.1.neurons.3.w.5"
    page.locator(f'[id="net-w:{name}"] path').dispatch_event("click")  # edges overlap
    grad = page.evaluate(f"window.weightgrad.get('{name}').grad")
    assert page.inner_text("#w-grad") == f"d loss / d {name} = {grad:.6g}"
    page.fill("#w-point", "4")
    steps = page.inner_text("#w-steps")
    assert steps.startswith(f"data point 4 ({XS[3][0]:.6g}, {XS[3][1]:.6g}; label ")
    assert f"{name}.grad += " in steps and "where:" in steps


def test_the_page_trains_by_itself_when_asked(page) -> None:
    page.click("#train")
    for _ in range(200):  # polled from here: the page's CSP allows no eval for a waiter
        if page.evaluate("window.weightgrad.steps()") >= 30:
            break
        page.wait_for_timeout(100)
    page.click("#train")  # pause
    paused = page.evaluate("window.weightgrad.steps()")
    page.wait_for_timeout(200)
    assert page.evaluate("window.weightgrad.steps()") == paused
    assert page.inner_text("#loss").endswith(f"after {paused} steps")


@pytest.mark.parametrize(("make", "message"), [
    (lambda: make_page(MLP(3, [4, 1], seed=0), [[0, 0, 0]], [1]), "must take 2 inputs"),
    (lambda: make_page(MLP(2, [4, 2], seed=0), XS, YS), "give 1 output"),
    (lambda: make_page(MLP(2, [16, 16, 1], seed=0), XS, YS), "at most 300 parameters"),
    (lambda: make_page(fresh_model(), XS * 5, YS * 5), "at most 200 points"),
    (lambda: make_page(fresh_model(), XS, YS[:-1]), "targets must be a list of 50"),
    (lambda: make_page(fresh_model(), XS, YS, loss="l1"), "loss must be one of"),
    (lambda: make_page(Conv1d(1, 1, 2), XS, YS), "model must be"),
    (lambda: make_page(fresh_model(), [[0.0, float("nan")]] * 2, [1, -1]), "finite"),
])
def test_what_the_page_cannot_take_is_refused_in_one_line(make, message: str) -> None:
    with pytest.raises((TypeError, ValueError)) as refused:
        make()
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_inputs_may_be_values() -> None:
    page = make_page(fresh_model(), [[Value(x), Value(y)] for x, y in XS], YS)
    assert page.points[0] == list(XS[0])
