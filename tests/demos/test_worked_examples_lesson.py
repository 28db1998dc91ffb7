"""The first lesson prints what it teaches: 5.1, the 0.2 gap, and the five fixes."""

from __future__ import annotations

import pytest

from demos import worked_examples


def test_lesson_output(capsys: pytest.CaptureFixture[str]) -> None:
    worked_examples.main()
    out = capsys.readouterr().out
    assert "The engine computes 5.1" in out
    assert "off by 0.2" in out
    for line in ["w1   0.7 -> 0.66", "w2   0.3 -> 0.2", "b      1 -> 0.8", "x1     5 -> 4.71429"]:
        assert line in out
    assert "raising w1 by 0.01 raises the output by about 0.05" in out
    assert "weighted sum 0.58, plus bias 0.78" in out
    assert "The engine computes 4.9" not in out and "= 4.9\n" not in out.split("Example 2")[0]
