"""Optimizers that move scalar weights downhill: SGD, Adam, AdamW, Lion, and gradient clipping.

Each optimizer holds a list of engine Values and, on `step()`, rewrites every trainable one's
`.data` from its `.grad` with plain float arithmetic, so an update never builds a graph.
Update rules, defaults and state names follow torch.optim (the algorithm boxes in its docs);
Lion follows lucidrains' lion-pytorch. Per-parameter state is `opt.state[p]`, a dict keyed by
the Value itself (Values hash by identity). Frozen Parameters (`requires_grad=False`) are
skipped entirely: no update, no weight decay, no state.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from weightgrad.engine import Value

from . import checks
from .parameter import is_trainable

State = dict[str, float | int]


def _params(params: Iterable[Value], who: str, allow_empty: bool = False) -> list[Value]:
    """The parameters as a list; TypeError for a non-Value, ValueError if there are none."""
    if isinstance(params, Value):
        raise TypeError(f"{who}: params must be an iterable of Values, got a single Value; "
                        "wrap it in a list")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"{who}: params must be an iterable of Values, "
                        f"got {type(params).__name__}") from None
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"{who}: params[{i}] must be a Value, got {type(p).__name__}: {p!r}")
    if not params and not allow_empty:
        raise ValueError(f"{who} got an empty parameter list")
    # A weight listed twice (say, a tied weight) is updated once: its .grad already holds the
    # sum over every use. Updating it twice would double the step and its state.
    return list({id(p): p for p in params}.values())


def _betas(who: str, betas: object) -> tuple[float, float]:
    pair = checks.sequence(who, "betas", betas, 2, of="finite numbers in [0, 1) (beta1, beta2)")
    return (checks.real(who, "betas[0]", pair[0], 0.0, 1.0, high_open=True),
            checks.real(who, "betas[1]", pair[1], 0.0, 1.0, high_open=True))


class Optimizer:
    """Holds `params` and per-parameter `state`; subclasses say how one parameter moves."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        who = type(self).__name__
        self.params: list[Value] = _params(params, who)
        self.lr = checks.real(who, "lr", lr, 0.0)
        # defaultdict as in torch.optim: reading an untouched parameter's state gives {}.
        self.state: defaultdict[Value, State] = defaultdict(dict)

    def step(self) -> None:
        """Move every trainable parameter one step; frozen ones are not touched at all."""
        for p in self.params:
            if is_trainable(p):
                self._update(p, self.state[p])

    def zero_grad(self) -> None:
        """Set `.grad = 0.0` on every parameter (leaves accumulate across backward calls)."""
        for p in self.params:
            p.grad = 0.0

    def _update(self, p: Value, state: State) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, dampening, Nesterov and L2 decay."""

    def __init__(self, params: Iterable[Value], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = checks.real("SGD", "momentum", momentum, 0.0)
        self.dampening = checks.real("SGD", "dampening", dampening)
        self.weight_decay = checks.real("SGD", "weight_decay", weight_decay, 0.0)
        # Nesterov's look-ahead needs a velocity to look along, undamped (torch.optim.SGD).
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("SGD: nesterov=True requires momentum > 0 and dampening == 0, "
                             f"got momentum={self.momentum!r}, dampening={self.dampening!r}")
        self.nesterov = bool(nesterov)

    def _update(self, p: Value, state: State) -> None:
        # torch.optim.SGD's algorithm box; Nesterov in the form of Sutskever et al. (2013).
        g = p.grad + self.weight_decay * p.data
        state["step"] = step = state.get("step", 0) + 1
        if self.momentum != 0:
            if step == 1:
                b = g  # the buffer starts as the first gradient, not damped (PyTorch)
            else:
                b = self.momentum * state["momentum_buffer"] + (1 - self.dampening) * g
            state["momentum_buffer"] = b
            g = g + self.momentum * b if self.nesterov else b
        p.data -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with L2 weight decay added to the gradient, as torch.optim.Adam."""

    decoupled = False

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, lr)
        who = type(self).__name__
        self.betas = _betas(who, betas)
        self.eps = checks.real(who, "eps", eps, 0.0)
        self.weight_decay = checks.real(who, "weight_decay", weight_decay, 0.0)
        self.amsgrad = bool(amsgrad)

    def step(self) -> None:
        """One Adam step of every trainable parameter; frozen ones are not touched at all."""
        # One loop over the parameters, not Optimizer.step's method call per parameter: the
        # per-step numbers are worked out once, and the step takes a third less time
        # (make bench, digits epoch).
        beta1, beta2 = self.betas
        lr, eps, weight_decay, amsgrad = self.lr, self.eps, self.weight_decay, self.amsgrad
        shrink = 1 - lr * weight_decay if self.decoupled else None
        corrections: dict[int, tuple[float, float]] = {}  # step -> (lr / bc1, sqrt(bc2))
        states = self.state
        for p in self.params:
            if not is_trainable(p):
                continue
            state = states[p]
            g = p.grad
            if shrink is not None:
                # AdamW: shrink the weight itself, outside the adaptive scaling, so decay is
                # not divided by sqrt(v) (Loshchilov & Hutter 2019, "Decoupled Weight Decay").
                p.data *= shrink
            else:
                g = g + weight_decay * p.data  # Adam's L2: decay goes through the moments
            if not state:
                state.update(step=0, exp_avg=0.0, exp_avg_sq=0.0)
                if amsgrad:
                    state["max_exp_avg_sq"] = 0.0
            state["step"] = t = state["step"] + 1
            state["exp_avg"] = m = beta1 * state["exp_avg"] + (1 - beta1) * g
            state["exp_avg_sq"] = v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
            if amsgrad:
                # AMSGrad (Reddi et al. 2018): never let the second moment shrink.
                state["max_exp_avg_sq"] = v = max(state["max_exp_avg_sq"], v)
            if t not in corrections:
                # Bias correction undoes the zero start of m and v. PyTorch's arrangement puts
                # eps after dividing sqrt(v) by sqrt(1 - beta2^t): eps is added to sqrt(v_hat).
                corrections[t] = (lr / (1 - beta1 ** t), math.sqrt(1 - beta2 ** t))
            step_size, sqrt_bc2 = corrections[t]
            p.data -= step_size * m / (math.sqrt(v) / sqrt_bc2 + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay, p *= 1 - lr * weight_decay, as torch.optim.AdamW."""

    decoupled = True

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


def _sign(x: float) -> float:
    """sign(x) as torch.sign: 0 for 0, NaN for NaN, else ±1."""
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return x if x != x else 0.0


class Lion(Optimizer):
    """Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"), lion-pytorch."""

    def __init__(self, params: Iterable[Value], lr: float = 1e-4,
                 betas: tuple[float, float] = (0.9, 0.99), weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.betas = _betas("Lion", betas)
        self.weight_decay = checks.real("Lion", "weight_decay", weight_decay, 0.0)

    def _update(self, p: Value, state: State) -> None:
        beta1, beta2 = self.betas
        g = p.grad
        m = state.get("exp_avg", 0.0)
        p.data *= 1 - self.lr * self.weight_decay  # decoupled, as AdamW
        # Only the sign of an interpolation of momentum and gradient is used, so every weight
        # moves by exactly lr (or 0); the momentum is then tracked with a slower beta2.
        p.data -= self.lr * _sign(beta1 * m + (1 - beta1) * g)
        state["exp_avg"] = beta2 * m + (1 - beta2) * g


def clip_grad_norm(params: Iterable[Value], max_norm: float) -> float:
    """Scale grads so their total L2 norm is at most `max_norm`; return the norm before.

    As torch.nn.utils.clip_grad_norm_ (norm_type 2, error_if_nonfinite=False): clip_coef =
    max_norm / (norm + 1e-6), clamped to 1.0, multiplies every grad, so grads are scaled only
    when clip_coef < 1. The 1e-6 guards a zero norm. Frozen parameters are left out of the
    norm and left alone, as in PyTorch where they have no grad. A non-finite norm is
    returned, and the grads are multiplied as PyTorch multiplies them: by 0 for an inf norm
    (finite grads become 0, an inf grad nan), by nan for a nan norm (every grad nan); check
    the returned norm to skip such a step.
    """
    params = [p for p in _params(params, "clip_grad_norm", allow_empty=True) if is_trainable(p)]
    max_norm = checks.real("clip_grad_norm", "max_norm", max_norm, 0.0)
    # hypot sums squares without overflow or underflow in the intermediate.
    norm = math.hypot(*[p.grad for p in params])
    clip_coef = max_norm / (norm + 1e-6)
    if not clip_coef >= 1.0:  # torch.clamp(max=1.0): nan stays nan, and nan scales too
        for p in params:
            p.grad *= clip_coef
    return norm
