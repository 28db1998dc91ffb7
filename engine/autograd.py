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
# Read once per backward(): when True (engine.anomaly.detect_anomaly), backward() checks every
# value and gradient for inf and nan instead of taking the fast path below.
anomaly_enabled = False


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


def topological_order(root: Value, leaves: bool = True) -> list[Value]:
    """Every node that `root` depends on, parents before children, `root` last.

    A depth-first walk with an explicit stack: a node is pushed once to be expanded (its
    parents pushed above it, first parent on top) and once more, marked, to be emitted after
    them; a node whose parents are all done is emitted at once. Deterministic: parents are
    taken in their recorded order. `leaves=False` leaves out the inputs, weights and
    constants (backward never needs to visit them).
    """
    order: list[Value] = []
    seen: set[Value] = set()
    shared: set[int] = set()  # ids of Σ tuples already expanded
    keep: list[tuple[Value, ...]] = []  # holds those tuples, so their ids stay theirs
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
        b = node._b
        if b is None and a not in seen and type(a._b) is tuple and id(a._b) in shared \
                and id(a._a) in shared:
            # A unary node (an activation) on a fused Σ whose tuples are finished (see
            # below): the Σ is ready, so emit both now instead of three trips round the loop.
            mark(a)
            emit(a)
            emit(node)
            continue
        push((node, True))
        waiting = len(stack)
        if b is None:
            if (leaves or a._a is not None) and a not in seen:
                push((a, False))
        elif type(b) is tuple:  # fused Σ: _a = (w..., bias), _b = inputs
            # Both tuples are shared: the inputs by a layer's neurons, (w..., bias) by one
            # neuron across calls. Each is expanded once per walk, not once per node. This is
            # safe because a tuple's elements always existed before every node sharing it, so
            # none of them can depend on such a node: whichever node expanded the tuple first
            # has had those elements finished before any other sharer is reached.
            new_a = id(a) not in shared
            if new_a:
                shared.add(id(a))
                keep.append(a)
                if (leaves or a[-1]._a is not None) and a[-1] not in seen:
                    push((a[-1], False))
            if id(b) not in shared:
                shared.add(id(b))
                keep.append(b)
                for p in reversed(b):
                    if (leaves or p._a is not None) and p not in seen:
                        push((p, False))
            if new_a:
                for i in range(len(a) - 2, -1, -1):
                    if (leaves or a[i]._a is not None) and a[i] not in seen:
                        push((a[i], False))
        else:
            if (leaves or b._a is not None) and b not in seen:
                push((b, False))
            if (leaves or a._a is not None) and a not in seen:
                push((a, False))
        if len(stack) == waiting:  # every parent already done: emit now
            pop()
            emit(node)
    return order


def accumulation_order(node: Value) -> range | list[int]:
    """The order in which backward() adds a node's contributions to its parents, as indices
    into `node.parents`: parent order, except that a fused Σ goes w1, x1, w2, x2, ..., b as its
    inline loop below does. `explain` and anomaly mode follow it, so that a node that is both
    a weight and an input gets a bit-identical total everywhere."""
    n_parents = len(node.parents)
    if node._op is not WSUM:
        return range(n_parents)
    n = (n_parents - 1) // 2
    return [i for k in range(n) for i in (k, n + k)] + [2 * n]


def backward(root: Value) -> None:
    """Fill `.grad` on every node `root` depends on.

    Each node passes its gradient to its parents times the op's local derivative
    (`Op.local`). The most frequent ops are written out inline, with exactly the arithmetic
    their `local` states, because a function call per node would double the cost of a
    training step; every other op goes through `local`. The inline ops skip a zero gradient
    where that is exact, i.e. where every local derivative is finite (then 0 * d adds
    nothing): a dead relu or a point outside the hinge margin then costs nothing further
    down, as in a hand-written backward pass.
    """
    if anomaly_enabled:
        from engine.anomaly import checked_backward

        return checked_backward(root)
    if root._a is None:  # a leaf: d root / d root = 1, accumulated like any leaf's grad
        root.grad += 1.0
        return
    order = topological_order(root, leaves=False)
    for node in order:
        node.grad = 0.0  # intermediates start over; leaves (not in the order) keep theirs
    root.grad = 1.0
    for node in reversed(order):
        a = node._a
        if a is None:
            continue
        op, g = node._op, node.grad
        if op is ADD:
            if g != 0.0:  # exact: the local derivatives are 1, so 0 would add nothing
                a.grad += g
                node._b.grad += g
        elif op is MUL:
            if g == 0.0 and node.data - node.data == 0.0:
                continue  # exact: a finite product has finite factors
            b = node._b
            a.grad += b.data * g
            b.grad += a.data * g
        elif op is WSUM:  # _a = (w_1..w_n, b), _b = (x_1..x_n); see accumulation_order
            if g == 0.0 and node.data - node.data == 0.0:
                continue  # exact: a finite sum has finite factors, and 0 * finite adds 0
            for w, x in zip(a, node._b):  # stops before the bias
                w.grad += x.data * g
                x.grad += w.data * g
            a[-1].grad += g
        elif op is RELU:
            if a.data > 0.0:
                a.grad += g
            elif g != g or g - g != 0.0:
                a.grad += 0.0 * g  # 0 * inf or 0 * nan is nan, as the generic path gives
        else:
            parents = node.parents
            local = op.local(node.data, *[p.data for p in parents])
            for parent, d in zip(parents, local):
                parent.grad += d * g
