"""The registry of the op catalogue: which ops exist, by name, and who is told when that
changes. `engine.ops` fills it with the built-in entries and re-exports these functions:
`ops.register(op)`, `ops.define(name, forward, local, formula)` for a user's function op,
`ops.unregister(name)`, `ops.registry()`, `ops.functions()` and `ops.subscribe(listener)`
(how `Value` keeps one method per function op, `engine.methods`).

A built-in entry is never replaced or removed; a user's entry may be registered again (a
notebook cell run twice replaces it). Every refusal changes nothing: listeners are asked
first, so a name `Value` already has (`data`, `backward`) is refused before it is stored.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable

from .op import Op

_REGISTRY: dict[str, Op] = {}  # name -> op, in the order the entries were registered
_BUILTIN: set[str] = set()  # the names registered by this module: never replaced
_listeners: list[Callable[[str, Op | None], None]] = []


def register(op: Op) -> Op:
    """Add `op` to the catalogue under `op.name` and return it. Registering a name again
    replaces an op registered from user code (a notebook cell run twice), never a built-in;
    a function op may not take a name `Value` already has (data, backward, ...). A refusal
    is a TypeError or ValueError and changes nothing."""
    if not isinstance(op, Op):
        raise TypeError(f"register expects an Op, got {type(op).__name__}: {op!r:.60}")
    name = op.name
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) \
            or name.startswith("_"):
        raise ValueError(f"op name {name!r} must be an identifier that does not start with '_'")
    if name in _BUILTIN:
        raise ValueError(f"{name!r} is a built-in op of the catalogue; choose another name")
    if isinstance(op.arity, bool) or op.arity not in (1, 2):  # `apply` takes one or two
        raise ValueError(f"op {name!r}: arity must be 1 or 2, got {op.arity!r}")
    for listener in _listeners:  # first, so that a listener's refusal changes nothing
        listener(name, op)
    _REGISTRY[name] = op
    return op


def unregister(name: str) -> None:
    """Remove an op registered from user code (and its Value method)."""
    if name in _BUILTIN:
        raise ValueError(f"{name!r} is a built-in op of the catalogue and cannot be removed")
    if name not in _REGISTRY:
        raise KeyError(f"no op {name!r} in the catalogue")
    for listener in _listeners:
        listener(name, None)
    del _REGISTRY[name]


def subscribe(listener: Callable[[str, Op | None], None]) -> None:
    """Call `listener(name, op)` for every op registered, now and later, and
    `listener(name, None)` when one is removed (how `Value` keeps its methods in step)."""
    for name, op in _REGISTRY.items():
        listener(name, op)
    _listeners.append(listener)


def registry() -> dict[str, Op]:
    """Every registered op by name, in catalogue order (a copy)."""
    return dict(_REGISTRY)


def functions() -> dict[str, Op]:
    """The ops called by their names (`function=True`): Value's methods, the expression
    language's functions."""
    return {name: op for name, op in _REGISTRY.items() if op.function}


def define(name: str, forward: Callable[..., float], local: Callable[..., tuple[float, ...]],
           formula: tuple[str, ...] = (), *, symbol: str = "", **fields: object) -> Op:
    """Register a function op from user code: `v.name()`, `name(x)` in expressions, explain's
    steps, drawings. `local(out, x)` returns (d out / d x,); `formula` says it in words with
    {a} for the operand and {out} for the result. More `Op` fields go in `fields`."""
    return register(Op(name, symbol or name, forward, local, formula, function=True,
                       **fields))  # type: ignore[arg-type]


def _builtin(op: Op) -> Op:
    if op.name in _REGISTRY:  # two entries of one name: the second would hide the first
        raise ValueError(f"two built-in ops named {op.name!r}")
    register(op)
    _BUILTIN.add(op.name)
    return op
