"""gradcheck passes correct gradients and names the input and both numbers when wrong."""

from __future__ import annotations

import pytest

from weightgrad.engine import GradcheckError, Value, gradcheck
from weightgrad.engine.ops import Op
from weightgrad.engine.value import apply

# sin-like op with a deliberately wrong local derivative (2a instead of 3a^2)
WRONG_CUBE = Op("wrong_cube", "^3", lambda a: a ** 3, lambda out, a: (2 * a,))


def test_passes_on_correct_gradients() -> None:
    assert gradcheck(lambda x, w, b: (x * w + b).tanh(), [0.5, -1.2, 0.3])


def test_failure_names_input_and_both_numbers() -> None:
    x = Value(2.0, "x")
    with pytest.raises(GradcheckError) as err:
        gradcheck(lambda a, b: a * apply(WRONG_CUBE, b), [1.0, x])
    message = str(err.value)
    assert "input 1 ('x')" in message
    assert "backprop gives 4.0" in message  # 1 * 2 * 2
    assert "central difference gives 12.0" in message[:200] or "12.0000" in message


def test_leaves_callers_values_alone() -> None:
    x = Value(2.0, "x")
    gradcheck(lambda a: a * a, [x])
    assert x.grad == 0.0


def test_refuses_non_value_result() -> None:
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda a: 3.0, [1.0])  # type: ignore[arg-type, return-value]
