"""Backprop: fan-out, repeat-backward semantics, the deep chain, no cycles, no_grad, order."""

from __future__ import annotations

import gc
import sys

from weightgrad.engine import Value, no_grad, topological_order


def test_fan_out_accumulates() -> None:
    a = Value(3.0, "a")
    out = a * a + a  # d/da = 2a + 1
    out.backward()
    assert a.grad == 7.0


def test_a_plus_a_counts_both_edges() -> None:
    a = Value(1.5)
    (a + a).backward()
    assert a.grad == 2.0


def test_every_node_keeps_its_grad() -> None:
    x, w, b = Value(2.0, "x"), Value(-3.0, "w"), Value(1.0, "b")
    xw = x * w
    n = xw + b
    out = n.tanh()
    out.backward()
    dn = 1 - out.data ** 2
    assert out.grad == 1.0 and n.grad == dn and xw.grad == dn
    assert x.grad == dn * -3.0 and w.grad == dn * 2.0 and b.grad == dn


def test_repeat_backward_accumulates_leaves_and_resets_intermediates() -> None:
    # PyTorch semantics: a second backward() adds to the leaves' grads, but every
    # intermediate grad is recomputed from zero.
    x, w = Value(2.0, "x"), Value(5.0, "w")
    h = x * w
    out = h * 3
    out.backward()
    assert (w.grad, h.grad, out.grad) == (6.0, 3.0, 1.0)
    out.backward()
    assert (w.grad, x.grad) == (12.0, 30.0)
    assert (h.grad, out.grad) == (3.0, 1.0)


def test_backward_of_a_leaf_accumulates_one() -> None:
    v = Value(4.0)
    v.backward()
    v.backward()
    assert v.grad == 2.0


def test_million_op_chain_with_default_recursion_limit() -> None:
    assert sys.getrecursionlimit() <= 10_000  # nothing raised it
    x = Value(0.5, "x")
    y = x
    for _ in range(1_000_000):
        y = y + x  # y = (n + 1) x, so dy/dx = n + 1
    y.backward()
    assert x.grad == 1_000_001.0
    assert y.data == 0.5 * 1_000_001


def test_dropped_graph_leaves_nothing_for_the_cyclic_collector() -> None:
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        y = x
        for i in range(50_000):
            y = (y * 1.0001 + i).tanh()  # 100,000 op nodes plus constant leaves
        y.backward()
        del x, y
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_no_grad_records_nothing_and_restores() -> None:
    w = Value(2.0)
    with no_grad():
        u = w * 3 + 1
        assert u.is_leaf and u.data == 7.0
        try:
            with no_grad():
                raise RuntimeError
        except RuntimeError:
            pass
        assert (w * 2).is_leaf
    v = w * 3
    assert not v.is_leaf
    v.backward()
    assert w.grad == 3.0


def test_topological_order_is_deterministic_and_parents_first() -> None:
    def build() -> Value:
        a, b = Value(1.0, "a"), Value(2.0, "b")
        c = a * b
        c.label = "c"
        d = c + a
        d.label = "d"
        e = (d * c).relu()
        e.label = "e"
        return e

    orders = [[v.label for v in topological_order(build())] for _ in range(3)]
    assert orders[0] == orders[1] == orders[2]
    assert orders[0] == ["a", "b", "c", "d", "", "e"]
    order = topological_order(build())
    position = {id(v): i for i, v in enumerate(order)}
    assert all(position[id(p)] < position[id(v)] for v in order for p in v.parents)
