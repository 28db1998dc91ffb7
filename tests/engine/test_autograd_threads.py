"""Grad mode and anomaly mode are per thread, as in PyTorch: one thread's `no_grad()` or
`detect_anomaly()` never changes what another thread records or checks. Real threads, made to
meet at the interesting moments with events, not sleeps."""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from weightgrad.engine import (
    AnomalyError,
    Value,
    detect_anomaly,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
)
from weightgrad.nn import MLP, SGD, hinge_loss


def run(target: Callable[[], None]) -> threading.Thread:
    """Start `target` in a thread that records its exception for `join`."""
    def body() -> None:
        try:
            target()
        except BaseException as error:  # re-raised in the main thread by join()
            thread.error = error  # type: ignore[attr-defined]

    thread = threading.Thread(target=body, daemon=True)
    thread.error = None  # type: ignore[attr-defined]
    thread.start()
    return thread


def join(thread: threading.Thread) -> None:
    thread.join(timeout=60)
    assert not thread.is_alive(), "thread did not finish"
    if thread.error is not None:  # type: ignore[attr-defined]
        raise thread.error  # type: ignore[attr-defined]


def test_a_thread_in_no_grad_leaves_another_threads_recording_alone() -> None:
    inside, done = threading.Event(), threading.Event()

    def inference() -> None:
        with no_grad():
            inside.set()
            assert done.wait(30)
            assert not is_grad_enabled()
            assert (Value(2.0) * Value(3.0)).is_leaf  # this thread still records nothing

    other = run(inference)
    assert inside.wait(30)
    x = Value(3.0, "x")
    out = x * x
    assert is_grad_enabled() and not out.is_leaf
    out.backward()
    assert x.grad == 6.0
    done.set()
    join(other)


def test_overlapping_no_grad_blocks_restore_each_threads_own_state() -> None:
    # A enters, B enters, A leaves (B must still be off), B leaves: both on again.
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def thread_a() -> None:
        with no_grad():
            a_in.set()
            assert b_in.wait(30)
        seen["a after its block"] = is_grad_enabled()
        seen["a records"] = not (Value(1.0) + 1.0).is_leaf
        a_out.set()

    def thread_b() -> None:
        assert a_in.wait(30)
        with no_grad():
            b_in.set()
            assert a_out.wait(30)
            seen["b inside, after a left"] = is_grad_enabled()
            seen["b records inside"] = not (Value(1.0) + 1.0).is_leaf
        seen["b after its block"] = is_grad_enabled()
        seen["b records"] = not (Value(1.0) + 1.0).is_leaf

    threads = [run(thread_a), run(thread_b)]
    for t in threads:
        join(t)
    assert seen == {"a after its block": True, "a records": True,
                    "b inside, after a left": False, "b records inside": False,
                    "b after its block": True, "b records": True}
    assert is_grad_enabled() and not (Value(1.0) * 2.0).is_leaf


@pytest.fixture
def switch_often() -> Iterator[None]:
    """Make the interpreter switch threads every microsecond, so two threads interleave inside
    every op instead of running one after the other."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def train(steps: int) -> list[float]:
    """A few SGD steps of a small MLP on fixed points; every weight at the end."""
    model = MLP(2, [4, 1], seed=3)
    optimizer = SGD(model.parameters(), lr=0.1)
    rng = random.Random(5)
    xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(8)]
    ys = [1.0 if x[0] * x[1] > 0 else -1.0 for x in xs]
    for _ in range(steps):
        loss = hinge_loss([model(x) for x in xs], ys)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [p.data for p in model.parameters()] + [p.grad for p in model.parameters()]


def test_training_beside_an_inference_thread_gives_the_same_weights_as_alone(
        switch_often: None) -> None:
    alone = train(steps=6)
    stop, serving = threading.Event(), threading.Event()
    served: list[bool] = []

    def inference() -> None:
        model = MLP(2, [4, 1], seed=9)
        while not stop.is_set():
            with no_grad():  # opened and closed over and over, as a server would
                served.append(model([0.5, -0.5]).is_leaf)
            serving.set()

    server = run(inference)
    try:
        assert serving.wait(30), "the server never ran"
        # Train until the server is seen answering during the training (on a loaded machine
        # one training may happen to run alone); every training must give alone's numbers.
        for _ in range(20):
            before = len(served)
            assert train(steps=6) == alone, "training gave other numbers beside the server"
            if len(served) > before:
                break
        else:
            pytest.fail("the server never answered while training ran")
    finally:
        stop.set()
        join(server)
    assert all(served), "the server built a graph inside no_grad"


def test_anomaly_mode_is_per_thread() -> None:
    inside, done = threading.Event(), threading.Event()

    def checked() -> None:
        with detect_anomaly():
            inside.set()
            assert done.wait(30)
            with pytest.raises(AnomalyError):
                (Value(0.0).log() * 2.0).backward()

    other = run(checked)
    assert inside.wait(30)
    assert not is_anomaly_enabled()
    (Value(0.0).log() * 2.0).backward()  # unchecked here: -inf travels, nothing raises
    done.set()
    join(other)
