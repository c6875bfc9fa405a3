"""A batch worker process: reads tasks on stdin, runs them one at a time, answers on stdout.

Started by the executors as ``python -c "from extractor.corpus.worker import main; main()"``. Messages are length-prefixed pickles. The first one
names the function to run (``module:function``) and the parent's ``sys.path``; each further one is
``(task id, args)``, answered by ``("done", task id, ok, result, seconds, peak RSS in KB)``. End of
input ends the worker. A worker holds nothing the batch needs: if it dies (segfault, out-of-memory
kill), the driver records that report as an error and starts another.
"""

from __future__ import annotations

import importlib
import os
import pickle
import struct
import sys
import time
import traceback
from collections.abc import Callable
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


def extract_one(path: str, options: Any) -> dict[str, Any]:
    """The batch's task: one report's contract JSON (never raises; errors are in the JSON)."""
    from .. import patternbook
    from ..pipeline import extract_report

    if options.memory_limit:  # the pattern book is the worker's, loaded once: not part of a report's allowance
        try:
            patternbook.load(options.patterns)
        except Exception:  # noqa: BLE001, S110 - the report itself will fail with the reason
            pass
    return extract_report(path, options).to_json()


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

