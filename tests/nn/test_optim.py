"""Optimizers against their published update rules.

Every optimizer is trained for 12 steps on f(w) = Σ (w_i - c_i)² (gradient 2 (w_i - c_i),
computed by the engine's backward) and compared with a separate plain-float loop that
transcribes the algorithm box of torch.optim's docs (Lion: lion-pytorch). The references
never call nn.optim. The first one or two steps are also checked against numbers worked out
by hand in the comments.
"""

from __future__ import annotations

import math

import pytest

from weightgrad.engine import Value
from weightgrad.nn.optim import SGD, Adam, AdamW, Lion, Optimizer, clip_grad_norm
from weightgrad.nn.parameter import Parameter

W0 = [1.0, -2.0, 0.5, 0.0]
C = [3.0, 1.0, -1.0, 0.0]  # the last weight starts at its optimum: its gradient is exactly 0
STEPS = 12


def train(make_opt, w0=W0, c=C, steps=STEPS) -> list[float]:
    ws = [Value(x) for x in w0]
    opt = make_opt(ws)
    for _ in range(steps):
        opt.zero_grad()
        loss = sum((w - ci) ** 2 for w, ci in zip(ws, c))
        loss.backward()
        opt.step()
    return [w.data for w in ws]


def close(actual: list[float], expected: list[float], rel: float = 1e-12) -> bool:
    return actual == pytest.approx(expected, rel=rel, abs=1e-15)


# -- references: plain floats, one per algorithm box ------------------------------------------

def ref_sgd(lr, momentum=0.0, dampening=0.0, nesterov=False, wd=0.0, w0=W0, c=C, steps=STEPS):
    w, buf = list(w0), [0.0] * len(w0)
    for t in range(1, steps + 1):
        for i in range(len(w)):
            g = 2 * (w[i] - c[i]) + wd * w[i]
            if momentum:
                buf[i] = g if t == 1 else momentum * buf[i] + (1 - dampening) * g
                g = g + momentum * buf[i] if nesterov else buf[i]
            w[i] = w[i] - lr * g
    return w


def ref_adam(lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, decoupled=False, amsgrad=False,
             grads=None, w0=W0, c=C, steps=STEPS):
    """Textbook Adam (m̂ / (√v̂ + ε)); `grads(t, i, w)` overrides the quadratic's gradient."""
    n = len(w0)
    w, m, v, vmax = list(w0), [0.0] * n, [0.0] * n, [0.0] * n
    for t in range(1, steps + 1):
        for i in range(n):
            g = grads(t, i) if grads else 2 * (w[i] - c[i])
            if decoupled:
                w[i] = w[i] * (1 - lr * wd)
            else:
                g = g + wd * w[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            vmax[i] = max(vmax[i], v[i])
            m_hat = m[i] / (1 - b1 ** t)
            v_hat = (vmax[i] if amsgrad else v[i]) / (1 - b2 ** t)
            w[i] = w[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
    return w


def ref_lion(lr, b1=0.9, b2=0.99, wd=0.0, grads=None, w0=W0, c=C, steps=STEPS):
    """lion-pytorch's update; `grads(t, i)` overrides the quadratic's gradient."""
    w, m = list(w0), [0.0] * len(w0)
    for t in range(1, steps + 1):
        for i in range(len(w)):
            g = grads(t, i) if grads else 2 * (w[i] - c[i])
            w[i] = w[i] * (1 - lr * wd)
            u = b1 * m[i] + (1 - b1) * g
            w[i] = w[i] - lr * ((u > 0) - (u < 0))
            m[i] = b2 * m[i] + (1 - b2) * g
    return w


# -- SGD --------------------------------------------------------------------------------------

SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.5),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.2),
    dict(lr=0.05, momentum=0.7, nesterov=True, weight_decay=0.3),
]


