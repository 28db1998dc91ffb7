"""nn's activation functions, read from the engine's op catalogue: never a list of their own.

An activation is an op of the catalogue (`weightgrad.engine.ops`) that carries a `gain` (the
one `nn.init.calculate_gain` gives, PyTorch's table) and a `saturated` test (where the
function is flat, which `nn.flow` counts), plus "linear": the identity, which adds no node,
has gain 1 and is never saturated. A parameterised op is its family's catalogue member by
name (leaky_relu: negative slope 0.01), `get("leaky_relu", 0.1)` for another. An op defined
from user code with a gain and a saturation test (`ops.define(..., gain=..., saturated=...)`)
becomes one too, usable as `MLP(..., activation=name)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from weightgrad.engine import Value, apply, ops


@dataclass(frozen=True)
class Activation:
    """An activation function: its catalogue op (None for linear), init gain, saturation."""

    name: str
    op: ops.Op | None
    gain: float
    saturated: Callable[[float], bool]

    def __call__(self, x: Value) -> Value:
        return x if self.op is None else apply(self.op, x)

    @classmethod
    def of(cls, op: ops.Op) -> Activation:
        """The activation of a catalogue op that has a gain and a saturation test."""
        if op.gain is None or op.saturated is None:
            raise ValueError(f"op {op.name!r} is not an activation (it needs a gain and a "
                             "saturation test)")
        return cls(op.name, op, op.gain, op.saturated)


LINEAR = Activation("linear", None, 1.0, lambda out: False)

_TABLE: dict[str, Activation] = {"linear": LINEAR}
# name -> Activation, kept in step with the catalogue (read-only; nn.layers reads it per call)
ACTIVATIONS = MappingProxyType(_TABLE)


def _sync(name: str, op: ops.Op | None) -> None:
    if name == "linear":  # nn's identity, whatever an op of that name may do
        return
    if op is not None and op.gain is not None and op.saturated is not None:
        _TABLE[name] = Activation.of(op)
    else:
        _TABLE.pop(name, None)


ops.subscribe(_sync)


def get(name: str, param: float | None = None) -> Activation:
    """The activation called `name`; `param` picks another member of a parameterised op's
    family (leaky_relu's negative slope). ValueError naming the choices for anything else."""
    act = _TABLE.get(name) if isinstance(name, str) else None
    if act is None:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(_TABLE)}")
    if param is None:
        return act
    if act.op is None or act.op.family is None:
        raise ValueError(f"activation {name!r} takes no parameter, got {param!r}")
    return Activation.of(act.op.family(param))
