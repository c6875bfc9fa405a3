"""A batch worker process: reads tasks on stdin, runs them one at a time, answers on stdout.

Started by the executors as ``python -c "from extractor.corpus.worker import main; main()"``. Messages are length-prefixed pickles. The first one
names the function to run (``module:function``) and the parent's ``sys.path``; each further one is
``(task id, args)``, answered by ``("done", task id, ok, result, seconds, peak RSS in KB)``. End of
input ends the worker. A worker holds nothing the batch needs: if it dies (segfault, out-of-memory
kill), the driver records that report as an error and starts another.

A worker ignores SIGINT (Ctrl-C reaches the whole process group; the driver stops the workers
itself) and, started by the local pool, is killed by the kernel when its driver dies.

The batch's task (:func:`extract_one`) reads the file once, whole, hashes those bytes and reads the
report from the same bytes: the result always belongs to the content hashed, whatever happens to
the file meanwhile (:func:`read_whole`).
"""

from __future__ import annotations

import errno
import hashlib
import importlib
import os
import pickle
import signal
import stat
import struct
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

_HEADER = struct.Struct("!I")


def write_message(fh: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_HEADER.pack(len(data)) + data)
    fh.flush()


def _read_exactly(fh: IO[bytes], n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = fh.read(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_message(fh: IO[bytes]) -> Any | None:
    """The next message, or None at end of input (the other side closed or died)."""
    head = _read_exactly(fh, _HEADER.size)
    if head is None:
        return None
    body = _read_exactly(fh, _HEADER.unpack(head)[0])
    return None if body is None else pickle.loads(body)


def resolve(name: str) -> Callable[..., Any]:
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)


def peak_rss_kb() -> int:
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KB on Linux


@dataclass(frozen=True)
class FileRead:
    """What a worker read of a report's file: the sha256, size and modification time of the bytes it
    read, or (``problem``, an error code) why it could not read them whole."""

    sha256: str | None
    size: int | None = None
    mtime_ns: int | None = None
    problem: str | None = None  # not_found | changed_during_run
    message: str | None = None


class UnreadError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


READ_ATTEMPTS = 3  # reads of a file that changes meanwhile, before it is given up as changed_during_run


def read_whole(path: str, attempts: int = READ_ATTEMPTS, pause: float = 0.2) -> tuple[bytes, FileRead]:
    """The file's bytes, read in one go, with their sha256. The size and modification time must be the
    same before and after the read (and the size that of the bytes read), else the file is read again
    a little later, up to ``attempts`` times; raises UnreadError."""
    for attempt in range(attempts):
        try:
            # O_NONBLOCK: if a FIFO now stands at the path, opening it must not wait for a writer
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
            try:
                before = os.fstat(fd)
                if not stat.S_ISREG(before.st_mode):
                    raise UnreadError("not_found", "is no longer a regular file (it was replaced after the batch "
                                                   "listed it); the next run looks at it again")
                chunks, total = [], 0
                while total <= before.st_size and (chunk := os.read(fd, 1 << 20)):  # a file that grows: no end
                    chunks.append(chunk)
                    total += len(chunk)
                after = os.fstat(fd)
            finally:
                os.close(fd)
        except FileNotFoundError:
            raise UnreadError("not_found", "the file was removed or moved after the batch listed it; the next "
                                           "run looks for it again") from None
        except OSError as e:
            raise UnreadError("not_found", f"cannot read the file ({e.strerror or e}); check it, the next run "
                                           "tries again") from None
        data = b"".join(chunks)
        if before.st_size == after.st_size == len(data) and before.st_mtime_ns == after.st_mtime_ns:
            return data, FileRead(hashlib.sha256(data).hexdigest(), len(data), after.st_mtime_ns)
        if attempt + 1 < attempts:
            time.sleep(pause * (attempt + 1))
    raise UnreadError("changed_during_run", f"the file kept changing while it was read ({attempts} tries; a copy or "
                                            "download in progress?); nothing was recorded for it and the next "
                                            "run reads it again")


def hash_file(path: str) -> tuple[str, int | None, int | None]:
    """sha256, size and modification time of a regular file, streamed (the batch's listing); size and
    time are None when the file changed while it was hashed. Raises OSError, also when no regular
    file stands at the path (opening a FIFO would block)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        h = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        return h.hexdigest(), None, None
    return h.hexdigest(), after.st_size, after.st_mtime_ns


def extract_one(path: str, options: Any) -> tuple[dict[str, Any], FileRead]:
    """The batch's task: one report's contract JSON (never raises; errors are in the JSON) and what was
    read. The JSON's sha256 is that of the bytes the report was read from."""
    from .. import patternbook
    from ..errors import ChangedDuringRunError, NotFoundError
    from ..model import Report
    from ..pipeline import extract_report

    if options.memory_limit:  # the pattern book is the worker's, loaded once: not part of a report's allowance
        try:
            patternbook.load(options.patterns)
        except Exception:  # noqa: BLE001, S110 - the report itself will fail with the reason
            pass
    try:
        data, read = read_whole(path)
    except UnreadError as e:
        err = (ChangedDuringRunError if e.code == "changed_during_run" else NotFoundError)(e.message, file=path)
        return Report(file=path, status="error", error=err.to_dict()).to_json(), FileRead(None, problem=e.code,
                                                                                           message=e.message)
    result = extract_report(path, options, data=data).to_json()
    result["sha256"] = read.sha256
    return result, read


def _die_with_parent(parent: int | None) -> None:
    """Ask Linux to kill this process when its driver dies (even by ``kill -9``): a report that holds
    a gigabyte must not go on alone. Elsewhere, end of input ends the worker after its report."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:  # the driver died before the request was made
        os._exit(0)


def main() -> int:
    channel_in = os.fdopen(os.dup(0), "rb")
    channel_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints from libraries go to stderr, never into the message channel
    init = read_message(channel_in)
    if init is None:
        return 0
    for p in reversed(init.get("sys_path") or []):
        if p not in sys.path:
            sys.path.insert(0, p)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver decides what Ctrl-C stops
    if init.get("die_with_parent"):
        _die_with_parent(init.get("parent"))
    fn = resolve(init["fn"])
    write_message(channel_out, ("ready", os.getpid()))
    while True:
        msg = read_message(channel_in)
        if msg is None:
            return 0
        task_id, args = msg
        t0 = time.perf_counter()
        try:
            result, ok = fn(*args), True
        except BaseException:  # noqa: BLE001 - reported to the driver, which records the report as failed
            result, ok = traceback.format_exc(limit=5), False
        try:
            write_message(channel_out, ("done", task_id, ok, result, time.perf_counter() - t0, peak_rss_kb()))
        except BrokenPipeError:  # the driver is gone
            return 0

