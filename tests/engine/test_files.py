"""Atomic writes (engine/files.py), for every writer of pictures and pages as for weights: a
failure mid-write keeps the old file byte for byte and leaves no temporary file; what a
target may be (a device, a read-only file, a link, a name near the length limit); and the
temporary files a killed write leaves behind are swept by the next write to that target.
(Weights' own fault injection, point by point, is tests/nn/test_atomic_save.py.)"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from weightgrad.engine import Value, draw_graph, explain, files, playground, save_svg
from weightgrad.nn import MLP, draw_weights, make_moons, network_playground


def _graph() -> Value:
    x, w = Value(2.0, "x"), Value(3.0, "w")
    out = x * w
    out.label = "out"
    return out


# Every writer of a picture or a page, each writing to `path`.
WRITERS: dict[str, Callable[[Path], object]] = {
    "save_svg": lambda p: save_svg(draw_graph(_graph()), p),
    "explain.save_html": lambda p: explain(_graph()).save_html(p),
    "explain.save_frames": lambda p: explain(_graph()).save_frames(p.parent, prefix=p.stem),
    "playground.save_html": lambda p: playground(_graph()).save_html(p),
    "network_playground.save_html": lambda p: network_playground(
        MLP(2, [2, 1], seed=0), *make_moons(4, seed=0)).save_html(p),
    "draw_weights.save": lambda p: draw_weights(MLP(2, [2, 1], seed=0)).save(p),
}


def _target(writer: str, folder: Path) -> Path:
    # save_frames writes {prefix}_001.svg, ...: the first frame is the file to watch
    return folder / ("pic_001.svg" if writer == "explain.save_frames" else "pic.out")


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"),
                                   KeyboardInterrupt()], ids=["disk-full", "ctrl-c"])
@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_failed_write_keeps_the_old_picture_or_page_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str,
        error: BaseException) -> None:
    target = _target(writer, tmp_path)
    target.write_text("the old file\n")

    def half_then_fail(f: object, data: bytes) -> None:
        f.write(data[: len(data) // 2])  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(files, "_write", half_then_fail)
    with pytest.raises(type(error)) as info:
        WRITERS[writer](tmp_path / "pic.out")
    assert target.read_text() == "the old file\n"
    assert _temps(tmp_path) == []
    if isinstance(error, OSError):  # the system's type and errno, the file named
        assert info.value.errno == errno.ENOSPC and str(target.parent) in str(info.value)


@pytest.mark.parametrize("writer", list(WRITERS))
def test_every_writer_replaces_the_file_whole_and_keeps_its_mode(tmp_path: Path,
                                                                 writer: str) -> None:
    target = _target(writer, tmp_path)
    target.write_text("the old file\n")
    target.chmod(0o640)
    WRITERS[writer](tmp_path / "pic.out")
    text = target.read_text(encoding="utf-8")
    assert text != "the old file\n" and text.rstrip().endswith(("</svg>", "</html>"))
    assert target.stat().st_mode & 0o777 == 0o640 and _temps(tmp_path) == []


def test_a_device_is_never_replaced(tmp_path: Path) -> None:
    before = os.stat("/dev/null")
    for write in (lambda: files.write_atomic("/dev/null", "x", "the picture"),
                  lambda: MLP(2, [1], seed=0).save("/dev/null")):
        with pytest.raises(OSError, match="it is a character device, not a regular file"):
            write()
    after = os.stat("/dev/null")
    assert (after.st_ino, after.st_rdev, after.st_mode) == (before.st_ino, before.st_rdev,
                                                            before.st_mode)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="it is a named pipe"):
        files.write_atomic(fifo, "x", "the page")
    assert fifo.is_fifo() and _temps(tmp_path) == []


def test_a_read_only_file_is_refused_as_open_would_refuse_it(tmp_path: Path) -> None:
    # The system decides: a user's open() is refused (the save must be too, keeping the
    # file); root's is not (the save must then write, as open would). Both run somewhere.
    target = tmp_path / "w.json"
    target.write_text("keep me")
    target.chmod(0o444)
    try:
        with open(target, "a"):
            open_refuses = False
    except PermissionError:
        open_refuses = True
    model = MLP(2, [1], seed=0)
    if open_refuses:
        with pytest.raises(PermissionError, match=r"cannot save weights to .*w\.json: Perm"):
            model.save(target)
        assert target.read_text() == "keep me"
    else:
        model.save(target)
        loaded = MLP(2, [1], seed=1)
        loaded.load(target)
        assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]
    assert _temps(tmp_path) == []


def test_a_file_the_system_says_is_not_writable_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root the test above cannot refuse anything; the decision itself is os.access's.
    target = tmp_path / "p.html"
    target.write_text("keep me")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == target
                        else real_access(p, mode))
    with pytest.raises(PermissionError, match=r"to .*p\.html: .*\(the file is read-only\)"):
        explain(_graph()).save_html(target)
    assert target.read_text() == "keep me" and _temps(tmp_path) == []


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "runs" / "w.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    model = MLP(2, [3, 1], seed=4)
    model.save(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    other = MLP(2, [3, 1], seed=5)
    other.load(real)
    assert other.state_dict() == model.state_dict()
    assert _temps(tmp_path) == [] and _temps(real.parent) == []
    dangling = tmp_path / "new.json"
    dangling.symlink_to(tmp_path / "runs" / "new.json")  # a link to a file not yet made
    model.save(dangling)
    assert dangling.is_symlink() and (tmp_path / "runs" / "new.json").is_file()


def test_a_name_at_the_length_limit_works(tmp_path: Path) -> None:
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    for length in (250, limit):
        target = tmp_path / ("w" * (length - 5) + ".json")
        model = MLP(2, [2, 1], seed=length)
        model.save(target)  # the temporary name is cut to fit, whatever the target's length
        other = MLP(2, [2, 1], seed=0)
        other.load(target)
        assert other.state_dict() == model.state_dict()
    assert _temps(tmp_path) == []
    with pytest.raises(OSError) as info:
        MLP(2, [2, 1], seed=0).save(tmp_path / ("w" * limit + ".json"))
    assert info.value.errno == errno.ENAMETOOLONG and "cannot save weights to" in str(info.value)


def _killed_save(folder: Path) -> Path:
    """A temporary file exactly as a save killed by SIGKILL leaves it: a real process wrote
    it beside w.json and died before the rename."""
    code = ("import os, sys\n"
            "from pathlib import Path\n"
            "from weightgrad.engine import files\n"
            "fd, tmp = files._create_temp(Path(sys.argv[1]))\n"
            "os.write(fd, b'half a file')\n"
            "print(tmp)\n"
            "os._exit(9)\n")
    done = subprocess.run([sys.executable, "-c", code, str(folder / "w.json")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 9, done.stderr
    return Path(done.stdout.strip())


def test_the_next_save_sweeps_what_a_killed_save_left(tmp_path: Path) -> None:
    stale = _killed_save(tmp_path)
    assert stale.exists() and stale.name.startswith(".w.json.")
    # a write in progress in a live process (this one, another thread) is never touched
    fd, live = files._create_temp(tmp_path / "w.json")
    os.close(fd)
    MLP(2, [1], seed=0).save(tmp_path / "w.json")
    assert not stale.exists() and live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, "w.json"])


def test_a_sweep_touches_only_its_own_targets_temporary_files(tmp_path: Path) -> None:
    stale = _killed_save(tmp_path)  # beside w.json
    unrelated = tmp_path / ".notes.txt.1.abcdef12.tmp"  # not ours: another target's name
    unrelated.write_text("someone else's")
    MLP(2, [1], seed=0).save(tmp_path / "x.json")  # another target in the same folder
    assert stale.exists() and unrelated.exists()
    MLP(2, [1], seed=0).save(tmp_path / "w.json")
    assert not stale.exists() and unrelated.exists()
