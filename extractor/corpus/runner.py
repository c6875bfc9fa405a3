"""Run extraction over a folder of reports: one failure never stops the batch.

Takes a folder and an output folder. The output folder is checked and locked (:mod:`.outdir`: one
batch at a time). Every PDF under the folder (:mod:`.listing`) is hashed; only once the whole
folder is listed is the run recorded in the store (``OUTDIR/store.sqlite``, :mod:`.store`), so a
batch stopped while listing leaves the store as it was. What the store already holds for this
extractor version and these patterns is skipped; each other distinct file is read once by an
executor (:mod:`.executors`: local worker processes or Dask) and its result committed as it arrives,
under the sha256 of the bytes the worker read (a file that changed since it was listed is stored
as what it is now; one that could not be read, or kept changing, is listed with its reason and
nothing is stored for it). Then the exports are written from the store (:mod:`.exports`;
``results.jsonl`` and ``figures.csv`` by default).

SIGINT and SIGTERM stop the batch at once: every worker is killed, the exports of what is finished
are written, and :class:`BatchResult` says which signal stopped it (the CLI exits 128 + its number).
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..errors import OutputError
from ..pipeline import Options
from . import outdir
from .executors import DaskExecutor, LocalExecutor, Outcome, Task
from .listing import list_folder
from .store import Config, FileEntry, Store
from .worker import FileRead, hash_file

DEFAULT_FORMATS = ("jsonl", "csv")
# A file modified this recently may change again within the same timestamp tick (file systems count
# time in steps of a few ms): its size and time are not trusted to stand for its hash next time.
RACY_NS = 2_000_000_000
REMEMBER_EVERY = 5.0  # seconds between commits of the hashes found while listing


class Progress(Protocol):
    """What a batch tells its display (see :mod:`.progress`)."""

    def start(self, total: int, done: dict[str, int]) -> None: ...

    def advance(self, result: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class Executor(Protocol):
    name: str

    def run(self, tasks: Iterable[Task]) -> Generator[Outcome, None, None]: ...


class Interrupted(BaseException):
    """SIGINT or SIGTERM reached the batch's driver (a BaseException, like KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the driver while the block runs (only possible
    in the main thread; elsewhere the signals keep their handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    old = {s: signal.signal(s, interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


@dataclass
class BatchResult:
    total: int  # distinct reports (duplicates counted once) in the run's output
    ok: int
    partial: int
    failed: int
    out: Path
    files: int = 0  # PDF files found
    duplicates: int = 0  # files whose content was already found under another name
    skipped: int = 0  # reports already in the store
    extracted: int = 0  # reports read in this run
    pending: int = 0  # reports not read (the run was stopped by --strict or a signal)
    written: tuple[Path, ...] = ()
    ignored: list[tuple[str, str]] = field(default_factory=list)  # entries left out of the listing, and why
    changed: int = 0  # files whose content changed after they were listed (stored as they were read)
    unread: int = 0  # files that could not be read whole during the run (gone, unreadable, still changing)
    interrupted: str | None = None  # the signal that stopped the batch (SIGINT, SIGTERM)
    run: int | None = None  # the run recorded (None: stopped while listing, or no PDF found)
    exports_error: str | None = None  # why the exports were not written (a second signal)


def make_executor(kind: str = "local", jobs: int = 1, timeout: float | None = None,
                  scheduler: str | None = None, log: Any = None) -> Executor:
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    if kind == "local":
        return LocalExecutor(jobs, timeout, log=log)
    if kind == "dask":
        return DaskExecutor(scheduler, jobs, timeout)
    raise ValueError(f"unknown executor {kind!r}: use local or dask")


def _cache_key(size: int | None, mtime_ns: int | None) -> tuple[int | None, int | None]:
    """(size, mtime) to remember with a hash, or (None, None) when the file was modified too recently."""
    if size is None or mtime_ns is None or time.time_ns() - mtime_ns < RACY_NS:
        return None, None
    return size, mtime_ns


def _hash_files(store: Store, pdfs: list[Path]) -> list[tuple[FileEntry, int | None, int | None]]:
    """Each file with its sha256 (reused from the store when size and mtime are unchanged). The hashes
    are committed as they come, so a listing cut short need not hash them again."""
    out: list[tuple[FileEntry, int | None, int | None]] = []
    fresh: list[tuple[FileEntry, int | None, int | None]] = []
    last = time.monotonic()
    for p in pdfs:
        path = str(p)
        try:
            st = p.stat()
            sha = store.known_hash(path, st.st_size, st.st_mtime_ns)
            if sha is None:
                sha, size, mtime = hash_file(path)
                size, mtime = _cache_key(size, mtime)
                fresh.append((FileEntry(path, sha), size, mtime))
            else:
                size, mtime = st.st_size, st.st_mtime_ns
            out.append((FileEntry(path, sha), size, mtime))
        except OSError as e:
            out.append((FileEntry(path, None, f"cannot read the file ({e.strerror or e}); check it and its "
                                  "permissions", "not_found"), None, None))
        if fresh and time.monotonic() - last > REMEMBER_EVERY:
            store.remember_hashes(fresh)
            fresh, last = [], time.monotonic()
    return out


@dataclass
class _Run:
    """The driver's bookkeeping while a run's reports are read."""

    store: Store
    config: Config
    run: int
    groups: dict[str, list[str]]  # sha256 at listing -> paths holding it, in listing order
    done: set[str]
    tried: dict[str, int] = field(default_factory=dict)  # sha256 -> paths of its group tried so far
    extracted: int = 0
    changed: int = 0
    unread: int = 0

    def next_task(self, key: str, options: Options) -> Task | None:
        """Another path listed with ``key``'s content, after the one tried did not hold it any more."""
        n = self.tried.get(key, 1)
        paths = self.groups.get(key, [])
        if key in self.done or n >= len(paths):
            return None
        self.tried[key] = n + 1
        return Task(key, paths[n], options)

    def record(self, outcome: Outcome, options: Options) -> Task | None:
        """Store an outcome; returns a task to try when the path read no longer held its content."""
        key, path = outcome.task.key, outcome.task.path
        read: FileRead | None = outcome.read
        if read is not None and read.problem:  # gone, unreadable or still changing: nothing read to store
            self.unread += 1
            self.store.mark_unread(self.run, path, read.problem, outcome.result["error"]["message"])
            self.extracted += 1
            return self.next_task(key, options)
        if read is not None and read.sha256 and read.sha256 != key:  # changed since listing: store what was read
            self.changed += 1
            if read.sha256 not in self.done:
                self.store.put(self.config, read.sha256, outcome.result, outcome.seconds, outcome.peak_rss_kb,
                               outcome.worker)
                self.done.add(read.sha256)
            self.store.repoint(self.run, path, read.sha256, *_cache_key(read.size, read.mtime_ns))
            self.extracted += 1
            return self.next_task(key, options)
        self.store.put(self.config, key, outcome.result, outcome.seconds, outcome.peak_rss_kb, outcome.worker)
        self.done.add(key)
        self.extracted += 1
        return None


def run_batch(folder: Path, out: Path, options: Options, jobs: int = 1, strict: bool = False,
              progress: Progress | None = None, executor: Executor | None = None, refresh: bool = False,
              formats: tuple[str, ...] = DEFAULT_FORMATS, follow_links: bool = False, wait: bool = False,
              waiting: Callable[[str], None] | None = None) -> BatchResult:
    """Bring the store in ``out`` up to date with ``folder``, then write ``formats`` from it.

    Raises OutputError when ``out`` cannot be written, OutputBusyError when another batch holds it
    (unless ``wait``: then ``waiting`` is told who holds it, and the batch waits its turn)."""
    from . import exports

    config = Config.current(options.patterns, options.ratio_definition)
    executor = executor or make_executor("local", jobs, options.timeout)
    outdir.prepare(out)
    with outdir.locked(out, wait, waiting), stop_on_signals(), Store(out) as store:
        try:
            listing = list_folder(folder, follow_links)
            hashed = _hash_files(store, listing.files)
            if not hashed:  # nothing to record: the exports of the last run stay as they are
                return BatchResult(0, 0, 0, 0, out, ignored=listing.skipped)
            run_id = store.record_run(str(folder), config, executor.name, hashed)
        except Interrupted as e:  # nothing was recorded: the store and the exports are as they were
            return BatchResult(0, 0, 0, 0, out, interrupted=e.name)
        groups: dict[str, list[str]] = {}
        for entry, _, _ in hashed:
            if entry.sha256 is not None:
                groups.setdefault(entry.sha256, []).append(entry.path)
        unreadable = [e for e, _, _ in hashed if e.sha256 is None]
        done = {} if refresh else store.finished(config)
        state = _Run(store, config, run_id, groups, set(done))
        todo = [Task(sha, paths[0], options) for sha, paths in groups.items() if sha not in done]
        skipped = len(groups) - len(todo)
        stopped: str | None = None
        try:
            stopped = _extract(executor, todo, state, options, progress, strict, done, len(unreadable))
        except Interrupted as e:
            stopped = e.name
        except OutputError as e:
            raise OutputError(f"{e} (the {state.extracted} report(s) finished in this run are kept in the "
                              "store: rerun the same command to resume)") from e
        try:
            store.finish_run(run_id, stopped=stopped, reports=len(groups), skipped=skipped, extracted=state.extracted)
        except Interrupted:  # a second signal: the run stays unfinished, which changes nothing it recorded
            pass
        result = BatchResult(0, 0, 0, 0, out, files=len(hashed), duplicates=len(hashed) - len(unreadable) - len(groups),
                             skipped=skipped, extracted=state.extracted, ignored=listing.skipped,
                             changed=state.changed, unread=state.unread, run=run_id,
                             interrupted=stopped if stopped in ("SIGINT", "SIGTERM") else None)
        try:
            summary = exports.export(out, formats, run=run_id)
        except Interrupted as e:
            result.exports_error = f"stopped again by {e.name} while writing the exports"
            return result
    result.total, result.ok, result.partial, result.failed = summary.reports, summary.ok, summary.partial, summary.failed
    result.pending, result.written = summary.pending, summary.written
    return result


def _extract(executor: Executor, todo: list[Task], state: _Run, options: Options, progress: Progress | None,
             strict: bool, done: dict[str, str], unreadable: int) -> str | None:
    """Read the reports of ``todo`` (and the retries it leads to); returns why it stopped early, if it did."""
    if progress:
        counts = {"ok": 0, "partial": 0, "error": unreadable}
        for sha in state.groups:
            if sha in done:
                counts[done[sha]] = counts.get(done[sha], 0) + 1
        progress.start(len(state.groups) + unreadable, counts)
    if strict and unreadable:
        return "strict"
    try:
        while todo:
            retry: list[Task] = []
            with closing(executor.run(todo)) as outcomes:  # closed early: the workers are killed at once
                for outcome in outcomes:
                    if outcome.stopped:  # its worker got a signal meant for the batch: left for the next run
                        continue
                    again = state.record(outcome, options)
                    if again is not None:
                        retry.append(again)
                    elif progress:
                        progress.advance(outcome.result)
                    if strict and outcome.result["status"] == "error":
                        return "strict"
            todo = retry
    finally:
        if progress:
            progress.close()
    return None


def batch_frame(folder: str | Path, options: Options | None = None, jobs: int = 1,
                out: str | Path | None = None):  # -> pandas.DataFrame
    """Every report under ``folder`` as one flat row (the columns of figures.csv) in a DataFrame:
    what researchers load into a notebook. Failed reports are rows with their error code.
    With ``out``, the store there is used and kept (a rerun reads only new or changed reports)."""
    from .exports import figures_frame

    options = options or Options()
    if out is not None:
        res = run_batch(Path(folder), Path(out), options, jobs=jobs, formats=())
        if res.interrupted:
            raise KeyboardInterrupt(res.interrupted)
        return figures_frame(out)
    with tempfile.TemporaryDirectory(prefix="extractor-batch-") as tmp:
        res = run_batch(Path(folder), Path(tmp), options, jobs=jobs, formats=())
        if res.interrupted:
            raise KeyboardInterrupt(res.interrupted)
        return figures_frame(tmp)


def default_jobs() -> int:
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13+: the affinity mask, or the -X cpu_count
    if counted is not None:
        return max(1, counted() or 1)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
