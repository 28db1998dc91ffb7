"""Reverse-mode backprop over a graph of Values, and the switch that turns recording off.

The walk is iterative (an explicit stack, never recursion), so a graph a million ops deep
works with Python's default recursion limit. Parents are visited in the order they were
recorded, so the order, the pictures and the step-by-step story are the same on every run.

Semantics follow PyTorch: `backward()` recomputes every intermediate gradient from zero,
while leaves (inputs and weights) accumulate across calls until someone zeroes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.value import Value

# Read by every op: when False, results are recorded as constants with no parents.
grad_enabled = True


@contextmanager
def no_grad() -> Iterator[None]:
    """Build no graph inside the block (optimizer updates, inference), as torch.no_grad()."""
    global grad_enabled
    previous = grad_enabled
    grad_enabled = False
    try:
        yield
    finally:
        grad_enabled = previous


def is_grad_enabled() -> bool:
    return grad_enabled


def topological_order(root: Value) -> list[Value]:
    """Every node that `root` depends on, parents before children, `root` last.

    A depth-first walk with an explicit stack of (node, next-parent-index); a node is emitted
    once all its parents are. Deterministic: parents are taken in their recorded order.
    """
    order: list[Value] = []
    seen = {root}
    stack = [(root, 0)]
    while stack:
        node, i = stack[-1]
        parents = node._prev
        while i < len(parents) and parents[i] in seen:
            i += 1
        if i < len(parents):
            parent = parents[i]
            stack[-1] = (node, i + 1)
            seen.add(parent)
            stack.append((parent, 0))
        else:
            stack.pop()
            order.append(node)
    return order


def backward(root: Value, order: list[Value] | None = None) -> list[Value]:
    """Fill `.grad` on every node `root` depends on; returns the topological order used."""
    if order is None:
        order = topological_order(root)
    for node in order:
        if node._prev:
            node.grad = 0.0  # intermediates start over; leaves keep what they had
    root.grad = root.grad + 1.0 if not root._prev else 1.0
    for node in reversed(order):
        parents = node._prev
        if not parents:
            continue
        g = node.grad
        local = node._op.local(node.data, *[p.data for p in parents])
        for parent, d in zip(parents, local):
            parent.grad += d * g
    return order