@pytest.mark.parametrize("kw", SGD_CASES, ids=lambda kw: ",".join(kw))
def test_sgd_matches_algorithm_box(kw) -> None:
    ref = ref_sgd(kw["lr"], kw.get("momentum", 0.0), kw.get("dampening", 0.0),
                  kw.get("nesterov", False), kw.get("weight_decay", 0.0))
    assert close(train(lambda ps: SGD(ps, **kw)), ref)
    assert ref != W0


@pytest.mark.parametrize(("kw", "w1", "w2"), [
    # plain: g1 = 2(1-3) = -4, w1 = 1 + 0.4 = 1.4; g2 = -3.2, w2 = 1.72
    (dict(), 1.4, 1.72),
    # momentum .9, dampening .5: b1 = g1 = -4 (undamped), w1 = 1.4;
    # b2 = .9(-4) + .5(-3.2) = -5.2, w2 = 1.4 + .52 = 1.92
    (dict(momentum=0.9, dampening=0.5), 1.4, 1.92),
    # nesterov .9: b1 = -4, step g1 + .9 b1 = -7.6, w1 = 1.76; g2 = -2.48,
    # b2 = .9(-4) - 2.48 = -6.08, step -2.48 + .9(-6.08) = -7.952, w2 = 2.5552
    (dict(momentum=0.9, nesterov=True), 1.76, 2.5552),
    # weight decay .1: g1 = -4 + .1 = -3.9, w1 = 1.39; g2 = -3.22 + .139 = -3.081, w2 = 1.6981
    (dict(weight_decay=0.1), 1.39, 1.6981),
])
def test_sgd_first_steps_by_hand(kw, w1, w2) -> None:
    assert train(lambda ps: SGD(ps, lr=0.1, **kw), [1.0], [3.0], 1) == pytest.approx([w1])
    assert train(lambda ps: SGD(ps, lr=0.1, **kw), [1.0], [3.0], 2) == pytest.approx([w2])


def test_sgd_converges() -> None:
    assert close(train(lambda ps: SGD(ps, lr=0.1, momentum=0.5), steps=200), C, rel=1e-9)


# -- Adam / AdamW -----------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    dict(lr=0.1), dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6), dict(lr=0.1, weight_decay=0.5),
    dict(lr=0.1, weight_decay=0.5, amsgrad=True),
], ids=["default", "betas-eps", "l2", "l2-amsgrad"])
def test_adam_matches_algorithm_box(kw) -> None:
    b1, b2 = kw.get("betas", (0.9, 0.999))
    ref = ref_adam(kw["lr"], b1, b2, kw.get("eps", 1e-8), kw.get("weight_decay", 0.0),
                   amsgrad=kw.get("amsgrad", False))
    assert close(train(lambda ps: Adam(ps, **kw)), ref, rel=1e-10)


@pytest.mark.parametrize("kw", [dict(lr=0.1), dict(lr=0.1, weight_decay=0.5),
                                dict(lr=0.05, weight_decay=0.3, amsgrad=True)])
def test_adamw_matches_algorithm_box(kw) -> None:
    ref = ref_adam(kw["lr"], wd=kw.get("weight_decay", 1e-2), decoupled=True,
                   amsgrad=kw.get("amsgrad", False))
    assert close(train(lambda ps: AdamW(ps, **kw)), ref, rel=1e-10)


def test_adam_first_steps_by_hand() -> None:
    # g1 = -4; m1 = .1(-4) = -.4; v1 = .001(16) = .016; m̂ = -.4/.1 = -4; v̂ = .016/.001 = 16;
    # w1 = 1 + .1 * 4/(4 + 1e-8) = 1.1 (less 2.5e-10)
    assert train(lambda ps: Adam(ps, lr=0.1), [1.0], [3.0], 1) == pytest.approx([1.1], abs=1e-9)
    # g2 = -3.8; m2 = -.36 - .38 = -.74; v2 = .015984 + .01444 = .030424;
    # m̂ = -.74/.19 = -3.894737; v̂ = .030424/.001999 = 15.219610, √ = 3.901232;
    # w2 = 1.1 + .1 * 3.894737/3.901232 = 1.199834
    assert train(lambda ps: Adam(ps, lr=0.1), [1.0], [3.0], 2) == pytest.approx([1.199834],
                                                                                 abs=1e-6)


