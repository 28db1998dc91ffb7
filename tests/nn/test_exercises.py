"""The notebook exercises' checkers (nn.exercises, nn.exercises_optim): each accepts the right
answer, rejects a wrong one with explain's chain-rule step (or the update's arithmetic), and
answers a wrong type of answer with a sentence instead of raising. Right answers here are
derived by hand in the comments, not read from the checkers."""

import math

import pytest

from weightgrad.engine import explain, ops
from weightgrad.nn import exercises as ex
from weightgrad.nn import exercises_optim as eo

# L = (a*b + c) * f at a=2, b=-3, c=10, f=-2: dL/da = f*b = 6, dL/db = f*a = -4,
# dL/dc = f = -2, dL/df = a*b + c = 4
SIGNS = {"a": "+", "b": "-", "c": "-", "f": "+"}


def test_signs_right_and_numbers_accepted():
    assert ex.check_signs(SIGNS).ok
    assert ex.check_signs({"a": 3, "b": -1, "c": -0.5, "f": 2.0}).ok


def test_signs_wrong_shows_the_chain_from_explain():
    verdict = ex.check_signs({**SIGNS, "a": "-"})
    assert not verdict.ok and str(verdict).startswith("WRONG")
    steps = [s.text for s in explain(ex.sign_exercise()).steps if s.kind == "backward"]
    a_step = next(t for t in steps if t.startswith("a.grad"))
    assert a_step in verdict.text and "= -2 * -3 = 6" in a_step
    assert "d.grad += L.grad * f = 1 * -2 = -2" in verdict.text  # the step above it


def test_signs_exercise_graph_is_not_backpropagated():
    loss = ex.sign_exercise()
    assert loss.data == -8.0 and loss.grad == 0.0


@pytest.mark.parametrize("answer", ["+-+-", None, ["+"] * 4, {"a": "+"},
                                    {**SIGNS, "a": "up"}, {**SIGNS, "a": True}])
def test_signs_wrong_type_is_a_sentence(answer):
    verdict = ex.check_signs(answer)
    assert not verdict.ok and "answer with a dict" in verdict.text


def test_local_derivative():
    # o = tanh(n), n = 0.8814 -> o = 1/sqrt(2), d o/d n = 1 - o^2 = 0.5
    o = ex.local_exercise()
    assert math.isclose(o.data, 1 / math.sqrt(2), rel_tol=1e-12)
    assert ex.check_local_derivative(0.5).ok and ex.check_local_derivative(0.5004).ok
    verdict = ex.check_local_derivative(0.7071)
    assert not verdict.ok
    n_step = next(s.text for s in explain(o).steps if s.text.startswith("n.grad"))
    assert n_step in verdict.text and "(1 - o²)" in n_step
    for bad in ("half", None, float("nan"), [0.5]):
        assert "answer with one number" in ex.check_local_derivative(bad).text
    assert "the placeholder ..." in ex.check_local_derivative(...).text  # the notebook's


@pytest.fixture
def defined():
    names = []

    def define(name, local, formula):
        names.append(name)
        return ops.define(name, lambda x: x * ops.sigmoid(x), local, formula)

    yield define
    for name in names:
        ops.unregister(name)


def test_silu_op_right_and_wrong(defined):
    # d/dx x*σ(x) = σ(x) + x*σ(x)*(1 - σ(x)), by the product rule
    good = defined("ex_silu_good", lambda out, x: (
        ops.sigmoid(x) * (1 + x * (1 - ops.sigmoid(x))),), ("σ({a})(1 + {a}(1 - σ({a})))",))
    assert ex.check_silu_op(good).ok
    bad = defined("ex_silu_bad", lambda out, x: (ops.sigmoid(x),), ("σ({a})",))
    verdict = ex.check_silu_op(bad)
    assert not verdict.ok and "gradient mismatch" in verdict.text
    # σ(-2) = 0.119203: the learner's own step with its numbers
    assert "x.grad += out.grad * σ(x) = 1 * 0.119203 = 0.119203" in verdict.text


def test_silu_op_failures_are_sentences(defined):
    boom = defined("ex_silu_boom", lambda out, x: (1 / 0,), ("1/0",))
    assert "raised ZeroDivisionError" in ex.check_silu_op(boom).text
    other = ops.define("ex_not_silu", lambda x: 2 * x, lambda out, x: (2.0,), ("2",))
    try:
        assert "keep the forward" in ex.check_silu_op(other).text
    finally:
        ops.unregister("ex_not_silu")
    assert "pass the op" in ex.check_silu_op("silu").text


def test_quoted_change():
    # out = 5*w1 + 2*w2 + 1*b + ...: 5.1 -> 4.9 needs w1 -0.2/5, w2 -0.2/2, b -0.2, x1 -0.2/0.7
    assert ex.seed_neuron().data == pytest.approx(5.1, abs=1e-12)
    for name, new in (("w1", 0.66), ("w2", 0.2), ("b", 0.8), ("x1", 5 - 0.2 / 0.7)):
        assert ex.check_quoted_change({name: new}).ok, name
    verdict = ex.check_quoted_change({"w1": 0.8})
    assert not verdict.ok and "engine computes 5.6" in verdict.text
    assert "w1.grad += n1.grad * x1 = 1 * 5 = 5" in verdict.text


def test_quoted_change_never_claims_the_seed_gives_4_9():
    verdict = ex.check_quoted_change({"w1": 0.7})  # no change at all
    assert not verdict.ok and "computes 5.1" in verdict.text and "4.9" not in verdict.text


@pytest.mark.parametrize("answer", [0.66, ("w1", 0.66), {"w9": 1.0}, {"w1": "0.66"},
                                    {"w1": 0.66, "b": 1.0}, {}])
def test_quoted_change_wrong_type_is_a_sentence(answer):
    assert "answer with a dict with one entry" in ex.check_quoted_change(answer).text


def test_sgd_step():
    assert eo.check_sgd_step(lambda w, g, lr: w - lr * g).ok
    verdict = eo.check_sgd_step(lambda w, g, lr: w + lr * g)
    # 0.5 - 0.1 * 2 = 0.3
    assert not verdict.ok and "0.5 - 0.1 * 2 = 0.3" in verdict.text
    assert "function itself" in eo.check_sgd_step(0.3).text
    assert "raised TypeError" in eo.check_sgd_step(lambda w, g: w).text
    assert "as a number" in eo.check_sgd_step(lambda w, g, lr: "0.3").text


def _adam(w, g, m, v, t, lr, beta1, beta2, eps, correct=True):
    # Kingma & Ba 2015, Algorithm 1, with eps added to sqrt(v_hat) as torch.optim.Adam
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t) if correct else m
    v_hat = v / (1 - beta2 ** t) if correct else v
    return w - lr * m_hat / (math.sqrt(v_hat) + eps), m, v


def test_adam_step():
    assert eo.check_adam_step(_adam).ok
    verdict = eo.check_adam_step(lambda *a: _adam(*a, correct=False))
    # step 1, grad 2: m = 0.2, v = 0.004, m_hat = 2, v_hat = 4, w = 0.5 - 0.1*2/2 = 0.4
    assert not verdict.ok and "t=1" in verdict.text
    assert "= 0.2\n" in verdict.text and "m_hat = m/(1-beta1^t) = 2, v_hat" in verdict.text
    assert verdict.text.endswith("= 0.4")
    assert "three numbers" in eo.check_adam_step(lambda *a: 1.0).text
    assert "raised ZeroDivisionError" in eo.check_adam_step(lambda *a: 1 / 0).text
