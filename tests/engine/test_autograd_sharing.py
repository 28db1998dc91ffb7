"""Backward through every sharing pattern the public API can build: fused layers over one
shared input tuple and over lists, tuples reused at several depths, layer outputs used as the
weights of another weighted sum, nodes that are both weight and input.

The truth is independent of `topological_order`: a naive accumulation written here (Kahn's
algorithm over `parents`, each node passing its gradient once every child has passed its
own) and central differences. `explain` and anomaly mode must agree with `backward()` bit for
bit on the same graphs."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weightgrad.engine import Value, detect_anomaly, explain, gradcheck
from weightgrad.engine.fused import weighted_sum, weighted_sums
from weightgrad.engine.ops import TANH
from weightgrad.nn import Layer


def reference_grads(root: Value) -> dict[int, float]:
    """d root / d node for every node, by the textbook algorithm: a node passes its gradient
    to its parents only after all of its children (every edge, duplicates counted) have."""
    nodes = {id(v): v for v in _all_nodes(root)}
    waiting = dict.fromkeys(nodes, 0)
    for v in nodes.values():
        for p in v.parents:
            waiting[id(p)] += 1
    grads = dict.fromkeys(nodes, 0.0)
    grads[id(root)] = 1.0
    ready = [root]
    while ready:
        v = ready.pop()
        if v.is_leaf:
            continue
        local = v.op.derivatives(v.data, *[p.data for p in v.parents])
        for p, d in zip(v.parents, local):
            grads[id(p)] += grads[id(v)] * d
            waiting[id(p)] -= 1
            if waiting[id(p)] == 0:
                ready.append(p)
    assert all(n == 0 for n in waiting.values()), "the reference walk missed a node"
    return grads


def quadratic_form(p: list[Value], shared: bool) -> Value:
    """X·(W X) with X = (p1·1, p2·1): a fused layer over X, then a weighted sum whose inputs are
    X again and whose weights are the layer's outputs. d/dp = (W + Wᵀ) X."""
    x = [pi * 1.0 for pi in p]  # computed nodes, so the walk must order them
    inputs = tuple(x) if shared else x
    rows = [(Value(0.5), Value(0.25), Value(0.0)), (Value(0.75), Value(1.0), Value(0.0))]
    wx = weighted_sums(rows, inputs)
    return weighted_sum(wx, inputs, Value(0.0))


@pytest.mark.parametrize("shared", [True, False], ids=["tuple", "list"])
def test_quadratic_form_over_a_shared_tuple(shared: bool) -> None:
    p = [Value(1.0, "p1"), Value(2.0, "p2")]
    quadratic_form(p, shared).backward()
    # (W + Wᵀ) = [[1, 1], [1, 2]]; times (1, 2): by hand
    assert [pi.grad for pi in p] == [3.0, 5.0]


@pytest.mark.parametrize("shared", [True, False], ids=["tuple", "list"])
def test_quadratic_form_explain_and_anomaly_agree(shared: bool) -> None:
    p = [Value(1.0, "p1"), Value(2.0, "p2")]
    story = explain(quadratic_form(p, shared))
    assert [story.grads[id(pi)] for pi in p] == [3.0, 5.0]
    with detect_anomaly():
        quadratic_form(p, shared).backward()
    assert [pi.grad for pi in p] == [3.0, 5.0]


def test_the_failing_review_case_a_fused_layer_over_a_tuple() -> None:
    # The outside review's graph: an nn.Layer applied to a tuple X, and a weighted sum over X.
    p = [Value(0.3, "p1"), Value(-1.2, "p2")]

    def f(p1: Value, p2: Value) -> Value:
        x = (p1.tanh(), p2.tanh())
        layer = Layer(2, 2, "linear", random.Random(4), fused=True)
        return weighted_sum(layer(x), x, Value(0.5))

    assert gradcheck(f, p)


# -- random graphs ------------------------------------------------------------------------

Program = list[tuple]
Build = Callable[..., Value]


@st.composite
def programs(draw: st.DrawFn) -> tuple[int, Program]:
    """A recipe for a graph: leaves, then steps over a pool of nodes and a pool of tuples.

    Drawn towards the patterns that share: tuples of computed nodes (a walk must order them),
    pooled tuples as inputs more often than fresh lists, layers as wide as a row of a later
    weighted sum, rows made of the newest nodes (often the outputs of a layer over the same
    tuple: X·(W X))."""
    n_leaves = draw(st.integers(2, 4))
    n_nodes, lengths = n_leaves, []  # nodes in the pool; length of each pooled tuple
    program: Program = []
    for _ in range(draw(st.integers(2, 9))):
        node = st.integers(0, n_nodes - 1)
        newest = st.integers(max(0, n_nodes - 4), n_nodes - 1)
        kind = draw(st.sampled_from(["unary", "binary", "tuple", "wsums", "wsums", "layer",
                                     "form"]))
        if kind == "unary":
            program.append(("unary", draw(st.sampled_from(["tanh", "sigmoid", "half"])),
                            draw(node)))
            n_nodes += 1
        elif kind == "binary":
            program.append(("binary", draw(st.sampled_from(["+", "*", "-"])), draw(node),
                            draw(node)))
            n_nodes += 1
        elif kind == "tuple":
            program.append(("tuple", draw(st.lists(st.one_of(newest, node), min_size=1,
                                                   max_size=4))))
            lengths.append(len(program[-1][1]))
        else:
            # inputs: a pooled tuple (shared: the same object every time), a fresh list, or
            # plain numbers (a first layer's: they live in the Σ's op, not in the graph)
            if lengths and draw(st.sampled_from([True, True, False])):
                source = ("pool", draw(st.integers(0, len(lengths) - 1)))
                n_in = lengths[source[1]]
            elif draw(st.sampled_from([True, False, False])):
                n_in = draw(st.integers(1, 3))
                source = ("numbers", n_in)
            else:
                n_in = draw(st.integers(1, 3))
                source = ("list", draw(st.lists(newest, min_size=n_in, max_size=n_in)))
            if kind == "layer":
                nout = draw(st.sampled_from([1, 2, n_in + 1]))
                program.append(("layer", source, nout, draw(st.integers(0, 99))))
            elif kind == "form":  # X·(W X): a layer over X, its outputs the weights over X
                program.append(("form", source, draw(node), draw(st.integers(0, 99))))
                nout = n_in + 1
            else:
                # rows: a pooled tuple of n_in + 1 (weights and bias; its members may be
                # layer outputs, inputs of this very sum, or both) or the newest nodes
                fits = [t for t, n in enumerate(lengths) if n == n_in + 1]
                rows = []
                for _ in range(draw(st.integers(1, 3))):
                    if fits and draw(st.booleans()):
                        rows.append(("pool", draw(st.sampled_from(fits))))
                    else:
                        rows.append(("nodes", draw(st.lists(st.one_of(newest, node),
                                                            min_size=n_in + 1,
                                                            max_size=n_in + 1))))
                program.append(("wsums", source, rows, draw(st.booleans())))
                nout = len(rows)
            n_nodes += nout
            if draw(st.sampled_from([True, True, False])):  # outputs as weights or inputs
                program.append(("tuple", list(range(n_nodes - nout, n_nodes))))
                lengths.append(nout)
    return n_leaves, program