def test_adam_eps_is_added_to_the_bias_corrected_root() -> None:
    # A gradient as small as eps shows where eps goes. Step 1 with g = 1e-8: m̂ = g, v̂ = g²,
    # denom = √v̂ + eps = 2e-8, so the step is lr · 1e-8 / 2e-8 = lr / 2 = .05.
    # (eps inside the root would give ≈ lr · 1e-4; eps before the bias correction, ≈ lr · .03.)
    p = Value(0.0)
    opt = Adam([p], lr=0.1)
    p.grad = 1e-8
    opt.step()
    assert p.data == pytest.approx(-0.05, rel=1e-12)


def test_adamw_decay_is_decoupled_not_l2() -> None:
    # Step 1 with wd .5, lr .1 from w = 1, c = 3. Adam's L2: g = -4 + .5 = -3.5, and the first
    # Adam step is lr·sign(g), so w1 = 1.1: the decay vanished in the normalisation. AdamW:
    # w *= 1 - .05 → .95, then + .1 → w1 = 1.05.
    adam = train(lambda ps: Adam(ps, lr=0.1, weight_decay=0.5), [1.0], [3.0], 1)
    adamw = train(lambda ps: AdamW(ps, lr=0.1, weight_decay=0.5), [1.0], [3.0], 1)
    assert adam == pytest.approx([1.1]) and adamw == pytest.approx([1.05])
    many = [train(lambda ps, o=o: o(ps, lr=0.1, weight_decay=0.5)) for o in (Adam, AdamW)]
    assert all(abs(a - b) > 1e-3 for a, b in zip(*many) if a != 0.0)
    # Without decay the two are the same algorithm, bit for bit.
    assert train(lambda ps: Adam(ps, lr=0.1)) == train(lambda ps: AdamW(ps, lr=0.1,
                                                                         weight_decay=0.0))


def test_amsgrad_keeps_the_largest_second_moment() -> None:
    # A big gradient then small ones: v shrinks, AMSGrad's max does not, so its steps are smaller.
    grads = [10.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1]
    runs = {}
    for ams in (False, True):
        p = Value(0.0)
        opt = Adam([p], lr=0.1, betas=(0.5, 0.9), amsgrad=ams)
        for g in grads:
            p.grad = g
            opt.step()
        runs[ams] = p.data
        ref = ref_adam(0.1, 0.5, 0.9, amsgrad=ams, grads=lambda t, i: grads[t - 1], w0=[0.0])
        assert p.data == pytest.approx(ref[0], rel=1e-10)
    assert opt.state[p]["max_exp_avg_sq"] > opt.state[p]["exp_avg_sq"]
    assert runs[True] > runs[False]  # both move down; AMSGrad less far


# -- Lion -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [dict(lr=0.1), dict(lr=0.05, weight_decay=0.5),
                                dict(lr=0.1, betas=(0.5, 0.9), weight_decay=0.1)])
def test_lion_matches_lion_pytorch(kw) -> None:
    b1, b2 = kw.get("betas", (0.9, 0.99))
    ref = ref_lion(kw["lr"], b1, b2, kw.get("weight_decay", 0.0))
    assert close(train(lambda ps: Lion(ps, **kw)), ref)


