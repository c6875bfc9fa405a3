"""Limits on one report's work: a deadline and a memory ceiling, both usable inside batch workers.

The deadline uses a Unix interval timer (main thread only). The memory ceiling lowers the process's
address-space limit (RLIMIT_AS) to what it holds now plus the allowance, so an allocation beyond it
fails with MemoryError inside the report instead of the kernel killing the worker; the old limit is
restored afterwards. The batch driver also watches its workers from outside (executors.py): a worker
stuck in C code past its deadline, or killed, is recorded as an error and replaced.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ExtractionTimeoutError, MemoryLimitError

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]


@contextmanager
def deadline(seconds: float | None, file: str) -> Iterator[None]:
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread())
    if seconds is None or seconds <= 0 or not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise ExtractionTimeoutError(f"extraction took longer than {seconds:g} s; raise --timeout or "
                                     "check the file (very large or damaged?)", file=file)

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def address_space_bytes() -> int | None:
    """The process's current virtual size (Linux /proc), or None where that cannot be read."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    import os

    return pages * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def memory_limit(megabytes: float | None, file: str) -> Iterator[None]:
    """Fail the report with MemoryLimitError when it needs more than ``megabytes`` of new memory.

    The limit is set for the whole process, so it is applied only in the main thread (a batch
    worker runs one report at a time there); elsewhere, and where RLIMIT_AS is missing, it is a no-op.
    """
    now = address_space_bytes()
    usable = resource is not None and hasattr(resource, "RLIMIT_AS") and now is not None \
        and threading.current_thread() is threading.main_thread()
    if megabytes is None or megabytes <= 0 or not usable:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = int(now + megabytes * 1024 * 1024)  # type: ignore[operator]
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    except MemoryError as e:
        if isinstance(e, MemoryLimitError):
            raise
        raise MemoryLimitError(f"reading this report needed more than {megabytes:g} MB of memory; raise "
                               "--memory-limit or check the file (huge pages or images?)", file=file) from None
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
