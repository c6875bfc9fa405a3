"""Limits on one report's work: a deadline and a memory ceiling, both usable inside batch workers.

The deadline uses a Unix interval timer (main thread only). When it passes, the report ends as
``timeout`` wherever the work is, and never with a traceback:
- the alarm never raises inside PyMuPDF. PyMuPDF calls back into Python from C (the output stream
  of its OCR writer, devices, warnings); an exception raised there is printed to stderr by SWIG
  and comes back wrapped as ``FzErrorGeneric: Director error``. So when the alarm finds PyMuPDF's
  code on the stack, it only notes that the deadline passed and rings again shortly, until the
  work is back in our own code;
- what it raises there is :class:`DeadlinePassed`, a ``BaseException``: the ``except Exception``
  guards that keep one broken page from failing a report cannot take it for a page error. It
  becomes :class:`~extractor.errors.ExtractionTimeoutError` when it leaves :func:`deadline`, and so
  does any other error that surfaces once the deadline has passed (the time-out was its cause);
- long work (OCR) asks :func:`remaining` before each page, so that a child process (Tesseract) is
  given only the time left and killed at the deadline, and calls :func:`check` between pages.
The memory ceiling lowers the process's address-space limit (RLIMIT_AS) to what it holds now plus
the allowance, so an allocation beyond it fails with MemoryError inside the report instead of the
kernel killing the worker; the old limit is restored afterwards. MuPDF reports a refused allocation
as its own system error ("malloc (N bytes) failed"): :func:`out_of_memory` knows it, the page
readers re-raise it as MemoryError instead of taking it for a damaged page, and it leaves
:func:`memory_limit` as ``memory_limit`` too. The batch driver also watches its
workers from outside (executors.py): a worker stuck in C code past its deadline, or killed, is
recorded as an error and replaced.
"""

from __future__ import annotations

import os
import pickle
import re
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from ..errors import ExtractionTimeoutError, MemoryLimitError

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

T = TypeVar("T")
RETRY_SECONDS = 0.05  # how soon a deferred alarm rings again


class DeadlinePassed(BaseException):
    """The report's deadline passed (raised by the alarm; leaves :func:`deadline` as a time-out)."""


class _Clock:
    """The deadline in force (one at a time: the main thread runs one report at a time)."""

    def __init__(self) -> None:
        self.until: float | None = None  # time.monotonic() at the deadline
        self.passed = False


_clock = _Clock()


def remaining() -> float | None:
    """Seconds left before the deadline (0 once passed), or None when no deadline is in force."""
    if _clock.until is None:
        return None
    return 0.0 if _clock.passed else max(0.0, _clock.until - time.monotonic())


def check() -> None:
    """Raise :class:`DeadlinePassed` when the deadline has passed (call between units of long work)."""
    if _clock.until is not None and (_clock.passed or time.monotonic() >= _clock.until):
        _clock.passed = True
        raise DeadlinePassed


def _inside_pymupdf(frame: FrameType | None) -> bool:
    """Is PyMuPDF's Python code (a wrapper, or a callback from MuPDF's C code) on the stack?"""
    mod = sys.modules.get("pymupdf")
    folder = os.path.dirname(getattr(mod, "__file__", "") or "") if mod is not None else ""
    if not folder:
        return False
    while frame is not None:
        if frame.f_code.co_filename.startswith(folder):
            return True
        frame = frame.f_back
    return False


@contextmanager
def deadline(seconds: float | None, file: str) -> Iterator[None]:
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread())
    if seconds is None or seconds <= 0 or not usable or _clock.until is not None:
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        _clock.passed = True
        # ring again soon: if this one is deferred, or swallowed by a bare `except:`, the next one raises
        signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
        if not _inside_pymupdf(frame):
            raise DeadlinePassed

    def timed_out() -> ExtractionTimeoutError:
        return ExtractionTimeoutError(f"extraction took longer than {seconds:g} s; raise --timeout or "
                                      "check the file (very large or damaged?)", file=file)

    old = signal.signal(signal.SIGALRM, on_alarm)
    _clock.until, _clock.passed = time.monotonic() + seconds, False
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except DeadlinePassed:
        raise timed_out() from None
    except Exception as e:
        if _clock.passed and not isinstance(e, ExtractionTimeoutError):
            raise timed_out() from None  # e.g. an error of work the time-out cut short
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        _clock.until, _clock.passed = None, False


