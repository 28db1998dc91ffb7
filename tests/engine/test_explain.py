"""explain: the forward and backward story, its numbers, and its frames."""

from __future__ import annotations

import pytest

from tests.svg import parse
from weightgrad.engine import Value, explain
from weightgrad.engine.palette import HIGHLIGHT


def seed_neuron() -> tuple[Value, list[Value]]:
    leaves = [Value(5, "x1"), Value(0.7, "w1"), Value(2, "x2"), Value(0.3, "w2"), Value(1, "b")]
    x1, w1, x2, w2, b = leaves
    out = x1 * w1 + x2 * w2 + b
    out.label = "out"
    return out, leaves


def test_story_of_the_seed_neuron() -> None:
    out, _ = seed_neuron()
    story = explain(out)
    texts = [s.text for s in story.steps]
    assert texts[:4] == ["n1 = x1 * w1 = 5 * 0.7 = 3.5", "n2 = x2 * w2 = 2 * 0.3 = 0.6",
                         "n3 = n1 + n2 = 3.5 + 0.6 = 4.1", "out = n3 + b = 4.1 + 1 = 5.1"]
    assert texts[4].startswith("out.grad = 1")
    assert "w1.grad += n1.grad * x1 = 1 * 5 = 5" in texts
    assert "x2.grad += n2.grad * w2 = 1 * 0.3 = 0.3" in texts
    assert len(texts) == 4 + 1 + 8  # forward, seed, one per operand edge
    table = story.table()
    assert "w1.grad += n1.grad * x1 = 1 * 5 = 5" in table
    assert table.splitlines()[-1] == "out = 5.1; gradients: x1 0.7, w1 5, x2 0.3, w2 2, b 1"
    widths = {line.index("n1 = x1") for line in table.splitlines() if "n1 = x1" in line}
    assert len(widths) == 1


def test_story_agrees_with_backward_and_changes_nothing() -> None:
    a, b = Value(1.5, "a"), Value(-0.4, "b")
    y = ((a * b + a) / (b ** 2 + 1)).tanh() + (a - b).exp().log() * a.sigmoid()
    story = explain(y)
    assert a.grad == 0.0 and b.grad == 0.0
    y.backward()
    assert story.grads[id(a)] == pytest.approx(a.grad, abs=1e-15)
    assert story.grads[id(b)] == pytest.approx(b.grad, abs=1e-15)
    again = [s.text for s in explain(y).steps]
    assert again == [s.text for s in story.steps]


def test_fan_out_shows_running_totals() -> None:
    a = Value(3.0, "a")
    y = a * a
    y.label = "y"
    texts = [s.text for s in explain(y).steps]
    assert texts[-2] == "a.grad += y.grad * a = 1 * 3 = 3"
    assert texts[-1] == "a.grad += y.grad * a = 1 * 3 = 3 (total 6)"


def test_frames_show_what_is_known_and_highlight_the_step() -> None:
    out, _ = seed_neuron()
    story = explain(out)
    frames = story.frames()
    assert len(frames) == len(story.steps)
    for frame, step in zip(frames, story.steps):
        picture = parse(frame.svg)
        lit = [n.texts[0] for n in picture.nodes.values() if HIGHLIGHT in n.strokes]
        assert lit == [story.name(step.target)] == [frame.node]
    first = parse(frames[0].svg).text()
    assert "grad ?" in first and "data ?" in first  # n2, n3, out not computed yet
    last = parse(frames[-1].svg).text()
    assert "?" not in last and "grad 5" in last
    seed = parse(frames[4].svg).text()
    assert seed.count("grad ?") == 8  # only out.grad is known at the seed step


def test_table_has_no_size_limit_but_pictures_do() -> None:
    from weightgrad.engine import GraphTooLarge

    x = Value(1.0, "x")
    y = x
    for _ in range(1200):
        y = y * 1.0 + x  # 4,801 Values: past the picture limit
    story = explain(y)
    assert story.table().splitlines()[-1].endswith("gradients: x 1201")
    with pytest.raises(GraphTooLarge, match="at most 2000"):
        story.frames()
    small = x
    for _ in range(150):
        small = small * 1.0  # 301 Values, 451 steps
    with pytest.raises(GraphTooLarge, match="at most 400"):
        explain(small).frames()


def test_totals_match_backward_bit_for_bit_through_fused_sums() -> None:
    import random

    from weightgrad.engine.fused import weighted_sum

    rng = random.Random(0)
    for _ in range(200):
        vs = [Value(rng.uniform(-10, 10) * 10 ** rng.randint(-8, 8), f"v{i}") for i in range(4)]
        # each Value is a weight of one sum and an input of another: several contributions
        s1 = weighted_sum(vs[:3], vs[1:], vs[3])
        s2 = weighted_sum([vs[2], vs[0], vs[3]], [s1, vs[1], vs[0]], vs[1])
        out = s1 * s2
        story = explain(out)
        out.backward()
        assert [story.grads[id(v)] for v in vs] == [v.grad for v in vs]
