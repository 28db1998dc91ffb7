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

from engine.ops import ADD, MUL, RELU, WSUM

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

    A depth-first walk with an explicit stack: a node is pushed once to be expanded (its
    parents pushed above it, first parent on top) and once more, marked, to be emitted after
    them. Deterministic: parents are taken in their recorded order.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    push, pop, emit, mark = stack.append, stack.pop, order.append, seen.add
    while stack:
        node, expanded = pop()
        if expanded:
            emit(node)
            continue
        if node in seen:
            continue
        mark(node)
        a = node._a
        if a is None:  # a leaf: nothing to wait for
            emit(node)
            continue
        push((node, True))
        b = node._b
        if b is not None:
            if b not in seen:
                push((b, False))
            if a not in seen:
                push((a, False))
        elif type(a) is tuple:
            for p in reversed(a):
                if p not in seen:
                    push((p, False))
        elif a not in seen:
            push((a, False))
    return order


def backward(root: Value, order: list[Value] | None = None) -> list[Value]:
    """Fill `.grad` on every node `root` depends on; returns the topological order used.

    Each node passes its gradient to its parents times the op's local derivative
    (`Op.local`). The most frequent ops are written out inline, with exactly the arithmetic
    their `local` states, because a function call per node would double the cost of a
    training step; every other op goes through `local`.
    """
    if order is None:
        order = topological_order(root)
    for node in order:
        if node._a is not None:
            node.grad = 0.0  # intermediates start over; leaves keep what they had
    root.grad = root.grad + 1.0 if root._a is None else 1.0
    for node in reversed(order):
        a = node._a
        if a is None:
            continue
        op, g = node._op, node.grad
        if op is ADD:
            a.grad += g
            node._b.grad += g
        elif op is MUL:
            b = node._b
            a.grad += b.data * g
            b.grad += a.data * g
        elif op is WSUM:
            n = len(a) // 2  # parents: w_1..w_n, x_1..x_n, b
            for w, x in zip(a[:n], a[n:-1]):
                w.grad += x.data * g
                x.grad += w.data * g
            a[-1].grad += g
        elif op is RELU:
            if a.data > 0.0:
                a.grad += g
            else:
                a.grad += 0.0 * g  # keeps nan and inf visible, as the generic path would
        else:
            parents = node.parents
            local = op.local(node.data, *[p.data for p in parents])
            for parent, d in zip(parents, local):
                parent.grad += d * g
    return order
