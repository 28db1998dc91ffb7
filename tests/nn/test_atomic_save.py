"""Atomic saves, checked by fault injection at every step of `nn.serialization.save` (which
writes through `engine.files`, as every picture and page does).

Complements tests/nn/test_serialization.py (a half write then ENOSPC, ten characters then
KeyboardInterrupt, unwritable paths, 0640 kept): here the fault is injected at each other point
(before and after the whole text is written, in fsync, in the rename, in creating the temp file,
in setting its mode) with each kind of error (OSError ENOSPC, KeyboardInterrupt, MemoryError),
with and without a previous file. Each time: the previous file is byte-identical (or there is
still none), no `.<name>.*.tmp` is left, no file descriptor is left open, and the error
propagates: an OSError naming the target path with the original's errno and reason,
KeyboardInterrupt and MemoryError as the very objects raised. Then modes, and many saves at
once (threads and processes) with a reader that must never see a broken file.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from weightgrad.engine import files
from weightgrad.nn import MLP

ARCH = (2, [4, 1])
ROOT = Path(__file__).resolve().parents[2]


def _weights(m: MLP) -> list[float]:
    return [p.data for p in m.parameters()]


def _open_fds() -> list[str] | None:
    fd_dir = Path("/proc/self/fd")
    return sorted(os.listdir(fd_dir)) if fd_dir.is_dir() else None


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- faults ---------------------------------------------------------------------------------------

def _enospc() -> BaseException:
    return OSError(errno.ENOSPC, "No space left on device")


ERRORS: dict[str, Callable[[], BaseException]] = {
    "enospc": _enospc,
    "keyboard-interrupt": KeyboardInterrupt,
    "memory-error": MemoryError,
}


def _raiser(error: BaseException, before: Callable[..., object] | None = None
            ) -> Callable[..., None]:
    def fail(*args: Any, **kwargs: Any) -> None:
        if before is not None:
            before(*args, **kwargs)
        raise error
    return fail


def _write_all(f: Any, text: str) -> None:
    f.write(text)
    f.flush()


# Each point: (module, attribute, whether the real function runs first).
POINTS: dict[str, tuple[object, str, Callable[..., object] | None]] = {
    "write-nothing": (files, "_write", None),
    "write-everything": (files, "_write", _write_all),
    "fsync": (os, "fsync", None),
    "replace": (os, "replace", None),
    "create-temp": (files, "_create_temp", None),
}


@contextmanager
def _fault(monkeypatch: pytest.MonkeyPatch, point: str, error: BaseException) -> Iterator[None]:
    """The fault is in place only around the save, so pytest's own file work is untouched."""
    module, name, before = POINTS[point]
    with monkeypatch.context() as m:
        m.setattr(module, name, _raiser(error, before))
        yield


@pytest.mark.parametrize("previous", [True, False], ids=["over-a-file", "no-file-yet"])
@pytest.mark.parametrize("kind", list(ERRORS))
@pytest.mark.parametrize("point", list(POINTS))
def test_a_fault_anywhere_keeps_the_old_file_and_leaves_nothing_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str, kind: str,
        previous: bool) -> None:
    path = tmp_path / "w.json"
    neighbour = tmp_path / "notes.txt"
    neighbour.write_text("mine\n")
    if previous:
        MLP(*ARCH, seed=1).save(path)
        path.chmod(0o640)
    old = path.read_bytes() if previous else None
    old_mode = path.stat().st_mode if previous else None
    listing = sorted(os.listdir(tmp_path))
    fds = _open_fds()
    error = ERRORS[kind]()
    model = MLP(*ARCH, seed=2)
    with _fault(monkeypatch, point, error), pytest.raises(BaseException) as info:
        model.save(path)
    err = info.value
    if isinstance(error, OSError):
        assert type(err) is OSError and err.errno == errno.ENOSPC
        assert str(path) in str(err) and "No space left on device" in str(err), str(err)
        assert error in (err.__cause__, err.__context__)  # the original is kept for debugging
    else:
        assert err is error  # KeyboardInterrupt and MemoryError propagate unchanged
    assert sorted(os.listdir(tmp_path)) == listing and _temps(tmp_path) == []
    if previous:
        assert path.read_bytes() == old and path.stat().st_mode == old_mode
    else:
        assert not path.exists()
    assert neighbour.read_text() == "mine\n"
    assert _open_fds() == fds, "a file descriptor was left open"
    model.save(path)  # and the next save, without the fault, works
    fresh = MLP(*ARCH, seed=3)
    fresh.load(path)
    assert _weights(fresh) == _weights(model)


