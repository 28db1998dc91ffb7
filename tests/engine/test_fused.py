"""Fused weighted sums (engine/fused.py): over Values, over plain numbers (kept in the op, no
input nodes), and over a mixture; checked against numbers worked by hand, the same sum over
Values (bit for bit), central differences and explain's words."""

from __future__ import annotations

import random

import pytest

from weightgrad.engine import Value, apply, explain, gradcheck, no_grad
from weightgrad.engine import ops as O
from weightgrad.engine.autograd import topological_order
from weightgrad.engine.fused import weighted_sum, weighted_sums


def params(*xs: float) -> list[Value]:
    return [Value(x, f"p{i}") for i, x in enumerate(xs)]


def test_numbers_belong_to_the_op_and_the_parents_are_weights_and_bias() -> None:
    w1, w2, b = params(0.8, 0.6, 0.2)
    s = weighted_sum([w1, w2], [0.5, 0.3], b)
    assert s.op.name == "wsumc" and s.op.constants == (0.5, 0.3)
    assert s.parents == (w1, w2, b)
    assert s.data == 0.2 + 0.8 * 0.5 + 0.6 * 0.3  # b first, then each product, in order
    s.backward()
    # d/dw_i = x_i, d/db = 1 (the second worked example's d/dw = [0.5, 0.3])
    assert [w1.grad, w2.grad, b.grad] == [0.5, 0.3, 1.0]
    assert topological_order(s) == [w1, w2, b, s]  # no node for an input


def test_a_layer_over_numbers_shares_one_op_and_no_input_node() -> None:
    rng = random.Random(0)
    rows = [tuple(Value(rng.uniform(-1, 1)) for _ in range(4)) for _ in range(3)]
    outs = weighted_sums(rows, [1.0, -2.0, 0.25], O.TANH)
    sigmas = [o.parents[0] for o in outs]
    assert len({id(s.op) for s in sigmas}) == 1
    zero = Value(0.0)
    leaves = {id(v) for v in topological_order(sum(outs, zero)) if v.op is None}
    assert leaves == {id(w) for row in rows for w in row} | {id(zero)}


@pytest.mark.parametrize("seed", range(20))
def test_weight_gradients_equal_those_with_value_inputs_bit_for_bit(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 6)
    xs = [rng.uniform(-1, 1) for _ in range(n)]
    wb = [rng.uniform(-0.5, 0.5) for _ in range(n + 1)]
    grads = []
    for inputs in (xs, [Value(x) for x in xs]):
        ws = params(*wb)
        out = weighted_sums([tuple(ws)], inputs, O.TANH)[0] * 3.0
        out.backward()
        grads.append((out.data, [w.grad for w in ws]))
    assert grads[0] == grads[1]
    assert any(g != 0.0 for g in grads[0][1])


def test_gradcheck_passes_through_a_sum_over_numbers() -> None:
    assert gradcheck(lambda w1, w2, b: weighted_sum([w1, w2], [0.5, -3.0], b).tanh(),
                     params(0.3, -0.2, 0.1))


def test_explain_says_the_numbers_and_the_local_derivatives() -> None:
    w1, w2, b = Value(0.8, "w1"), Value(0.6, "w2"), Value(0.2, "b")
    out = weighted_sum([w1, w2], [0.5, -0.3], b)
    texts = [s.text for s in explain(out).steps]
    assert texts[0] == "n1 = b + w1·0.5 + w2·(-0.3) = 0.2 + 0.8·0.5 + 0.6·(-0.3) = 0.42"
    assert "w2.grad += n1.grad * -0.3 = 1 * -0.3 = -0.3" in texts


def test_apply_of_a_member_builds_the_same_node() -> None:
    w1, w2, b = params(0.8, 0.6, 0.2)
    s = apply(O.weighted_sum_of((0.5, -3.0)), w1, w2, b)
    assert s.op.constants == (0.5, -3.0) and s.parents == (w1, w2, b)
    assert s.data == weighted_sum([w1, w2], [0.5, -3.0], b).data


def test_integers_become_floats_and_anything_else_is_named() -> None:
    w, b = params(2.0, 1.0)
    assert weighted_sum([w], [3], b).op.constants == (3.0,)
    with pytest.raises(TypeError, match="got str: 'x'"):
        weighted_sum([w], ["x"], b)


def test_numbers_beside_values_become_constant_nodes() -> None:
    w1, w2, b = params(0.8, 0.6, 0.2)
    x = Value(0.5, "x")
    s = weighted_sum([w1, w2], [x, 0.3], b)
    assert s.op is O.WSUM and s.parents[:3] == (w1, w2, x) and s.parents[3].data == 0.3
    s.backward()
    assert x.grad == 0.8 and s.parents[3].grad == 0.6


def test_under_no_grad_nothing_is_recorded() -> None:
    w1, b = params(0.8, 0.2)
    with no_grad():
        s = weighted_sum([w1], [0.5], b)
    assert s.op is None and s.parents == () and s.data == 0.2 + 0.8 * 0.5


def test_the_op_is_the_same_object_each_time_and_keeps_the_sign_of_zero() -> None:
    import math

    w, b = Value(1.0), Value(-0.0)
    minus, plus = weighted_sum([w], [-0.0], b), weighted_sum([w], [0.0], b)
    assert minus.op is minus.op and minus.op is not plus.op
    assert math.copysign(1.0, minus.op.constants[0]) == -1.0
    assert math.copysign(1.0, plus.op.constants[0]) == 1.0
    # -0 + 1·(-0) = -0, but -0 + 1·0 = +0: the numbers are kept bit for bit
    assert math.copysign(1.0, minus.data) == -1.0 and math.copysign(1.0, plus.data) == 1.0
