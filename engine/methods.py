"""Value's methods from the op catalogue: one per function op, added and removed as the
catalogue changes (`ops.subscribe`), so a user's `ops.define("softplus", ...)` gives
`v.softplus()` at once and `ops.unregister("softplus")` takes it away.

Three shapes, read from the entry:
- one operand: `v.exp()`, `v.relu()`;
- a family (an op made by a factory): `v.leaky_relu()` is the registered member,
  `v.leaky_relu(0.2)` asks the factory for another;
- two operands (`arity=2`): `v.max(w)`, the second a Value or a number.
Each method holds its op's forward in a closure and records its node directly (no `apply`):
the activations are a large part of every training graph. Its docstring is the entry's own
formula and local derivatives, so `help(Value.tanh)` says what backward will do.
"""

from __future__ import annotations

from collections.abc import Callable

from . import ops
from .op import Op
from .value import Operand, Value, _operand, _record


def _method(op: Op) -> Callable[..., Value]:
    """The Value method of a function op: `v.relu()`, `v.leaky_relu(0.1)` (another member of
    the op's family), as fast as a hand-written `_record(op.forward(v.data), op, v, None)`."""
    forward, family = op.forward, op.family
    if op.arity == 2:  # v.max(w): the second operand is the argument, a Value or a number
        def method(self: Value, other: Operand) -> Value:
            if type(other) is not Value:
                other = _operand(other, op)
            return _record(forward(self.data, other.data), op, self, other)
    elif family is None:
        def method(self: Value) -> Value:
            return _record(forward(self.data), op, self, None)
    else:
        def method(self: Value, *params: object, **named: object) -> Value:
            chosen = family(*params, **named) if params or named else op
            return _record(chosen.forward(self.data), chosen, self, None)
    method.__name__, method.__qualname__ = op.name, f"Value.{op.name}"
    operands = ["self", "other"][:op.arity]
    words = ", ".join(f"d/d{n} = {t}" for n, t in zip(operands, op.local_text(operands, "out")))
    method.__doc__ = (f"{op.expression(operands)}: the catalogue's {op.name!r} op (engine.ops)"
                      + (f"; {words}." if words else ".")
                      + (" Arguments pick another member of its family." if family else ""))
    method._op = op  # type: ignore[attr-defined]  # marks a generated method
    return method


def _sync_method(name: str, op: Op | None) -> None:
    """ops.subscribe's listener: a method for each function op, removed with the op."""
    current = Value.__dict__.get(name)
    generated = current is not None and hasattr(current, "_op")
    if op is not None and op.function:
        if hasattr(Value, name) and not generated:
            raise ValueError(f"op name {name!r} is taken by Value.{name}; choose another name")
        setattr(Value, name, _method(op))
    elif generated:
        delattr(Value, name)


ops.subscribe(_sync_method)  # every function op of the catalogue, now and later
