"""Self-checking exercises for the notebooks (demos/notebooks/04_exercises.ipynb).

Each `check_*` returns a `Verdict`: right or wrong, in a sentence. A wrong answer shows the
chain-rule step with its numbers, taken word for word from `explain(root).steps` (never
re-derived here), so the hint reads exactly like the engine's own story. An answer of the
wrong *type* gets a sentence saying what was expected, never a traceback: a learner's typo
should teach, not scare.

    from weightgrad.nn import exercises as ex
    ex.check_signs({"a": "+", "b": "-", "c": "-", "f": "+"})

The SGD and Adam exercises live in `nn.exercises_optim`; this file holds the gradient ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

from weightgrad.engine import GradcheckError, Value, apply, explain, gradcheck
from weightgrad.engine.explain import Explanation
from weightgrad.engine.names import fmt
from weightgrad.engine.op import Op

from .parameter import Parameter


@dataclass(frozen=True)
class Verdict:
    """One checker's answer: `ok`, and the sentence a notebook shows."""

    ok: bool
    text: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__  # a notebook cell shows the sentence, not a dataclass


def right(text: str) -> Verdict:
    return Verdict(True, f"RIGHT: {text}")


def wrong(text: str) -> Verdict:
    return Verdict(False, f"WRONG: {text}")


def number(x: object) -> float | None:
    """`x` as a finite float, or None for anything else (bools are not numbers here)."""
    if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(float(x)):
        return None
    return float(x)


def shown(x: object) -> str:
    """The learner's answer in a sentence; the notebooks' placeholder `...` named as such."""
    return "the placeholder ... (put your answer there)" if x is ... else f"{x!r:.60}"


def chain(ex: Explanation, node: Value) -> list[str]:
    """explain's backward steps from the root's seed down to `node`'s gradient, in order."""
    lines: list[str] = []
    while True:
        steps = [s for s in ex.steps if s.kind == "backward" and s.target is node]
        lines[:0] = [s.text for s in steps]
        if not steps or steps[0].source is None:
            return lines
        node = steps[0].source  # the node whose gradient this one was passed from


def _labelled(ex: Explanation) -> dict[str, Value]:
    return {v.label: v for v in ex.order if v.is_leaf and v.label}


# -- 1. predict the sign of each gradient -----------------------------------------------------

def sign_exercise() -> Value:
    """L = (a*b + c) * f at a=2, b=-3, c=10, f=-2 (micrograd's lecture graph), not yet
    backpropagated: predict the sign of a, b, c and f's gradients first."""
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    return loss


def _sign(x: object) -> int | None:
    if x in ("+", "-", "0"):
        return {"+": 1, "-": -1, "0": 0}[x]  # type: ignore[index]
    n = number(x)
    return None if n is None else (n > 0) - (n < 0)


def check_signs(answer: object) -> Verdict:
    """`answer` maps each leaf name (a, b, c, f) to "+", "-" or "0" (or a number's sign)."""
    ex = explain(sign_exercise())
    leaves = _labelled(ex)
    expect = "a dict from each of " + ", ".join(leaves) + ' to "+", "-" or "0"'
    if not isinstance(answer, Mapping):
        return wrong(f"answer with {expect}; got a {type(answer).__name__}.")
    if set(answer) != set(leaves):
        return wrong(f"answer with {expect}; your keys are {sorted(map(str, answer))}.")
    signs = {k: _sign(v) for k, v in answer.items()}
    bad = [k for k, s in signs.items() if s is None]
    if bad:
        return wrong(f"answer with {expect}; {bad[0]!r} is {answer[bad[0]]!r}.")
    missed = [k for k in leaves if signs[k] != _sign(ex.grads[id(leaves[k])])]
    if not missed:
        return right("every sign predicted. Now call backward() and read the grads.")
    k = missed[0]
    return wrong(f"{len(missed)} of {len(leaves)} signs are off. {k}'s gradient, step by "
                 "step:\n  " + "\n  ".join(chain(ex, leaves[k])))


# -- 2. a local derivative by hand -------------------------------------------------------------

