"""Published worked examples, by the numbers their authors printed."""

from __future__ import annotations

import pytest

from weightgrad.engine import Value


def test_micrograd_readme_example() -> None:
    # github.com/karpathy/micrograd README: g = 24.7041, dg/da = 138.8338, dg/db = 645.5773
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163, abs=1e-8)
    assert a.grad == pytest.approx(138.8338192, abs=1e-7)
    assert b.grad == pytest.approx(645.5772595, abs=1e-7)


def _neuron(xs: list[float], ws: list[float], b: float) -> tuple[list[Value], list[Value],
                                                                 Value, Value]:
    x = [Value(v) for v in xs]
    w = [Value(v) for v in ws]
    bias = Value(b)
    out = x[0] * w[0] + x[1] * w[1] + bias
    out.backward()
    return x, w, bias, out


def test_seed_example_one_is_five_point_one() -> None:
    # Quoted as "(5 * 0.7) + (2 * 0.3) + 1 = 4.9"; the arithmetic is 3.5 + 0.6 + 1 = 5.1.
    x, w, b, out = _neuron([5.0, 2.0], [0.7, 0.3], 1.0)
    assert out.data == pytest.approx(5.1, abs=1e-12)
    assert [v.grad for v in x] == pytest.approx([0.7, 0.3], abs=1e-15)
    assert [v.grad for v in w] == [5.0, 2.0]
    assert b.grad == 1.0


def test_seed_example_two() -> None:
    x, w, b, out = _neuron([0.5, 0.3], [0.8, 0.6], 0.2)
    assert out.parents[0].data == pytest.approx(0.58, abs=1e-12)
    assert out.data == pytest.approx(0.78, abs=1e-12)
    assert [v.grad for v in x] == pytest.approx([0.8, 0.6], abs=1e-15)
    assert [v.grad for v in w] == pytest.approx([0.5, 0.3], abs=1e-15)
    assert b.grad == 1.0