FZ_ERROR_SYSTEM, FZ_ERROR_LIMIT = 2, 5  # MuPDF's error numbers: a refused allocation; a limit of its own
_MUPDF_CODE = re.compile(r"^code=(\d+): ")


def mupdf_error_code(e: BaseException) -> int | None:
    """MuPDF's error number of ``e``: an ``FzError*`` carries it, and PyMuPDF's own calls raise
    RuntimeError("code=N: ...") for the same errors. None for any other exception."""
    code = getattr(e, "m_code", None)
    if isinstance(code, int):
        return code
    m = _MUPDF_CODE.match(str(e)) if isinstance(e, RuntimeError) else None
    return int(m.group(1)) if m else None


def mupdf_message(e: BaseException) -> str:
    """The text of a MuPDF error without its number (of no use in a message)."""
    return _MUPDF_CODE.sub("", str(e)) or type(e).__name__


def out_of_memory(e: BaseException) -> bool:
    """Is ``e`` a refused allocation: Python's MemoryError, or MuPDF's system error for a failed
    malloc / calloc / realloc ("code=2: realloc (4097088 bytes) failed")?"""
    if isinstance(e, MemoryError):
        return True
    return mupdf_error_code(e) == FZ_ERROR_SYSTEM and "alloc" in str(e) and "failed" in str(e)


def address_space_bytes() -> int | None:
    """The process's current virtual size (Linux /proc), or None where that cannot be read."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
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
    except Exception as e:
        if isinstance(e, MemoryLimitError) or not out_of_memory(e):
            raise
        raise MemoryLimitError(f"reading this report needed more than {megabytes:g} MB of memory; raise "
                               "--memory-limit or check the file (huge pages or images?)", file=file) from None
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class ChildTimedOut(TimeoutError):
    """Work run by :func:`call_in_child` took longer than it was given; its process was killed."""


class ChildFailed(RuntimeError):
    """Work run by :func:`call_in_child` raised, or its process died (the message says which)."""


def call_in_child(fn: Callable[..., T], *args: Any, seconds: float) -> T:
    """``fn(*args)`` in a forked child process, killed after ``seconds`` or at the report's deadline,
    whichever comes first: for work inside MuPDF that can run for minutes (drawing a page of
    millions of strokes) and that no alarm can interrupt. The result comes back pickled. Raises
    :class:`ChildTimedOut` or :class:`ChildFailed`; where there is no fork, ``fn`` runs here.
    A raw fork, not multiprocessing: a daemonic pool worker may not start multiprocessing children."""
    left = remaining()
    if left is not None:
        seconds = min(seconds, left)
    if not hasattr(os, "fork"):  # pragma: no cover - not on Windows
        return fn(*args)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        try:
            os.close(r)
            try:
                data = pickle.dumps((True, fn(*args)))
            except BaseException as e:  # noqa: BLE001 - reported to the parent, whatever it was
                data = pickle.dumps((False, f"{type(e).__name__}: {e}"))
            with os.fdopen(w, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(w)
    chunks: list[bytes] = []
    until = time.monotonic() + seconds
    try:
        while True:
            wait = until - time.monotonic()
            if wait <= 0 or not select.select([r], [], [], wait)[0]:
                raise ChildTimedOut(f"took longer than {seconds:g} s")
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if not chunks:
        raise ChildFailed("its process ended without an answer (killed, or out of memory)")
    ok, value = pickle.loads(b"".join(chunks))
    if not ok:
        raise ChildFailed(value)
    return value  # type: ignore[no-any-return]
