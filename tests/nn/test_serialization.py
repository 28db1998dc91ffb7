"""Weights on disk: round trip, every refusal, and atomic saves checked by fault injection."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from weightgrad.engine import files
from weightgrad.nn import MLP


def weights(m: MLP) -> list[float]:
    return [p.data for p in m.parameters()]


def test_save_load_round_trip(tmp_path: Path) -> None:
    a, b = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=2)
    path = tmp_path / "w.json"
    a.save(path)
    document = json.loads(path.read_text())
    assert document["format"] == "weightgrad" and document["format_version"] == 1
    assert document["model"] == "MLP" and document["config"]["nouts"] == [4, 1]
    b.load(path)
    assert weights(a) == weights(b)  # bit for bit: JSON floats round-trip exactly
    assert list(tmp_path.iterdir()) == [path]


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _good_document() -> dict:
    m = MLP(2, [4, 1], seed=9)
    return {"format": "weightgrad", "format_version": 1, "model": "MLP", "config": {},
            "state_dict": m.state_dict()}


def _bad_files() -> list[tuple[str, object, type[Exception], str]]:
    good = _good_document()
    full = json.dumps(good)
    wrong_size = json.loads(full)
    wrong_size["state_dict"]["layers.0.neurons.0.w"] = [1.0, 2.0, 3.0]
    wrong_type = json.loads(full)
    wrong_type["state_dict"]["layers.1.neurons.0.b"] = "0.5"
    return [
        ("truncated", full[: len(full) // 2], ValueError, "invalid JSON"),
        ("garbage", b"\x89PNG\r\n\x1a\n\x00\xff", ValueError, "not UTF-8"),
        ("empty", "", ValueError, "invalid JSON"),
        ("other json", "[1, 2, 3]", ValueError, 'no "format": "weightgrad"'),
        ("version", json.dumps({**good, "format_version": 2}), ValueError,
         "unsupported format_version 2"),
        ("no state", json.dumps({**good, "state_dict": None}), ValueError,
         '"state_dict" is missing'),
        ("wrong size", json.dumps(wrong_size), ValueError,
         "layers.0.neurons.0.w: wrong size: expected 2 numbers, got 3"),
        ("wrong type", json.dumps(wrong_type), ValueError,
         "layers.1.neurons.0.b: expected a number, got str"),
    ]


@pytest.mark.parametrize(("case", "content", "error", "fragment"), _bad_files(),
                         ids=[c[0] for c in _bad_files()])
def test_refused_files_leave_the_model_as_it_was(tmp_path: Path, case, content, error,
                                                 fragment) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path / "w.json", content)
    m = MLP(2, [4, 1], seed=3)
    before = weights(m)
    with pytest.raises(error) as err:
        m.load(path)
    assert fragment in str(err.value)
    assert weights(m) == before


def test_missing_file(tmp_path: Path) -> None:
    m = MLP(2, [4, 1], seed=3)
    before = weights(m)
    with pytest.raises(FileNotFoundError, match="no weights file at"):
        m.load(tmp_path / "nope.json")
    assert weights(m) == before


def test_fault_mid_write_keeps_old_file_and_no_temp(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.json"
    MLP(2, [4, 1], seed=1).save(path)
    old = path.read_bytes()

    def half_then_fail(f, text: str) -> None:  # type: ignore[no-untyped-def]
        f.write(text[: len(text) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_write", half_then_fail)
    with pytest.raises(OSError, match=r"cannot save weights to .*No space left"):
        MLP(2, [4, 1], seed=2).save(path)
    assert path.read_bytes() == old
    assert list(tmp_path.iterdir()) == [path]


def test_interrupt_mid_write_keeps_old_file(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.json"
    MLP(2, [4, 1], seed=1).save(path)
    old = path.read_bytes()

    def interrupted(f, text: str) -> None:  # type: ignore[no-untyped-def]
        f.write(text[:10])
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "_write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        MLP(2, [4, 1], seed=2).save(path)
    assert path.read_bytes() == old
    assert list(tmp_path.iterdir()) == [path]


def test_unwritable_paths(tmp_path: Path) -> None:
    m = MLP(2, [4, 1], seed=1)
    with pytest.raises(FileNotFoundError, match="cannot save weights to"):
        m.save(tmp_path / "no" / "such" / "dir" / "w.json")
    folder = tmp_path / "a_folder"
    folder.mkdir()
    with pytest.raises(IsADirectoryError):
        m.save(folder)
    assert folder.is_dir() and list(tmp_path.iterdir()) == [folder]
    if os.geteuid() != 0:  # root ignores directory permissions
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(PermissionError, match="cannot save weights to"):
            m.save(locked / "w.json")


def test_non_finite_weights_are_not_saved(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    m = MLP(2, [4, 1], seed=1)
    m.save(path)
    old = path.read_bytes()
    m.layers[0].neurons[1].w[0].data = math.inf
    with pytest.raises(ValueError, match=r"layers\.0\.neurons\.1\.w\.0 is inf"):
        m.save(path)
    assert path.read_bytes() == old


def test_saved_file_has_an_ordinary_mode(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    MLP(2, [4, 1], seed=1).save(path)
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
    path.chmod(0o640)
    MLP(2, [4, 1], seed=2).save(path)  # replacing a file keeps its mode
    assert path.stat().st_mode & 0o777 == 0o640