def test_lion_signs_beta1_mix_but_tracks_with_beta2() -> None:
    # After m builds up on +1s, a gradient of -20·m flips the sign of the beta1 mix
    # (.9m - 2m < 0) but not of the beta2 mix (.99m - .2m > 0): only the right beta moves up.
    grads = [1.0, 1.0, 1.0, -0.6, 1.0, -0.9, 0.5, -0.05, 2.0, -3.0, 0.1, 0.0]
    p = Value(0.0)
    opt = Lion([p], lr=0.1)
    for g in grads:
        p.grad = g
        opt.step()
    ref = ref_lion(0.1, grads=lambda t, i: grads[t - 1], w0=[0.0], steps=len(grads))
    assert p.data == pytest.approx(ref[0], rel=1e-12)
    # Hand: m after three 1s is 1 - .99³ = .029701; step 4, g = -.6: .9·.029701 - .06 < 0 → +lr.
    p, m = Value(0.0), 1 - 0.99 ** 3
    opt = Lion([p], lr=0.1)
    opt.state[p]["exp_avg"] = m
    p.grad = -0.6
    opt.step()
    assert p.data == 0.1 and opt.state[p]["exp_avg"] == pytest.approx(0.99 * m - 0.006)


def test_lion_first_steps_by_hand() -> None:
    # lr .1, wd .5, from w = 1, c = 3. Step 1: g = -4; w *= .95 → .95;
    # sign(.9·0 + .1·-4) = -1 → w1 = 1.05; m1 = .01·-4 = -.04.
    # Step 2: g = 2(1.05 - 3) = -3.9; w *= .95 → .9975; sign(-.036 - .39) = -1 → w2 = 1.0975.
    assert train(lambda ps: Lion(ps, lr=0.1, weight_decay=0.5), [1.0], [3.0], 1) == \
        pytest.approx([1.05])
    assert train(lambda ps: Lion(ps, lr=0.1, weight_decay=0.5), [1.0], [3.0], 2) == \
        pytest.approx([1.0975])


def test_lion_sign_of_zero_is_zero() -> None:
    p = Value(2.0)
    opt = Lion([p], lr=0.1, betas=(0.5, 0.5))
    p.grad = 0.0  # zero momentum and zero gradient: no move at all
    opt.step()
    assert p.data == 2.0 and opt.state[p] == {"exp_avg": 0.0}
    p.grad = 1.0  # sign(.5) = 1 → 1.9; m = .5
    opt.step()
    assert p.data == 1.9 and opt.state[p]["exp_avg"] == 0.5
    p.grad = -0.5  # .5·.5 + .5·-.5 = 0 exactly: no move, though momentum and gradient are not 0
    opt.step()
    assert p.data == 1.9 and opt.state[p]["exp_avg"] == 0.0


# -- shared behaviour -------------------------------------------------------------------------

ALL = [
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.5),
    lambda ps: Adam(ps, lr=0.1, weight_decay=0.5, amsgrad=True),
    lambda ps: AdamW(ps, lr=0.1, weight_decay=0.5),
    lambda ps: Lion(ps, lr=0.1, weight_decay=0.5),
]
NAMES = ["SGD", "Adam", "AdamW", "Lion"]


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_frozen_parameter_is_untouched(make) -> None:
    frozen = Parameter(0.7, "frozen", requires_grad=False)
    live = Parameter(0.7, "live")
    opt = make([frozen, live])
    before = frozen.data.hex()
    for _ in range(10):
        opt.zero_grad()
        ((frozen - 3) ** 2 + (live - 3) ** 2).backward()
        assert frozen.grad != 0.0  # backprop still fills it
        opt.step()
    assert frozen.data.hex() == before
    assert frozen not in opt.state
    assert live.data != 0.7 and live in opt.state


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_updates_build_no_graph(make) -> None:
    ps = [Parameter(1.0), Value(-1.0)]
    opt = make(ps)
    for _ in range(3):
        for p in ps:
            p.grad = 0.3
        opt.step()
    for p in ps:
        assert p.is_leaf and p.parents == () and p.op is None
        assert type(p.data) is float and type(p.grad) is float
    assert type(ps[0]) is Parameter and opt.params == ps
    assert isinstance(opt, Optimizer)


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_zero_grad(make) -> None:
    ps = [Value(1.0), Parameter(2.0, requires_grad=False)]
    opt = make(ps)
    for p in ps:
        p.grad = 5.0
    opt.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_state_is_readable_with_pytorch_names() -> None:
    p = Value(1.0)
    sgd = SGD([p], lr=0.1, momentum=0.9)
    for g in (1.0, 2.0, 3.0):
        p.grad = g
        sgd.step()
    # b1 = 1; b2 = .9 + 2 = 2.9; b3 = 2.61 + 3 = 5.61
    assert sgd.state[p] == {"step": 3, "momentum_buffer": pytest.approx(5.61)}
    assert set(SGD([p], lr=0.1).state[p]) == set()  # nothing until a step
    adam = Adam([p])
    p.grad = 2.0
    adam.step()
    adam.step()
    # m = .9·.2 + .2 = .38; v = .999·.004 + .004 = .007996
    assert adam.state[p] == {"step": 2, "exp_avg": pytest.approx(0.38),
                             "exp_avg_sq": pytest.approx(0.007996)}
    assert set(AdamW([p], amsgrad=True).state[p]) == set()
    lion = Lion([p])
    lion.step()
    assert lion.state[p] == {"exp_avg": pytest.approx(0.02)}


