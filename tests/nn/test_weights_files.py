"""What `load` accepts besides a file `save` wrote byte for byte, and what it checks first: a
UTF-8 byte order mark is skipped; another seed, init or fused setting is fine (trained
weights come from anywhere); another architecture with the same keys and sizes is not, down to
a Sequential's activation modules. (The refusals themselves are rows of
tests/test_bad_input.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from weightgrad.nn import MLP, Linear, ReLU, Sequential, Tanh


def test_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    saved = MLP(2, [3, 1], seed=1)
    saved.save(path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # as Notepad saves UTF-8
    model = MLP(2, [3, 1], seed=2)
    model.load(path)
    assert model.state_dict() == saved.state_dict()


def test_seed_init_and_fused_may_differ(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    saved = MLP(2, [40, 1], seed=1, init="xavier", fused=True)
    saved.save(path)
    model = MLP(2, [40, 1], seed=2, init="uniform", fused=False)
    model.load(path)
    assert model.state_dict() == saved.state_dict()


def test_a_file_that_records_no_model_or_config_is_checked_by_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    saved = MLP(2, [3, 1], seed=1)
    document = {"format": "weightgrad", "format_version": 1,
                "state_dict": saved.state_dict()}  # written by hand, say
    path.write_text(json.dumps(document))
    model = MLP(2, [3, 1], seed=2)
    model.load(path)
    assert model.state_dict() == saved.state_dict()


def test_the_same_keys_and_sizes_with_another_activation_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    MLP(2, [3, 1], activation="tanh", seed=1).save(path)
    model = MLP(2, [3, 1], seed=2)  # relu
    before = model.state_dict()
    assert set(before) == set(json.loads(path.read_text())["state_dict"])  # same keys
    with pytest.raises(ValueError, match="has activation='tanh', this one has activation='relu'"):
        model.load(path)
    assert model.state_dict() == before


def test_a_sequential_with_another_activation_module_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    Sequential(Linear(2, 3, seed=0), Tanh(), Linear(3, 1, seed=0)).save(path)
    model = Sequential(Linear(2, 3, seed=1), ReLU(), Linear(3, 1, seed=1))
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"has modules\.1\.type='Tanh', this one has "
                                         r"modules\.1\.type='ReLU'"):
        model.load(path)
    assert model.state_dict() == before
    twin = Sequential(Linear(2, 3, seed=5), Tanh(), Linear(3, 1, seed=5))
    twin.load(path)  # the same architecture from another seed: fine
