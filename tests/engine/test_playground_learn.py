"""Learning on the live page, in real Chromium, used the way a learner would: gradient descent
by hand against nn.optim.SGD, reset, the teacher's goal, the leaves back as Python, and the
quiz driven from the keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import offline_page
from weightgrad.engine import Value, explain, playground
from weightgrad.nn import SGD

START = {"x1": 5.0, "w1": 0.7, "x2": 2.0, "w2": 0.3, "b": 1.0}
PARAMS = ["w1", "w2", "b"]


def neuron(values: dict[str, float]) -> tuple[Value, dict[str, Value]]:
    leaves = {name: Value(x, name) for name, x in values.items()}
    out = leaves["x1"] * leaves["w1"] + leaves["x2"] * leaves["w2"] + leaves["b"]
    out.label = "out"
    return out, leaves


def open_neuron(chromium, tmp_path: Path, **options: object):
    out, _ = neuron(START)
    page_html = playground(out, params=PARAMS, **options).html()
    return offline_page(chromium, page_html, tmp_path / "p.html")


def leaf_values(page) -> dict[str, float]:
    return page.evaluate("() => Object.fromEntries(window.weightgrad.leaves().map("
                         "n => [n, window.weightgrad.get(n).data]))")


def test_five_steps_by_hand_are_sgd_bit_for_bit_and_reset_restores(chromium,
                                                                  tmp_path: Path) -> None:
    values = dict(START)
    with open_neuron(chromium, tmp_path) as (page, log):
        page.fill("#lr", "0.05")
        for step in range(1, 6):
            page.click("#step")  # the learner's button, with the learner's learning rate
            # Python: the same numbers, backward, then nn.optim.SGD's step
            out, leaves = neuron(values)
            out.backward()
            SGD([leaves[n] for n in PARAMS], lr=0.05).step()
            values = {n: v.data for n, v in leaves.items()}
            assert leaf_values(page) == values, step
            note = page.inner_text("#curve-note")
            assert note.startswith(f"out over {step} steps:")
        # the curve has a point per value of out, the first one the start
        points = page.get_attribute("#curve-line", "points").split()
        assert len(points) == 6
        page.click("#reset")
        assert leaf_values(page) == START
        assert page.inner_text("#curve-note").startswith("out over 0 steps: 5.1")
        log.assert_clean()


@pytest.mark.parametrize(("b", "reached"), [(0.8, True), (0.8 + 2e-9, False), (0.81, False),
                                            (0.8 - 5e-10, True)])
def test_the_goal_is_reached_exactly_within_its_tolerance(chromium, tmp_path: Path, b: float,
                                                          reached: bool) -> None:
    with open_neuron(chromium, tmp_path, target=4.9, tol=1e-9) as (page, log):
        assert page.inner_text("#goal").startswith("Goal: make out = 4.9 (within 1e-09).")
        assert "0.2 from the goal" in page.inner_text("#goal-status")
        page.get_by_label("b", exact=True).fill(repr(b))
        out = page.evaluate("window.weightgrad.get('out').data")
        assert (abs(out - 4.9) <= 1e-9) == reached  # the page's own number, Python's rule
        status = page.inner_text("#goal-status")
        assert status.startswith("Reached: out = 4.9") == reached, status
        assert ("reached" in (page.get_attribute("#goal-status", "class") or "")) == reached
        log.assert_clean()


def test_the_copied_python_rebuilds_the_same_output(chromium, tmp_path: Path) -> None:
    with open_neuron(chromium, tmp_path) as (page, log):
        page.get_by_label("w1", exact=True).fill("0.66")
        page.get_by_label("x2", exact=True).fill("-1.25e-3")
        page.click("#step")
        page.click("#copy-python")
        code = page.input_value("#python-text")
        assert code == page.evaluate("window.weightgrad.python()")
        assert "w1 = " in code and "x2 = -0.00125" in code
        shown = page.evaluate("window.weightgrad.get('out').data")
        log.assert_clean()
    names: dict[str, float] = {}
    exec(code, {}, names)  # what a learner pastes into their code
    out, _ = neuron(names)
    assert out.data == shown


def test_play_json_gives_the_leaves_and_the_goal(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from weightgrad.engine.cli import main

    status = main(["play", "x1*w1 + x2*w2 + b", *(f"{n}={x}" for n, x in START.items()),
                   "--html", str(tmp_path / "p.html"), "--target", "4.9", "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert status == 0 and printed["leaves"] == START and printed["target"] == 4.9
    assert printed["params"] == PARAMS and (tmp_path / "p.html").exists()


def test_the_quiz_from_the_keyboard(chromium, tmp_path: Path) -> None:
    out, _ = neuron(START)
    story = explain(out)
    with open_neuron(chromium, tmp_path) as (page, log):
        page.focus("#quiz-start")
        page.keyboard.press("Enter")
        assert "grad ?" in page.inner_text("#picture") and "grad 5" not in page.inner_text(
            "#picture")  # the backward numbers are hidden
        # signs: every gradient here is positive; the learner gets x2 wrong
        for name in START:
            page.keyboard.type("n" if name == "x2" else "p")  # select by first letter
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # "Check the signs"
        assert "✗ (positive)" in page.inner_text("#quiz-signs")
        assert page.inner_text("#quiz-signs").count("✓") == 4
        # then each gradient in backward order, typed and entered
        asked = []
        while (q := page.inner_text("#quiz-question")) != "Done.":
            name = q.removeprefix("What is ").removesuffix(".grad?")
            asked.append(name)
            truth = next(story.grads[id(v)] for v in story.order if story.name(v) == name)
            typed = {"w1": "4", "x2": f"{truth * (1 + 4e-4):.6g}"}.get(name, f"{truth:.6g}")
            page.keyboard.type(typed)
            page.keyboard.press("Enter")
            feedback = page.inner_text("#quiz-feedback")
            if name == "w1":  # wrong: the chain-rule step, in explain's words
                assert feedback.startswith("Not quite: w1.grad = 5")
                assert "w1.grad += n1.grad * x1 = 1 * 5 = 5" in feedback
                assert "w1.grad += n1.grad * x1 = 1 * 5 = 5" in str(story)
            else:  # x2's answer is off in the 4th digit, as from rounded digits: right
                assert feedback.startswith("Right: "), (name, feedback)
        order = [story.name(v) for v in reversed(story.order)
                 if v is not out and (v.label or not v.is_leaf)]
        assert asked == order  # backward's order, leaves and intermediates
        score = page.inner_text("#quiz-score")
        assert score == (f"Score: {4 + len(asked) - 1} of {5 + len(asked)} "
                         f"(signs 4 of 5, gradients {len(asked) - 1} of {len(asked)})")
        page.keyboard.press("Enter")  # focus is on "End the quiz"
        assert "grad 5" in page.inner_text("#picture")  # gradients shown again
        assert not page.is_disabled("#step")
        log.assert_clean()


def test_a_wrong_sign_or_a_missing_factor_is_marked_wrong(chromium, tmp_path: Path) -> None:
    # x1's gradient is w1 = 0.7, so -0.7 has the wrong sign; x2's is w2 = 0.3, so 1 forgot
    # the factor w2; the rest get an answer far off
    with open_neuron(chromium, tmp_path) as (page, log):
        page.click("#quiz-start")
        page.click("#quiz-signs-check")  # no predictions: every sign "?" counts wrong
        marks = []
        while (q := page.inner_text("#quiz-question")) != "Done.":
            name = q.removeprefix("What is ").removesuffix(".grad?")
            page.fill("#quiz-answer", {"x1": "-0.7", "x2": "1"}.get(name, "1e9"))
            page.click("#quiz-check")
            marks.append((name, page.get_attribute("#quiz-feedback", "class")))
        assert all(mark == "wrong" for _, mark in marks)
        assert "(signs 0 of 5, gradients 0 of" in page.inner_text("#quiz-score")
        log.assert_clean()