def test_defaults_are_pytorchs() -> None:
    p = [Value(0.0)]
    sgd, adam, adamw, lion = SGD(p), Adam(p), AdamW(p), Lion(p)
    assert (sgd.lr, sgd.momentum, sgd.dampening, sgd.nesterov, sgd.weight_decay) == \
        (1e-3, 0.0, 0.0, False, 0.0)
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay, adam.amsgrad) == \
        (1e-3, (0.9, 0.999), 1e-8, 0.0, False)
    assert (adamw.lr, adamw.betas, adamw.eps, adamw.weight_decay) == (1e-3, (0.9, 0.999), 1e-8,
                                                                     1e-2)
    assert (lion.lr, lion.betas, lion.weight_decay) == (1e-4, (0.9, 0.99), 0.0)


def test_params_may_be_a_generator_and_duplicates_step_once() -> None:
    w = Value(1.0)
    opt = SGD((v for v in [w, w]), lr=0.1)
    assert opt.params == [w]
    w.grad = 1.0
    opt.step()
    assert w.data == 0.9


# -- clip_grad_norm ---------------------------------------------------------------------------

def test_clip_grad_norm_clips_to_max_norm() -> None:
    ps = [Value(0.0), Value(0.0), Value(0.0)]
    for p, g in zip(ps, (3.0, -4.0, 12.0)):
        p.grad = g
    assert clip_grad_norm(ps, 1.3) == 13.0  # √(9 + 16 + 144)
    assert math.hypot(*[p.grad for p in ps]) == pytest.approx(1.3, rel=1e-6)
    coef = 1.3 / (13.0 + 1e-6)  # PyTorch's clip_coef
    assert [p.grad for p in ps] == [3.0 * coef, -4.0 * coef, 12.0 * coef]
    assert [p.grad for p in ps] == pytest.approx([0.3, -0.4, 1.2], rel=1e-6)  # direction kept


def test_clip_grad_norm_leaves_small_grads_alone() -> None:
    ps = [Value(0.0), Value(0.0)]
    ps[0].grad, ps[1].grad = 0.3, 0.4
    assert clip_grad_norm(iter(ps), 1.0) == pytest.approx(0.5)
    assert [p.grad for p in ps] == [0.3, 0.4]
    assert clip_grad_norm([], 1.0) == 0.0


def test_clip_grad_norm_at_exactly_max_norm_scales_as_pytorch() -> None:
    # clip_coef = 5 / (5 + 1e-6) < 1, so PyTorch's clamp(max=1) still scales, by 1 - 2e-7.
    ps = [Value(0.0), Value(0.0)]
    ps[0].grad, ps[1].grad = 3.0, 4.0
    assert clip_grad_norm(ps, 5.0) == 5.0
    assert ps[0].grad == 3.0 * (5.0 / (5.0 + 1e-6)) and ps[0].grad < 3.0


