"""Central differences on one parameter, shared by the tests that check a module's gradients
against its forward pass alone."""

from __future__ import annotations

from collections.abc import Callable

from weightgrad.engine import Value, no_grad


def central_difference(f: Callable[[], float], p: Value, eps: float = 1e-6) -> float:
    """(f() with p + eps − f() with p − eps) / 2eps, run under no_grad; p's number is put
    back exactly as it was."""
    old = p.data
    with no_grad():
        p.data = old + eps
        up = f()
        p.data = old - eps
        down = f()
    p.data = old
    return (up - down) / (2 * eps)
