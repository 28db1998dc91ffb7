"""`Op`: what one entry of the op catalogue (`engine.ops`) is, and how the chain rule and
explain's words read it. The entries themselves, and the registry, are in `engine.ops`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass

from .floats import div


@dataclass(frozen=True, eq=False)
class Op:
    """One operation. `local(out, *parents)` returns d out / d parent for each parent.

    `formula` says the same local derivatives in words for `explain`: one template per
    parent, with {a} and {b} standing for the parents' names and {out} for the result's
    (or a function of (parent names, out name) for ops of any arity).

    `over` marks local derivatives that are quotients: for parent i, `over[i]` is the index
    of the operand it is divided by (None: not a quotient), and `local` gives the numerator.
    The chain rule then divides the incoming gradient first, g / b, instead of multiplying
    by 1 / b, which overflows for |b| < 1e-308 where the true gradient is finite.

    The fields after those are optional and keyword-only; each has a default meaning "not
    given", so an entry names only what it has:
    - `function`: the op is called by its name: a `Value` method (`v.abs()`), a function of
      the expression language (`abs(x)`), listed in the command line's help and the README.
    - `template`: how the forward reads when `symbol(a)` / `a symbol b` does not fit, with
      {a} and {b} for the operands' names or numbers (`leaky_relu({a}, 0.1)`).
    - `gain`, `saturated`: the op as a network's activation: the gain nn.init uses (PyTorch's
      `calculate_gain` table), and whether an output lies where the function is flat (the
      saturation `nn.flow` counts). An op with a gain is one of nn's activations.
    - `family`: for an op made by a factory (`powc(2)`, `leaky_relu(0.1)`), the factory. The
      registry holds one member; `v.leaky_relu(0.1)` asks the factory for another.

    - `js`: the forward and each local derivative as JavaScript expressions of the operands
      `a`, `b` and the result `out`, for the live page (`engine.playground`), which evaluates
      the graph in the browser with them and refuses an op that has none. They may call the
      page's IEEE helpers `pow`, `log`, `exp`, `sigmoid`, `powBaseGrad`, `powExponentGrad`,
      which behave as `engine.floats`. For a quotient (`over`), the numerator, as `local`.

    - `constants`: numbers that belong to the op itself rather than to its operands: the
      plain-number inputs of a weighted sum over numbers (`ops.weighted_sum_of`).

    - `arity`: how many operands a function op takes, 1 or 2. A two-operand function (`max`)
      has a two-number forward and a `template` ("max({a}, {b})"); its Value method takes
      the second operand as its argument (`a.max(b)`), and the expression language calls it
      with two arguments (`max(x, y)`).

    Later work adds a field the same way, with a default that means "not given", read only
    by the view that needs it; no existing entry changes.
    """

    name: str
    symbol: str
    forward: Callable[..., float]
    local: Callable[..., tuple[float, ...]]
    formula: tuple[str, ...] | Callable[[list[str], str], list[str]] = ()
    over: tuple[int | None, ...] = ()
    _: KW_ONLY
    function: bool = False
    template: str = ""
    gain: float | None = None
    saturated: Callable[[float], bool] | None = None
    family: Callable[..., Op] | None = None
    js: tuple[str, ...] = ()
    arity: int = 1
    constants: tuple[float, ...] = ()

    def derivatives(self, out: float, *args: float) -> tuple[float, ...]:
        """d out / d parent for each parent, as numbers (quotients divided out)."""
        local = self.local(out, *args)
        if not self.over:
            return local
        return tuple([d if k is None else div(d, args[k]) for d, k in zip(local, self.over)])

    def chain(self, g: float, out: float, *args: float) -> tuple[float, ...]:
        """What each parent's gradient gains from this node's gradient `g`: g · d out/d parent,
        computed as (g / divisor) · numerator for a quotient (see `over`)."""
        local = self.local(out, *args)
        if not self.over:
            return tuple([d * g for d in local])
        return tuple([d * g if k is None else div(g, args[k]) * d
                      for d, k in zip(local, self.over)])

    def chain_text(self, g: float, out: float, *args: float, fmt: Callable[[float], str]
                   ) -> list[str]:
        """The arithmetic of `chain` for each parent, in words: `2 * 0.5` or `2 / 4 * (-3)`."""
        local = self.local(out, *args)
        over = self.over or (None,) * len(local)
        return [f"{fmt(g)} * {fmt(d)}" if k is None
                else f"{fmt(g)} / {fmt(args[k])}" if d == 1.0
                else f"{fmt(g)} / {fmt(args[k])} * {_paren(fmt(d))}"
                for d, k in zip(local, over)]

    def __repr__(self) -> str:
        return f"Op({self.name})"

    def expression(self, names: list[str]) -> str:
        """How the forward computation reads: `x1 * w1`, `tanh(n)`, `x**2`."""
        if self.name == "wsum":
            n = (len(names) - 1) // 2
            return " + ".join([names[-1], *(f"{w}·{x}" for w, x in zip(names[:n],
                                                                     names[n:2 * n]))])
        if self.name == "wsumc":
            return " + ".join([names[-1], *(f"{w}·{_paren(f'{c:.6g}')}"
                                            for w, c in zip(names, self.constants))])
        if self.template:
            return self.template.format(a=names[0], b=names[1] if len(names) > 1 else "")
        if len(names) == 2:
            return f"{names[0]} {self.symbol} {names[1]}"
        return f"{self.symbol}({names[0]})"

    def local_text(self, names: list[str], out: str) -> list[str]:
        """The local derivative d out / d parent for each parent, as readable formulas."""
        if callable(self.formula):
            return self.formula(names, out)
        fields = {"a": names[0], "b": names[1] if len(names) > 1 else "", "out": out}
        return [t.format(**fields) for t in self.formula]


def js_number(x: float) -> str:
    """A float as a JavaScript literal that reads back as the same double (for `js`)."""
    if x - x == 0.0:  # finite
        return repr(float(x))
    return "NaN" if x != x else ("Infinity" if x > 0 else "-Infinity")


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text