def local_exercise() -> Value:
    """micrograd's lecture neuron o = tanh(x1*w1 + x2*w2 + b) with n its input: the exercise
    asks for the local derivative d o / d n, by hand."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Parameter(-3.0, "w1"), Parameter(1.0, "w2")
    b = Parameter(6.8813735870195432, "b")  # makes n = 0.8814, o = 1/sqrt(2)
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def check_local_derivative(answer: object, tol: float = 1e-3) -> Verdict:
    """`answer` is d o / d n as a number, right within `tol` (four decimals by hand)."""
    ex = explain(local_exercise())
    o = ex.root
    n = o.parents[0]
    truth = o.op.chain(1.0, o.data, n.data)[0]  # the op's own local derivative, times 1
    given = number(answer)
    if given is None:
        return wrong(f"answer with one number, d o / d n; got {shown(answer)}.")
    if abs(given - truth) <= tol:
        return right(f"d o / d n = {fmt(truth)}.")
    step = [s.text for s in ex.steps if s.target is n and s.source is o]
    return wrong(f"{fmt(given)} is not d o / d n. The chain-rule step that uses it (o.grad "
                 f"is 1 there):\n  {step[0]}")


# -- 3. the backward of a new op ---------------------------------------------------------------

POINTS = (-2.0, -0.5, 0.5, 1.5)  # where a new op's backward is checked


def _silu(x: float) -> float:
    return x / (1.0 + math.exp(-x))  # SiLU(x) = x * sigmoid(x), PyTorch's nn.SiLU


def check_silu_op(op: object) -> Verdict:
    """`op` is what `ops.define(name, forward, local, formula)` returned for SiLU, with the
    forward given and the local derivative written by the learner; checked by gradcheck."""
    if not isinstance(op, Op):
        return wrong("pass the op that ops.define(...) returned; got a "
                     f"{type(op).__name__}.")
    for x in POINTS:
        try:
            out = apply(op, Value(x, "x"))
            out.label = "out"
            if not math.isclose(out.data, _silu(x), rel_tol=1e-9, abs_tol=1e-12):
                return wrong(f"the forward at x = {fmt(x)} gives {fmt(out.data)}, not SiLU's "
                             f"{fmt(_silu(x))}: keep the forward x * sigmoid(x).")
            gradcheck(lambda v: apply(op, v), [Value(x, "x")])
        except GradcheckError as e:
            return wrong(f"{e}. Your backward's step there:\n  "
                         + "\n  ".join(chain(explain(out), out.parents[0])))
        except Exception as e:  # the learner's function failed: say so, no traceback
            return wrong(f"your op raised {type(e).__name__}: {e} (at x = {fmt(x)}).")
    return right("the backward matches central differences at x = "
                 + ", ".join(fmt(x) for x in POINTS) + ".")


# -- 4. the single change that gives the quoted 4.9 --------------------------------------------

SEED = {"x1": 5.0, "w1": 0.7, "x2": 2.0, "w2": 0.3, "b": 1.0}  # (5*0.7) + (2*0.3) + 1
QUOTED = 4.9  # the figure the neuron is often quoted with; the engine computes 5.1


def seed_neuron(**change: float) -> Value:
    """The first seed neuron out = x1*w1 + x2*w2 + b, with any numbers replaced."""
    v = {**SEED, **change}
    x1, x2 = Value(v["x1"], "x1"), Value(v["x2"], "x2")
    w1, w2, b = Parameter(v["w1"], "w1"), Parameter(v["w2"], "w2"), Parameter(v["b"], "b")
    out = x1 * w1 + x2 * w2 + b
    out.label = "out"
    return out


def check_quoted_change(change: object) -> Verdict:
    """`change` is {name: new value} for exactly one of x1, w1, x2, w2, b."""
    expect = "a dict with one entry, {name: new value}, name one of " + ", ".join(SEED)
    if not isinstance(change, Mapping) or len(change) != 1:
        return wrong(f"answer with {expect}; got {shown(change)}.")
    [(name, new)] = change.items()
    if name not in SEED or number(new) is None:
        return wrong(f"answer with {expect}; got {shown(change)}.")
    out = seed_neuron(**{name: float(new)})
    if math.isclose(out.data, QUOTED, abs_tol=1e-9):
        return right(f"with {name} = {fmt(float(new))} the engine computes {fmt(out.data)}.")
    ex = explain(out)
    leaf = _labelled(ex)[name]
    return wrong(f"with {name} = {fmt(float(new))} the engine computes {fmt(out.data)}. "
                 f"How out moves with {name}:\n  " + "\n  ".join(chain(ex, leaf)))

