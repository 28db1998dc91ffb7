"""Self-checking exercises on optimizers: one SGD step and one Adam step, written by the
learner as plain functions of numbers and compared with `nn.optim`'s SGD and Adam (which
follow torch.optim's algorithm boxes). A wrong step is answered with the update's arithmetic
and its numbers; a function that raises or returns the wrong kind of thing, with a sentence.

    def sgd_step(w, grad, lr):
        return w - lr * grad
    check_sgd_step(sgd_step)

    def adam_step(w, grad, m, v, t, lr, beta1, beta2, eps):
        ...                 # return the new (w, m, v); t counts steps from 1
    check_adam_step(adam_step)
"""

from __future__ import annotations

import math

from weightgrad.engine.names import fmt

from .exercises import Verdict, number, right, wrong
from .optim import SGD, Adam
from .parameter import Parameter

# (w, grad, lr) cases: a positive and a negative gradient, a zero one
SGD_CASES = ((0.5, 2.0, 0.1), (-1.0, -0.25, 0.5), (3.0, 0.0, 0.1))
ADAM = {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
ADAM_GRADS = (2.0, -1.0, 0.5)  # three steps from w = 0.5, so the bias correction matters


def _call(fn: object, args: tuple, who: str) -> tuple[object, str | None]:
    """fn(*args), or the sentence saying why not."""
    if not callable(fn):
        return None, f"pass your {who} function itself; got a {type(fn).__name__}."
    try:
        return fn(*args), None
    except Exception as e:  # the learner's code failed: a sentence, not a traceback
        return None, f"your {who} raised {type(e).__name__}: {e}."


def check_sgd_step(fn: object) -> Verdict:
    """`fn(w, grad, lr)` returns the weight after one SGD step (no momentum)."""
    for w, g, lr in SGD_CASES:
        got, error = _call(fn, (w, g, lr), "sgd_step")
        if error:
            return wrong(error)
        if number(got) is None:
            return wrong(f"sgd_step should return the new weight as a number; it returned "
                         f"{got!r:.60}.")
        new = float(got)  # type: ignore[arg-type]
        p = Parameter(w, "w")
        p.grad = g
        SGD([p], lr=lr).step()
        if not math.isclose(new, p.data, rel_tol=1e-12, abs_tol=1e-15):
            return wrong(f"sgd_step({fmt(w)}, {fmt(g)}, {fmt(lr)}) returned {fmt(new)};"
                         f" one SGD step is w - lr * grad = {fmt(w)} - {fmt(lr)} * {fmt(g)}"
                         f" = {fmt(p.data)}.")
    return right("your step moves each weight as nn.optim.SGD (and torch.optim.SGD) does.")


def _adam_text(w: float, g: float, m0: float, v0: float, t: int, m: float, v: float,
               new: float) -> str:
    """Adam's step t with its numbers, as in torch.optim.Adam's algorithm box."""
    b1, b2, lr, eps = ADAM["beta1"], ADAM["beta2"], ADAM["lr"], ADAM["eps"]
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return (f"step t={t} with grad {fmt(g)}:\n"
            f"  m = beta1*m + (1-beta1)*grad = {b1}*{fmt(m0)} + {fmt(1 - b1)}*{fmt(g)} = {fmt(m)}\n"
            f"  v = beta2*v + (1-beta2)*grad² = {b2}*{fmt(v0)} + {fmt(1 - b2)}*{fmt(g)}² = "
            f"{fmt(v)}\n"
            f"  m_hat = m/(1-beta1^t) = {fmt(m_hat)}, v_hat = v/(1-beta2^t) = {fmt(v_hat)}\n"
            f"  w = w - lr*m_hat/(sqrt(v_hat)+eps) = {fmt(w)} - {lr}*{fmt(m_hat)}/"
            f"({fmt(math.sqrt(v_hat))}+{eps}) = {fmt(new)}")


def check_adam_step(fn: object) -> Verdict:
    """`fn(w, grad, m, v, t, lr, beta1, beta2, eps)` returns (w, m, v) after Adam's step t."""
    p = Parameter(0.5, "w")
    opt = Adam([p], lr=ADAM["lr"], betas=(ADAM["beta1"], ADAM["beta2"]), eps=ADAM["eps"])
    w, m, v = p.data, 0.0, 0.0
    for t, g in enumerate(ADAM_GRADS, 1):
        args = (w, g, m, v, t, ADAM["lr"], ADAM["beta1"], ADAM["beta2"], ADAM["eps"])
        got, error = _call(fn, args, "adam_step")
        if error:
            return wrong(error)
        if not isinstance(got, (tuple, list)) or len(got) != 3 \
                or any(number(x) is None for x in got):
            return wrong(f"adam_step should return three numbers (w, m, v); it returned "
                         f"{got!r:.60}.")
        p.grad = g
        opt.step()
        state = opt.state[p]
        truth = (p.data, state["exp_avg"], state["exp_avg_sq"])
        if not all(math.isclose(float(a), b, rel_tol=1e-9, abs_tol=1e-15)
                   for a, b in zip(got, truth)):
            mine = ", ".join(fmt(float(x)) for x in got)
            steps = _adam_text(w, g, m, v, t, truth[1], truth[2], truth[0])
            return wrong(f"adam_step returned (w, m, v) = ({mine}) at step t={t}; nn.optim."
                         f"Adam's arithmetic is\n{steps}")
        w, m, v = truth  # the next step starts from the right state
    return right(f"{len(ADAM_GRADS)} Adam steps match nn.optim.Adam (torch.optim.Adam's "
                 "arithmetic), bias correction included.")