def test_clip_grad_norm_skips_frozen_and_scales_non_finite_as_pytorch() -> None:
    frozen, live = Parameter(0.0, requires_grad=False), Value(0.0)
    frozen.grad, live.grad = 100.0, 2.0
    assert clip_grad_norm([frozen, live], 1.0) == 2.0
    assert frozen.grad == 100.0 and live.grad == pytest.approx(1.0, rel=1e-6)
    # torch.nn.utils.clip_grad_norm_(error_if_nonfinite=False) multiplies every grad by
    # clamp(max_norm / (norm + 1e-6), max=1): by 0 when the norm is inf (0 · inf = nan for
    # the inf grad itself), by nan when it is nan.
    for bad, other_after in ((math.inf, 0.0), (-math.inf, 0.0), (math.nan, math.nan)):
        live.grad = bad
        other = Value(0.0)
        other.grad = 5.0
        norm = clip_grad_norm([live, other], 1.0)
        assert math.isnan(norm) if math.isnan(bad) else norm == math.inf
        assert math.isnan(live.grad)  # inf · 0 and nan · nan
        assert math.isnan(other.grad) if math.isnan(other_after) else other.grad == other_after


# -- validation -------------------------------------------------------------------------------

@pytest.mark.parametrize(("make", "error", "words"), [
    (lambda: SGD([], lr=0.1), ValueError, "SGD got an empty parameter list"),
    (lambda: Adam(iter([])), ValueError, "Adam got an empty parameter list"),
    (lambda: SGD([Value(1.0), 2.0], lr=0.1), TypeError, "params[1] must be a Value, got float"),
    (lambda: Lion(["w"]), TypeError, "got str"),
    (lambda: AdamW(Value(1.0)), TypeError, "single Value"),
    (lambda: Adam(5), TypeError, "iterable of Values, got int"),
    (lambda: SGD([Value(1.0)], lr=-0.1), ValueError, "lr must be a finite number >= 0, got -0.1"),
    (lambda: Adam([Value(1.0)], lr=math.nan), ValueError, "lr"),
    (lambda: SGD([Value(1.0)], lr="0.1"), TypeError,
     "SGD: lr must be a finite number >= 0, got str: '0.1'"),
    (lambda: SGD([Value(1.0)], momentum=-0.9), ValueError, "momentum"),
    (lambda: SGD([Value(1.0)], weight_decay=-1), ValueError, "weight_decay"),
    (lambda: SGD([Value(1.0)], nesterov=True), ValueError, "nesterov=True requires momentum > 0"),
    (lambda: SGD([Value(1.0)], momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "dampening == 0"),
    (lambda: Adam([Value(1.0)], eps=-1e-8), ValueError, "eps must be a finite number >= 0"),
    (lambda: Adam([Value(1.0)], betas=(1.0, 0.999)), ValueError, "betas[0] must be a finite "
     "number in [0, 1), got 1.0"),
    (lambda: AdamW([Value(1.0)], betas=(0.9, -0.1)), ValueError, "betas[1]"),
    (lambda: Lion([Value(1.0)], betas=(0.9,)), ValueError,
     "Lion: betas must be a list of 2 finite numbers in [0, 1)"),
    (lambda: AdamW([Value(1.0)], weight_decay=-0.01), ValueError, "AdamW: weight_decay"),
    (lambda: Lion([Value(1.0)], weight_decay=-1), ValueError, "Lion: weight_decay"),
    (lambda: clip_grad_norm([Value(1.0)], -1.0), ValueError, "max_norm"),
    (lambda: clip_grad_norm([1.0], 1.0), TypeError, "must be a Value, got float"),
])
def test_validation(make, error, words) -> None:
    with pytest.raises(error) as info:
        make()
    assert words in str(info.value)