def test_an_interrupt_right_after_the_rename_leaves_the_new_file_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the rename the new file is complete: the interrupt must not remove or damage it."""
    path = tmp_path / "w.json"
    MLP(*ARCH, seed=1).save(path)
    model = MLP(*ARCH, seed=2)
    interrupt = KeyboardInterrupt()
    with monkeypatch.context() as m:
        m.setattr(os, "replace", _raiser(interrupt, os.replace))
        with pytest.raises(KeyboardInterrupt) as info:
            model.save(path)
    assert info.value is interrupt
    assert os.listdir(tmp_path) == ["w.json"]
    loaded = MLP(*ARCH, seed=3)
    loaded.load(path)
    assert _weights(loaded) == _weights(model)


@pytest.mark.parametrize("error", [
    PermissionError(errno.EACCES, "Permission denied"),
    OSError(errno.EIO, "Input/output error"),
    OSError(errno.EDQUOT, "Disk quota exceeded"),
], ids=["eacces", "eio", "edquot"])
def test_an_os_error_in_the_rename_keeps_its_type_and_errno_and_names_the_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError) -> None:
    path = tmp_path / "w.json"
    MLP(*ARCH, seed=1).save(path)
    old = path.read_bytes()
    with monkeypatch.context() as m:
        m.setattr(os, "replace", _raiser(error))
        with pytest.raises(OSError) as info:
            MLP(*ARCH, seed=2).save(path)
    err = info.value
    assert type(err) is type(error) and err.errno == error.errno
    assert f"cannot save weights to {path}: {error.strerror}" in str(err)
    assert path.read_bytes() == old and _temps(tmp_path) == []


def test_an_os_error_without_errno_keeps_its_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.json"
    MLP(*ARCH, seed=1).save(path)
    old = path.read_bytes()
    with monkeypatch.context() as m:
        m.setattr(files, "_write", _raiser(OSError("the disk went away")))
        with pytest.raises(OSError) as info:
            MLP(*ARCH, seed=2).save(path)
    assert path.read_bytes() == old and _temps(tmp_path) == []
    assert str(path) in str(info.value)
    assert "the disk went away" in str(info.value), str(info.value)


def test_a_failure_setting_the_mode_leaves_no_descriptor_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.json"
    MLP(*ARCH, seed=1).save(path)
    old = path.read_bytes()
    fds = _open_fds()
    if fds is None:
        pytest.skip("no /proc/self/fd to count open file descriptors")
    with monkeypatch.context() as m:
        m.setattr(os, "fchmod", _raiser(OSError(errno.EPERM, "Operation not permitted")))
        with pytest.raises(PermissionError, match="cannot save weights to"):
            MLP(*ARCH, seed=2).save(path)
    assert path.read_bytes() == old and _temps(tmp_path) == []
    assert _open_fds() == fds


# --- modes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o444, 0o660], ids=oct)
def test_saving_over_a_file_keeps_its_mode_and_a_failed_save_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int) -> None:
    path = tmp_path / "w.json"
    MLP(*ARCH, seed=1).save(path)
    path.chmod(mode)
    second = MLP(*ARCH, seed=2)
    second.save(path)  # a read-only file can be replaced: the folder is what is written
    assert path.stat().st_mode & 0o7777 == mode
    loaded = MLP(*ARCH, seed=3)
    loaded.load(path)
    assert _weights(loaded) == _weights(second)
    with monkeypatch.context() as m:
        m.setattr(os, "fsync", _raiser(_enospc()))
        with pytest.raises(OSError):
            MLP(*ARCH, seed=4).save(path)
    assert path.stat().st_mode & 0o7777 == mode


@pytest.mark.parametrize("umask", [0o077, 0o027, 0o002], ids=oct)
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        MLP(*ARCH, seed=1).save(tmp_path / "w.json")
        assert os.umask(umask) == umask  # save left the process umask as it found it
    finally:
        os.umask(previous)
    assert (tmp_path / "w.json").stat().st_mode & 0o777 == 0o666 & ~umask


def test_concurrent_saves_of_new_files_neither_misread_nor_change_the_umask(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_umask = os.umask
    barrier = threading.Barrier(2)
    waited = threading.local()

    def umask(mask: int) -> int:
        # Holds each thread, once, right after it set the umask to 0: the interleaving that
        # a thread switch there gives, made certain. A save that never sets the umask to 0,
        # or serialises the two calls, passes (the wait then times out harmlessly).
        old = real_umask(mask)
        if mask == 0 and not getattr(waited, "done", False):
            waited.done = True
            with suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=2.0)
        return old

    original = real_umask(0o022)
    try:
        monkeypatch.setattr(os, "umask", umask)
        threads = [threading.Thread(target=MLP(*ARCH, seed=i).save,
                                    args=(tmp_path / f"w{i}.json",)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        monkeypatch.undo()
        after = real_umask(0o022)
    finally:
        real_umask(original)
    modes = [oct((tmp_path / f"w{i}.json").stat().st_mode & 0o777) for i in range(2)]
    assert after == 0o022, f"the process umask is now {after:#o}"
    assert modes == [oct(0o644)] * 2


# --- many saves at once -------------------------------------------------------------------------

def test_fifty_concurrent_saves_in_threads_leave_a_valid_file_and_readers_never_see_a_torn_one(
        tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    models = [MLP(*ARCH, seed=i) for i in range(51)]
    models[0].save(path)
    allowed = {tuple(_weights(m)) for m in models}
    done = threading.Event()
    seen: list[tuple[float, ...]] = []
    problems: list[BaseException] = []

    def read() -> None:
        reader = MLP(*ARCH, seed=99)
        while True:  # at least once, then until the writers are done
            finished = done.is_set()
            try:
                reader.load(path)
            except BaseException as e:  # any failure to read is the finding
                problems.append(e)
                return
            seen.append(tuple(_weights(reader)))
            if finished:
                return

    def save(chunk: list[MLP]) -> None:
        try:
            for m in chunk:
                m.save(path)
        except BaseException as e:
            problems.append(e)

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=save, args=(models[1 + k::5],)) for k in range(5)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    reader.join()
    assert problems == []
    assert seen and set(seen) <= allowed
    final = MLP(*ARCH, seed=99)
    final.load(path)
    assert tuple(_weights(final)) in allowed - {tuple(_weights(models[0]))}
    assert os.listdir(tmp_path) == ["w.json"]


SAVER = """
import sys
from weightgrad.nn import MLP
path, first = sys.argv[1], int(sys.argv[2])
for seed in range(first, first + 5):
    MLP(2, [4, 1], seed=seed).save(path)
"""


def test_fifty_saves_from_ten_processes_leave_one_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    procs = [subprocess.Popen([sys.executable, "-c", SAVER, str(path), str(5 * k)], env=env,
                              stderr=subprocess.PIPE) for k in range(10)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    document = json.loads(path.read_text())
    assert document["format"] == "weightgrad" and document["format_version"] == 1
    loaded = MLP(*ARCH, seed=99)
    loaded.load(path)
    assert tuple(_weights(loaded)) in {tuple(_weights(MLP(*ARCH, seed=s))) for s in range(50)}
    assert os.listdir(tmp_path) == ["w.json"]
