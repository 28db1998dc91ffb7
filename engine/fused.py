"""Fused weighted sums: a neuron's b + Σ wᵢ·xᵢ as ONE node instead of 2n, and a whole layer's
at once, sharing one tuple of inputs. Most of what makes a fused layer fast and small
(`make bench`): the node holds (w..., b) in `_a` and the inputs in `_b`, both tuples shared
(the inputs by every neuron of a layer, (w..., b) by one neuron across calls), which the
backward walk (`autograd.topological_order`) scans until they are finished, not once a node.

Inputs that are all plain numbers (a first layer's pixels) are not made into nodes: they
belong to the node's op (`ops.weighted_sum_of`; the node keeps the layer's one tuple of
them), as a plain exponent belongs to `x ** 2`, and its parents are its weights and bias.
So they get no gradient, as an input tensor without requires_grad gets none in PyTorch;
give Values to see d/dinput (a saliency map). This halves the backward work of a first
layer and saves a node per input per point (the digits epoch in `make bench` went from 2.36x
to 1.80x the plain-Python epoch with this alone).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import autograd, ops
from .ops import Op
from .value import Operand, Value, _new, _operand


def weighted_sum(weights: Sequence[Value], inputs: Sequence[Operand], bias: Value) -> Value:
    """Σ wᵢ·xᵢ + b as ONE node (a neuron's pre-activation), local derivatives xᵢ, wᵢ and 1
    (numbers for inputs: parents w and b only, see the module's docstring).

    The additions run b + w₁x₁ + w₂x₂ + ... in that order, the same floats as a neuron built
    from one * and one + per input, so fused and unfused neurons agree to the last bit.
    """
    return weighted_sums([(*weights, bias)], inputs)[0]


def _constant(x: Operand) -> Value:
    """`x` as a Value: a float becomes a constant leaf without `Value.__init__`'s checks (numbers
    among Values, a recurrent cell's inputs beside its state); anything else goes through
    the usual operand rules."""
    if type(x) is not float:
        return x if isinstance(x, Value) else _operand(x, ops.WSUM)
    leaf = _new(Value)
    leaf.data, leaf.grad, leaf.label = x, 0.0, ""
    leaf._op = leaf._a = leaf._b = None
    return leaf


def weighted_sums(neurons: Sequence[tuple[Value, ...]], inputs: Sequence[Operand],
                  activation: Op | None = None) -> list[Value]:
    """A whole layer's weighted sums on the same inputs: one Σ node per neuron, given as a
    tuple (w_1, ..., w_n, b), each followed by its own `activation` node if one is given.

    Every node shares one tuple of the inputs, and a neuron that passes the same tuple each
    time shares that too: most of what makes a fused layer fast and small.
    """
    xs = tuple(inputs)
    kinds = set(map(type, xs))
    record = autograd.recording()
    if kinds == {Value}:
        op = ops.WSUM
    elif kinds == {float} or not any(isinstance(x, Value) for x in xs):
        # numbers only (a first layer's inputs): they belong to the op, not to the graph
        if kinds != {float}:
            xs = tuple([_operand(x, ops.WSUM).data for x in xs])
        op = ops.WSUMC
    else:  # Values of subclasses (Parameters), or numbers among Values: constant leaves
        xs = tuple(map(_constant, xs))
        op = ops.WSUM
    xd = xs if op is ops.WSUMC else [x.data for x in xs]
    act = activation.forward if activation is not None else None
    out = []
    width = len(xd) + 1
    for wb in neurons:
        if len(wb) != width:  # zip below would silently drop the extra weights
            raise ValueError(f"weighted_sum: {len(wb) - 1} weights for {len(xd)} inputs")
        total = wb[-1].data
        for w, x in zip(wb, xd):  # stops before the bias
            total += w.data * x
        # _record, written out: this runs once per neuron per point.
        node = _new(Value)
        node.data, node.grad, node.label = total, 0.0, ""
        if record:
            node._op, node._a, node._b = op, wb, xs
        else:
            node._op = node._a = node._b = None
        if act is not None:
            parent, node = node, _new(Value)
            node.data, node.grad, node.label = act(total), 0.0, ""
            if record:
                node._op, node._a, node._b = activation, parent, None
            else:
                node._op = node._a = node._b = None
        out.append(node)
    return out
