"""The federated lesson teaches what it says: FedAvg's averaged model far beats every client
alone and closes its gap to centralized training; the server averages by shard size (checked
by hand); only JSON text of state dicts crosses; same seed, same output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from demos import federated as lesson
from tests.demos.quick_run import assert_same_seed, quick_fixture

PICTURES = ["federated_accuracy.svg", "federated_drift.svg"]


run = quick_fixture(lesson, "federated")


def test_fedavg_beats_clients_alone_and_catches_up(run: tuple[dict[str, Any], str, Path]
                                                   ) -> None:
    result, stdout, _ = run
    fed, central, alone = result["fed"], result["central"], result["alone"]
    assert fed[-1] >= max(alone) + 0.40
    assert max(alone) <= 0.25  # two digits of ten: a client alone cannot do better
    assert central[-1] - fed[-1] < (central[0] - fed[0]) / 2
    assert all(d > 0 for row in result["drift"] for d in row)
    assert sum(result["shards"]) == 300 and len(result["shards"]) == lesson.CLIENTS
    assert "FedAvg test accuracy per round: " + ", ".join(f"{a:.1%}" for a in fed) in stdout
    assert "no image ever left its client" in stdout


def test_average_is_weighted_by_shard_size() -> None:
    states = [{"w": [1.0, 0.0], "b": 2.0}, {"w": [4.0, 3.0], "b": -1.0}]
    avg = lesson.average(states, [1, 2])
    assert avg["w"] == pytest.approx([(1.0 + 8.0) / 3, 6.0 / 3])
    assert avg["b"] == pytest.approx((2.0 - 2.0) / 3)


def test_only_text_of_state_dicts_crosses() -> None:
    seen = []

    def spy(client: lesson.Client) -> lesson.Client:
        def wrapped(message: str) -> str:
            assert isinstance(message, str)
            reply = client(message)
            seen.append(reply)
            return reply
        return wrapped

    shard = ([[0.5] * 64, [0.0] * 64], [3, 4])
    clients = [spy(lesson.make_client(shard, 1, seed=k)) for k in range(2)]
    model = lesson.new_model(0)
    state, drift = lesson.fedavg_round(model.state_dict(), clients)
    for reply in seen:
        assert isinstance(reply, str)
        message = json.loads(reply)
        assert set(message) == {"state_dict", "n"} and message["n"] == 2
        assert message["state_dict"].keys() == model.state_dict().keys()
    assert state.keys() == model.state_dict().keys() and len(drift) == 2


def test_same_seed_same_output_and_pictures(run: tuple[dict[str, Any], str, Path],
                                            tmp_path: Path) -> None:
    _, stdout, out = run
    assert_same_seed(lesson, stdout, out, tmp_path, PICTURES)
