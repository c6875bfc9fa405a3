"""The batch's output folder: checked before use, locked while a batch writes to it, its files
replaced through unique temporary names, and every I/O failure turned into one line that names the
path and the fix (:class:`~extractor.errors.OutputError`).

- :func:`prepare` creates the folder (and missing parents) and proves it writable with a probe file,
  so a read-only mount, a permission problem or a full disk is reported before any work starts;
- :func:`locked` holds ``OUTDIR/batch.lock`` (``flock``) for the length of a batch: a second batch on
  the same folder refuses with the first one's pid (or waits for it). The kernel drops the lock when
  its holder dies, even by ``kill -9``, so a stale lock never blocks;
- :func:`replacing` gives a temporary file beside a target, unique to the process, that replaces the
  target only once it is complete and is removed on any failure: a reader never sees half a file,
  two processes never share a temporary file, and a failed export leaves the previous one intact;
  :func:`sweep` removes those left by processes killed outright (their pid is in the name).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..errors import OutputBusyError, OutputError
from .names import printable

LOCK_NAME = "batch.lock"

_FIXES = {
    errno.EROFS: "choose another folder, or remount it read-write",
    errno.EACCES: "check the folder's owner and permissions, or choose another folder",
    errno.EPERM: "check the folder's owner and permissions, or choose another folder",
    errno.ENOSPC: "free space on the disk, or choose another folder",
    errno.EDQUOT: "free space (the disk quota is used up), or choose another folder",
    errno.ENOENT: "the folder does not exist (or was removed): create it, or check the path",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.EISDIR: "a folder stands where a file should be written: move it away",
    errno.EIO: "check the disk (and the system log)",
    errno.ENAMETOOLONG: "choose a shorter path",
}

# SQLite's primary result codes for the ways a store's disk can fail
_SQLITE_FULL, _SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_IOERR, _SQLITE_PERM, _SQLITE_BUSY = 13, 8, 14, 10, 3, 5


def is_disk_error(e: OSError) -> bool:
    """An error of the file system (what :func:`describe` knows the fix for)."""
    return (e.errno or 0) in _FIXES


def describe(e: OSError, path: Path | str, doing: str = "write") -> OutputError:
    """One line for an OSError on ``path``: what failed, why, and what to do."""
    where = printable(str(path))
    fix = _FIXES.get(e.errno or 0, "check the path and the disk")
    return OutputError(f"cannot {doing} {where}: {e.strerror or e}; {fix}")


def _probe_errno(folder: Path) -> OSError | None:
    """Why nothing can be written in ``folder`` (None if a small file can be)."""
    try:
        probe(folder)
    except OSError as e:
        return e
    return None


def describe_sqlite(e: sqlite3.Error, db: Path) -> OutputError:
    """One line for a SQLite failure of the store at ``db`` (the disk's fault, or a broken file)."""
    code = getattr(e, "sqlite_errorcode", 0) & 0xFF
    if code == _SQLITE_FULL:
        return OutputError(f"cannot write {printable(str(db))}: the disk is full ({e}); {_FIXES[errno.ENOSPC]}")
    if code == _SQLITE_BUSY:
        return OutputError(f"cannot use the store {printable(str(db))}: another process kept it busy ({e}); try again "
                           "when it is done")
    if code in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_PERM, _SQLITE_IOERR):
        why = _probe_errno(db.parent)
        if why is not None:
            return describe(why, db.parent)
        if code == _SQLITE_READONLY:
            return OutputError(f"cannot write {printable(str(db))}: the store is read-only ({e}); check its "
                               "permissions (and those of its -wal and -shm files)")
    return OutputError(f"cannot use the store {printable(str(db))}: {e}; if the file is damaged, move it away "
                       "and run the batch again")


def _unique(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


_TEMPORARY = re.compile(r"\..+\.(\d+)-[0-9a-f]{8}\.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def sweep(folder: Path) -> list[Path]:
    """Remove the temporary files that processes killed outright (``kill -9``) left in ``folder``."""
    removed: list[Path] = []
    try:
        names = [e.name for e in os.scandir(folder) if e.name.endswith(".tmp")]
    except OSError:
        return removed
    for name in names:
        m = _TEMPORARY.fullmatch(name)
        if m and not _alive(int(m.group(1))):
            with suppress(OSError):
                os.unlink(folder / name)
                removed.append(folder / name)
    return removed


def probe(folder: Path) -> None:
    """Write and remove a small file in ``folder``; raises OSError when that fails."""
    tmp = _unique(folder / "probe")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        os.write(fd, b"probe\n")
        os.fsync(fd)  # a full disk may only say so when the data is written out
    finally:
        os.close(fd)
        with suppress(OSError):
            os.unlink(tmp)


def prepare(folder: Path) -> None:
    """Create ``folder`` (with its parents) and check that files can be written there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as e:
        raise OutputError(f"cannot use {printable(str(folder))} as the output folder: it is a file; "
                          "choose another path") from e
    except OSError as e:
        raise describe(e, folder, "create") from e
    try:
        probe(folder)
    except OSError as e:
        raise describe(e, folder) from e
    sweep(folder)


@contextmanager
def naming(target: Path) -> Iterator[None]:
    """An OSError in the block raised as OutputError naming ``target`` (what was being written)."""
    try:
        yield
    except OutputError:
        raise
    except OSError as e:
        raise describe(e, target) from e


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A new temporary path beside ``target``; ``target`` is replaced by it when the block ends
    normally, and it is removed when the block fails (the old ``target`` stays as it was). An OSError,
    in the block or here, is raised as OutputError naming ``target``."""
    tmp = _unique(target)
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask applies, as for any file
    except OSError as e:
        raise describe(e, target) from e
    try:
        try:
            yield tmp
        except OutputError:
            raise
        except OSError as e:
            raise describe(e, target) from e
        try:
            os.replace(tmp, target)
        except OSError as e:
            raise describe(e, target) from e
    finally:
        with suppress(OSError):
            os.unlink(tmp)  # gone already once it has replaced the target


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 300, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "a process that did not say which"


@contextmanager
def locked(folder: Path, wait: bool = False, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold ``folder``'s batch lock; raise OutputBusyError if another process holds it (or wait)."""
    import fcntl

    path = folder / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as e:
        raise describe(e, path) from e
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise OutputBusyError(f"another batch is writing to {printable(str(folder))} ({holder}); wait for it "
                                      "to finish (or add --wait), or use another --out") from None
            if waiting is not None:
                waiting(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        with suppress(OSError):  # who holds it, for the message a second batch prints (best effort: disk full)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock (what it says stays: the next holder writes its own)
