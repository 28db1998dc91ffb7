"""Small decisions, each as PyTorch has it or as the README says: the truth of a Value, and
generated names (n1, n2, ...) that never read as a user's own, in every view that names nodes
(explain, draw_graph, the playground, anomaly mode, the command line); and the playground's
size limit, the page at exactly the limit working in real Chromium."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.browser import offline_page
from weightgrad.engine import (
    GraphTooLarge,
    Value,
    detect_anomaly,
    draw_graph,
    explain,
    playground,
    render_svg,
    topological_order,
)
from weightgrad.engine.cli import main
from weightgrad.engine.names import MAX_NODES, node_names


@pytest.mark.parametrize(("x", "truth"), [(0.0, False), (-0.0, False), (2.5, True),
                                          (-1e-300, True), (math.inf, True), (math.nan, True)])
def test_the_truth_of_a_value_is_the_truth_of_its_data_as_in_pytorch(x: float,
                                                                     truth: bool) -> None:
    # bool(torch.tensor(x)) is bool(x) for a one-element tensor: nan is True, -0.0 False.
    assert bool(Value(x)) is truth is bool(x)
    v = Value(x, "v")
    assert (v or "other") is (v if truth else "other")  # `or` reads it the same way


def test_a_computed_zero_is_false_and_its_graph_still_works() -> None:
    a = Value(2.0, "a")
    out = a - 2.0
    assert not out
    out.backward()
    assert a.grad == 1.0


def _users_names() -> tuple[Value, dict[str, Value]]:
    """`n1*x + n2`: leaves named n1, n2 and x, and two computed nodes to name."""
    leaves = {n: Value(v, n) for n, v in (("n1", 2.0), ("x", 3.0), ("n2", 4.0))}
    return leaves["n1"] * leaves["x"] + leaves["n2"], leaves


def test_generated_names_skip_every_name_a_label_has() -> None:
    root, leaves = _users_names()
    names = node_names(topological_order(root))
    assert sorted(names.values()) == ["n1", "n2", "n3", "n4", "x"]
    assert len(set(names.values())) == len(names)
    assert {names[id(v)] for v in leaves.values()} == {"n1", "n2", "x"}


def test_explain_never_narrates_a_users_name_as_a_computed_one() -> None:
    root, _ = _users_names()
    text = str(explain(root))
    assert "n3 = n1 * x = 2 * 3 = 6" in text and "n4 = n3 + n2 = 6 + 4 = 10" in text
    assert "n1 = n1" not in text


def test_the_picture_and_the_playground_use_the_same_names() -> None:
    root, _ = _users_names()
    svg = render_svg(draw_graph(root))
    assert ">n3<" in svg and ">n4<" in svg
    page = playground(root).html()
    data = json.loads(page.split('id="wg-graph">', 1)[1].split("</script>", 1)[0])
    assert [n["name"] for n in data["nodes"]] == ["n1", "x", "n3", "n2", "n4"]


def test_anomaly_mode_names_the_users_node_and_the_computed_one_apart() -> None:
    n1, x = Value(0.0, "n1"), Value(-1.0, "x")
    out = (n1 * x).log()  # log(-0.0) = -inf in the node computed from n1 and x
    with pytest.raises(ArithmeticError, match=r"forward: n3 = log\(n2\) gave -inf") as info, \
            detect_anomaly():
        out.backward()
    assert "n1" not in str(info.value).split(" from ")[0]


def test_the_command_line_narrates_n1_times_x_plus_n2_with_fresh_names(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "n1*x + n2", "n1=2", "x=3", "n2=4"]) == 0
    out = capsys.readouterr().out
    assert "n3 = n1 * x = 2 * 3 = 6" in out and "out = n3 + n2 = 6 + 4 = 10" in out
    assert "n1 = n1" not in out


def _exactly(n: int) -> Value:
    """A graph of exactly n Values (n even): x, then (n - 2) / 2 additions of a constant,
    then one negation."""
    v = Value(0.5, "x")
    for _ in range((n - 2) // 2):
        v = v + 1.0
    return -v


def test_the_playground_takes_a_graph_at_its_size_limit_and_refuses_one_more(
        chromium, tmp_path: Path) -> None:
    root = _exactly(MAX_NODES)
    assert len(topological_order(root)) == MAX_NODES
    with pytest.raises(GraphTooLarge, match=f"graph has {MAX_NODES + 1} Values; a picture "
                                            f"shows at most {MAX_NODES}"):
        playground(-root)
    name = node_names(topological_order(root))[id(root)]
    with offline_page(chromium, playground(root).html(), tmp_path / "p.html") as (page, log):
        page.evaluate("window.weightgrad.set('x', 2.25)")
        got = page.evaluate("([n]) => window.weightgrad.get(n)", [name])
        assert got == {"data": -(2.25 + (MAX_NODES - 2) // 2), "grad": 1.0}
        assert page.evaluate("window.weightgrad.get('x')")["grad"] == -1.0
        log.assert_clean()
