"""A per-report deadline that works inside batch worker processes (Unix signals)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import ExtractionTimeoutError


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