def replay(program: Program) -> Build:
    """A function of the leaves that builds the program's graph and returns its root."""
    def build(*leaves: Value) -> Value:
        nodes, pool = list(leaves), []
        for step in program:
            kind = step[0]
            if kind == "unary":
                x = nodes[step[2]]
                nodes.append({"tanh": x.tanh, "sigmoid": x.sigmoid,
                              "half": lambda x=x: x * 0.5}[step[1]]())
            elif kind == "binary":
                a, b = nodes[step[2]], nodes[step[3]]
                nodes.append(a + b if step[1] == "+" else a * b if step[1] == "*" else a - b)
            elif kind == "tuple":
                pool.append(tuple(nodes[i] for i in step[1]))
            else:
                where, what = step[1]
                inputs = (pool[what] if where == "pool" else [nodes[i] for i in what]
                          if where == "list" else [0.5 - 0.75 * k for k in range(what)])
                if kind in ("layer", "form"):
                    nout = step[2] if kind == "layer" else len(inputs)
                    layer = Layer(len(inputs), nout, "tanh", random.Random(step[-1]),
                                  fused=True)
                    out = layer.forward(inputs)
                    nodes.extend(out)
                    if kind == "form":
                        nodes.extend(weighted_sums([(*out, nodes[step[2]])], inputs))
                else:
                    rows = [pool[r] if w == "pool" else tuple(nodes[i] for i in r)
                            for w, r in step[2]]
                    nodes.extend(weighted_sums(rows, inputs, TANH if step[3] else None))
        # Every node counts, each with its own weight, so no gradient is trivially zero; the
        # newest first, so that the walk starts deep and meets shared tuples half-finished.
        return weighted_sum([Value(1.0 + k / 8) for k in range(len(nodes))], nodes[::-1],
                            Value(0.0))
    return build


graph_programs = st.tuples(programs(), st.lists(st.floats(-1.5, 1.5), min_size=4,
                                                max_size=4))


@given(graph_programs)
def test_backward_matches_the_naive_reference_on_random_shared_graphs(
        case: tuple[tuple[int, Program], list[float]]) -> None:
    (n_leaves, program), values = case
    leaves = [Value(x, f"p{i}") for i, x in enumerate(values[:n_leaves])]
    root = replay(program)(*leaves)
    expected = reference_grads(root)
    root.backward()
    nodes = {id(v): v for v in _all_nodes(root)}
    for key, v in nodes.items():
        assert math.isclose(v.grad, expected[key], rel_tol=1e-9, abs_tol=1e-12), \
            (program, v, expected[key])


@given(graph_programs)
def test_backward_matches_central_differences_on_random_shared_graphs(
        case: tuple[tuple[int, Program], list[float]]) -> None:
    (n_leaves, program), values = case
    assert gradcheck(replay(program), values[:n_leaves])


@given(graph_programs)
def test_explain_and_anomaly_mode_agree_with_backward_bit_for_bit(
        case: tuple[tuple[int, Program], list[float]]) -> None:
    (n_leaves, program), values = case
    build = replay(program)
    leaves = [Value(x, f"p{i}") for i, x in enumerate(values[:n_leaves])]
    root = build(*leaves)
    root.backward()
    fast = {id(v): v.grad for v in _all_nodes(root)}
    story = explain(root)
    checked_leaves = [Value(x, f"p{i}") for i, x in enumerate(values[:n_leaves])]
    checked_root = build(*checked_leaves)
    with detect_anomaly():
        checked_root.backward()
    for leaf, checked in zip(leaves, checked_leaves):
        assert story.grads.get(id(leaf), 0.0) == leaf.grad == checked.grad, program
    for v in _all_nodes(root):  # explain's story of every node, not only the leaves
        assert story.grads.get(id(v), 0.0) == fast[id(v)]


def _all_nodes(root: Value) -> list[Value]:
    seen: dict[int, Value] = {}
    stack = [root]
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen[id(v)] = v
            stack.extend(v.parents)
    return list(seen.values())
