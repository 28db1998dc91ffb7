"""Write a file atomically: everything weightgrad writes (weights, pictures, pages) goes here.

The text goes to a temporary file beside the target, is flushed to disk, and is renamed over
the target (rename(2) within one folder is atomic). A crash, Ctrl-C or a full disk mid-write
leaves the previous file whole and no temporary file behind, and a reader never sees half a
file. `stage` and `commit` split the two halves, so that a command writing several files can
render all of them first and refuse, writing nothing, if any one fails.

What the target may be: a new name in an existing folder, or an existing regular file that
this process may write (its permission bits are kept). Refused, with the system's error type
and errno where there is one and a message naming the path: a folder (IsADirectoryError), a
device, FIFO or socket (OSError: renaming over /dev/null would replace it with a regular
file), an existing file without write permission (PermissionError, as `open(path, "w")`
would refuse it). A symbolic link is followed: the file it points to is replaced and the link
stays a link, as `open(path, "w")` or `torch.save` would leave it.

Temporary names are `.{name}.{pid}.{random}.tmp`, with the name shortened so that the
temporary name fits the file-name limit whenever the target's does. A write killed outright
(SIGKILL, power loss) can leave one behind; the next write to the same target deletes those
whose process no longer runs (a live process's, another thread's or program's, is never
touched).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_KINDS = {stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device",
          stat.S_ISFIFO: "a named pipe (FIFO)", stat.S_ISSOCK: "a socket"}


@dataclass(frozen=True)
class Staged:
    """A temporary file holding the new contents, ready to be renamed over `target`."""

    shown: Path  # the path as the caller gave it, for messages
    target: Path  # where it goes: `shown` with symbolic links followed
    tmp: Path
    what: str


def named(e: OSError, path: Path | str, what: str) -> OSError:
    """The same kind of OSError (type and errno), its message naming what was being saved
    where: `[Errno 28] cannot save weights to runs/w.json: No space left on device`."""
    return _error(type(e), e.errno, path, what, e.strerror or str(e))


def _error(kind: type[OSError], number: int | None, path: Path | str, what: str,
           reason: str) -> OSError:
    message = f"cannot save {what} to {path}: {reason}"
    error = kind(number, message) if number is not None else kind(message)
    error.reason = reason  # type: ignore[attr-defined]  # the words alone, for the CLI's own
    return error


def _temp_prefix(target: Path) -> bytes:
    # ".{name}." cut so that "{pid}.{8 hex}.tmp" (at most 24 bytes) still fits NAME_MAX.
    try:
        limit = os.pathconf(target.parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = 255
    return b"." + os.fsencode(target.name)[:max(1, limit - 26)] + b"."


def _create_temp(target: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside `target`. Created with mode 0666 so that the kernel
    applies the umask, as for any new file (mkstemp would make it 0600)."""
    import secrets  # here, not at the top: it loads hashlib, slowing `import weightgrad`

    prefix = _temp_prefix(target)
    for _ in range(100):
        name = prefix + f"{os.getpid()}.{secrets.token_hex(4)}.tmp".encode()
        tmp = target.parent / os.fsdecode(name)
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, f"no free temporary name beside {target}")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, as another user's
    return True


def sweep(target: Path) -> list[Path]:
    """Delete the temporary files that writes to `target` killed outright left behind (their
    process is gone); returns them. Best effort: a folder that cannot be read is left alone."""
    if os.name != "posix":  # os.kill(pid, 0) means something else on Windows
        return []
    pattern = re.compile(re.escape(_temp_prefix(target)) + rb"(\d+)\.[0-9a-f]{8}\.tmp")
    swept = []
    try:
        names = os.listdir(os.fsencode(target.parent))
    except OSError:
        return []
    for name in names:
        match = pattern.fullmatch(name)
        if match and int(match[1]) != os.getpid() and not _running(int(match[1])):
            stale = target.parent / os.fsdecode(name)
            try:
                stale.unlink()
            except OSError:
                continue
            swept.append(stale)
    return swept


def special_kind(mode: int) -> str | None:
    """What a file that is not a regular file or a folder is ("a character device"), from its
    st_mode; None for a regular file or a folder."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return next((kind for test, kind in _KINDS.items() if test(mode)), "a special file")


def _check_target(shown: Path, what: str) -> Path:
    """The file to replace (links followed), or an OSError naming `shown` if it cannot be."""
    if shown.name in ("", ".", ".."):
        raise _error(IsADirectoryError, errno.EISDIR, shown, what, os.strerror(errno.EISDIR))
    target = Path(os.path.realpath(shown))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target  # a new file (a missing folder is reported when the file is created)
    except OSError as e:  # too long a name, a loop of links, a path through a regular file
        if e.errno in (errno.ENOTDIR, errno.ENOENT):
            return target
        raise named(e, shown, what) from None
    if stat.S_ISDIR(mode):
        raise _error(IsADirectoryError, errno.EISDIR, shown, what, os.strerror(errno.EISDIR))
    kind = special_kind(mode)
    if kind:
        raise _error(OSError, None, shown, what, f"it is {kind}, not a regular file (a save "
                     "renames a new file over its target, which would replace it)")
    if not os.access(target, os.W_OK):
        raise _error(PermissionError, errno.EACCES, shown, what,
                     f"{os.strerror(errno.EACCES)} (the file is read-only)")
    return target


def stage(path: str | os.PathLike[str], data: str | bytes, what: str = "the file",
          make_folder: bool = False) -> Staged:
    """Check the target, then write `data` (str as UTF-8) to a temporary file beside it and
    flush it to disk. `make_folder` creates missing folders first (pictures do; weights do not).
    On any failure nothing is left behind and the OSError names `path` (see `named`)."""
    shown = Path(path)
    target = _check_target(shown, what)
    if make_folder:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise named(e, shown, what) from None
    sweep(target)
    try:
        fd, tmp = _create_temp(target)
    except OSError as e:
        raise named(e, shown, what) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if target.exists():  # replacing a file keeps its mode
                os.fchmod(f.fileno(), target.stat().st_mode & 0o777)
            _write(f, data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException as e:
        tmp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise named(e, shown, what) from e
        raise
    return Staged(shown, target, tmp, what)


def commit(staged: Staged) -> Path:
    """Rename the staged file over its target; returns the path as given."""
    try:
        os.replace(staged.tmp, staged.target)
    except BaseException as e:
        staged.tmp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise named(e, staged.shown, staged.what) from e
        raise
    return staged.shown


def discard(staged: Staged) -> None:
    """Delete a staged file that will not be committed."""
    staged.tmp.unlink(missing_ok=True)


def write_atomic(path: str | os.PathLike[str], data: str | bytes, what: str = "the file",
                 make_folder: bool = False) -> Path:
    """`stage` then `commit`: write `data` to `path` atomically; returns `path` as a Path."""
    return commit(stage(path, data, what, make_folder))


def _write(f: IO[bytes], data: bytes) -> None:
    # One seam for fault-injection tests: an error here must leave the old file intact.
    f.write(data)
