"""Reverse-mode backprop over a graph of Values, and the switch that turns recording off.

The walk is iterative (an explicit stack, never recursion), so a graph a million ops deep
works with Python's default recursion limit. Parents are visited in the order they were
recorded, so the order, the pictures and the step-by-step story are the same on every run.

Leaves (inputs and weights) accumulate across calls until someone zeroes them, as PyTorch's
do. Every intermediate gets a gradient too, recomputed from zero on each call, so it can be
drawn and explained (PyTorch keeps an intermediate's only after `retain_grad()`, and then
accumulates it like a leaf's).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .ops import ADD, MUL, RELU, WSUM, WSUMC

if TYPE_CHECKING:
    from .value import Value

class _Modes(threading.local):
    """This thread's modes: grad mode and anomaly mode are per thread, as in PyTorch, so one
    thread's `no_grad()` (an inference server, an optimizer step) never stops another's
    training from recording."""

    grad = True  # when False, results are recorded as constants with no parents
    # Read once per backward(): when True (engine.anomaly.detect_anomaly), backward() checks
    # every value and gradient for inf and nan instead of taking the fast path below.
    anomaly = False


modes = _Modes()

# Read by every op before the thread's own flag: True while no thread is inside a no_grad()
# block, so that every thread records and one module global answers. Reading the
# thread-local on every op instead costs about 40 ns a node, a quarter of the time it takes
# to build one (measured on `a * b + a` then relu); this way it is read only while some
# thread is inside no_grad().
everyone_records = True
_open_blocks = 0  # no_grad() blocks open in all threads
_lock = threading.Lock()


def recording() -> bool:
    """Whether ops run now, in this thread, record the graph."""
    return everyone_records or modes.grad


@contextmanager
def no_grad() -> Iterator[None]:
    """Build no graph inside the block (optimizer updates, inference), as torch.no_grad().
    Per thread: other threads go on recording."""
    global everyone_records, _open_blocks
    previous = modes.grad
    with _lock:
        _open_blocks += 1
        everyone_records = False
    modes.grad = False
    try:
        yield
    finally:
        modes.grad = previous
        with _lock:
            _open_blocks -= 1
            everyone_records = _open_blocks == 0


def is_grad_enabled() -> bool:
    """Whether this thread records the graph (False inside no_grad())."""
    return modes.grad


def topological_order(root: Value, leaves: bool = True) -> list[Value]:
    """Every node that `root` depends on, parents before children, `root` last.

    A depth-first walk with an explicit stack: a node is pushed once to be expanded (its
    parents pushed above it, first parent on top) and once more, marked, to be emitted after
    them; a node whose parents are all done is emitted at once. Deterministic: parents are
    taken in their recorded order. `leaves=False` leaves out the inputs, weights and
    constants (backward never needs to visit them).

    A fused Σ's two tuples are shared (the inputs by a layer's neurons, (w..., bias) by one
    neuron across calls), so a tuple is scanned until it is *finished*, not once per node:
    it is finished when a Σ that holds it is emitted, since that Σ's parents, every element
    of the tuple, were all emitted before it. Until then, every Σ that meets the tuple pushes
    its elements not yet seen: a tuple that one Σ has begun may still have elements waiting
    on the stack below the Σ now being expanded (a layer's input tuple that is also the
    weights of a later Σ, say), and that Σ must wait for them too. A Σ over plain numbers
    (WSUMC) keeps numbers in `_b`: only its (w..., bias) is pushed.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    # ids of finished tuples: each is held by a node in `seen`, so its id stays its own
    done: set[int] = set()
    stack: list[tuple[Value, bool | None]] = [(root, False)]
    push, pop, emit, mark, finish = stack.append, stack.pop, order.append, seen.add, done.add

    while stack:
        node, state = pop()
        if state is not False:  # True: emit; None: emit a Σ, whose tuples are then finished
            emit(node)
            if state is None:
                finish(id(node._a))
                finish(id(node._b))
            continue
        if node in seen:
            continue
        mark(node)
        a = node._a
        if a is None:  # a leaf: nothing to wait for
            emit(node)
            continue
        b = node._b
        if b is None:
            if a not in seen and type(a._b) is tuple and id(a._b) in done \
                    and id(a._a) in done:
                # An activation on a fused Σ whose tuples are finished: the Σ is ready, so
                # emit both now instead of three trips round the loop.
                mark(a)
                emit(a)
                emit(node)
                continue
            if (leaves or a._a is not None) and a not in seen:
                push((node, True))
                push((a, False))
            else:
                emit(node)
            continue
        if type(b) is not tuple:
            push((node, True))
            waiting = len(stack)
            if (leaves or b._a is not None) and b not in seen:
                push((b, False))
            if (leaves or a._a is not None) and a not in seen:
                push((a, False))
            if len(stack) == waiting:  # both parents already done: emit now
                pop()
                emit(node)
            continue
        # a fused Σ: _a = (w..., bias), _b = inputs; pushed bias, inputs, weights, so that
        # the weights come off the stack first, as parent order says
        push((node, None))
        waiting = len(stack)
        weights_done = id(a) in done
        if not weights_done and (leaves or a[-1]._a is not None) and a[-1] not in seen:
            push((a[-1], False))
        if id(b) not in done and node._op is not WSUMC:  # WSUMC's _b holds numbers
            for p in reversed(b):
                if (leaves or p._a is not None) and p not in seen:
                    push((p, False))
        if not weights_done:
            for i in range(len(a) - 2, -1, -1):
                if (leaves or a[i]._a is not None) and a[i] not in seen:
                    push((a[i], False))
        if len(stack) == waiting:  # every parent already done: emit now
            pop()
            emit(node)
            finish(id(a))
            finish(id(b))
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
    (`Op.chain`, which divides by a quotient's divisor instead). The most frequent ops are
    written out inline, with exactly the arithmetic their `local` states, because a function
    call per node would double the cost of a training step; every other op multiplies its
    `local` derivatives by the gradient as `chain` does, and a quotient goes through `chain`.
    The inline ops skip a zero gradient
    where that is exact, i.e. where every local derivative is finite (then 0 * d adds
    nothing): a dead relu or a point outside the hinge margin then costs nothing further
    down, as in a hand-written backward pass.
    """
    if modes.anomaly:
        from .anomaly import checked_backward

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
        elif op is WSUMC:  # a Σ over numbers: _a = (w_1..w_n, b), _b = (c_1..c_n)
            if g == 0.0 and node.data - node.data == 0.0:
                continue  # exact, as for WSUM
            for w, c in zip(a, node._b):  # stops before the bias
                w.grad += c * g
            a[-1].grad += g
        elif op is RELU:
            if a.data > 0.0:
                a.grad += g
            elif g != g or g - g != 0.0:
                a.grad += 0.0 * g  # 0 * inf or 0 * nan is nan, as the generic path gives
        elif op.over:  # a quotient: Op.chain divides the gradient first
            parents = node.parents
            for parent, gained in zip(parents, op.chain(g, node.data, *[p.data for p in parents])):
                parent.grad += gained
        else:  # Op.chain's arithmetic, d * g per parent, without building its tuples
            b = node._b
            if b is None:
                a.grad += op.local(node.data, a.data)[0] * g
            else:
                da, db = op.local(node.data, a.data, b.data)
                a.grad += da * g
                b.grad += db * g
