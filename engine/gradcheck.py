"""Check backprop against central finite differences, as torch.autograd.gradcheck does.

For each input x_i: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) should equal the gradient
backprop gives, within |analytic - numeric| <= atol + rtol * |numeric|. A mismatch raises
GradcheckError naming the input and both numbers, so a wrong local derivative is obvious.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from .autograd import no_grad
from .value import Number, Value


class GradcheckError(AssertionError):
    """Backprop and finite differences disagree for one input."""


def _name(i: int, label: str) -> str:
    return f"input {i} ({label!r})" if label else f"input {i}"


def _evaluate(f: Callable[..., Value], point: list[float], labels: list[str]) -> float:
    with no_grad():
        out = f(*[Value(x, label) for x, label in zip(point, labels)])
    return out.data if isinstance(out, Value) else float(out)


def gradcheck(f: Callable[..., Value], inputs: Sequence[Value | Number], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """True if backprop's gradient of `f(*inputs)` matches central differences for every input.

    `inputs` are numbers or Values (their data and labels are used; their grads are left
    alone). `f` takes one Value per input and returns a Value.
    """
    if not inputs:
        raise ValueError("gradcheck needs at least one input")
    point = [x.data if isinstance(x, Value) else Value(x).data for x in inputs]
    labels = [x.label if isinstance(x, Value) else "" for x in inputs]
    leaves = [Value(x, label) for x, label in zip(point, labels)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    if not math.isfinite(out.data):
        raise GradcheckError(f"gradcheck: f is not finite at {point}: {out.data}")
    out.backward()
    for i, leaf in enumerate(leaves):
        plus, minus = list(point), list(point)
        plus[i] += eps
        minus[i] -= eps
        numeric = (_evaluate(f, plus, labels) - _evaluate(f, minus, labels)) / (2 * eps)
        analytic = leaf.grad
        if not abs(analytic - numeric) <= atol + rtol * abs(numeric):  # False for nan too
            raise GradcheckError(
                f"gradient mismatch for {_name(i, labels[i])} at {point[i]!r}: "
                f"backprop gives {analytic!r}, central difference gives {numeric!r} "
                f"(eps={eps}, atol={atol}, rtol={rtol})")
    return True
