"""Run extraction over a folder of reports: one failure never stops the batch.

Takes a folder and an output folder. Every PDF under the folder is hashed; what the store
(``OUTDIR/store.sqlite``, :mod:`.store`) already holds for this extractor version and these
patterns is skipped, each other distinct file is read once by an executor (:mod:`.executors`:
local worker processes or Dask) and its result committed as it arrives. Then the exports are
written from the store (:mod:`.exports`; ``results.jsonl`` and ``figures.csv`` by default).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..pipeline import Options, sha256_of
from .executors import DaskExecutor, LocalExecutor, Task
from .store import Config, FileEntry, Store

DEFAULT_FORMATS = ("jsonl", "csv")


def find_pdfs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")


class Progress(Protocol):
    """What a batch tells its display (see :mod:`.progress`)."""

    def start(self, total: int, done: dict[str, int]) -> None: ...

    def advance(self, result: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class Executor(Protocol):
    name: str

    def run(self, tasks: list[Task]): ...  # -> Iterator[Outcome]


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
    pending: int = 0  # reports not read (the run was stopped by --strict)
    written: tuple[Path, ...] = ()


def make_executor(kind: str = "local", jobs: int = 1, timeout: float | None = None,
                  scheduler: str | None = None, log: Any = None) -> Executor:
    if kind == "local":
        return LocalExecutor(jobs, timeout, log=log)
    if kind == "dask":
        return DaskExecutor(scheduler, jobs, timeout)
    raise ValueError(f"unknown executor {kind!r}: use local or dask")


def _list_files(store: Store, pdfs: list[Path]) -> list[tuple[FileEntry, int | None, int | None]]:
    """Each file with its sha256 (reused from the store when size and mtime are unchanged)."""
    out: list[tuple[FileEntry, int | None, int | None]] = []
    for p in pdfs:
        try:
            st = p.stat()
            sha = store.known_hash(str(p), st.st_size, st.st_mtime_ns) or sha256_of(p)
            out.append((FileEntry(str(p), sha), st.st_size, st.st_mtime_ns))
        except OSError as e:
            out.append((FileEntry(str(p), None, f"cannot read the file ({e.strerror or e}); check its permissions"),
                        None, None))
    return out


def run_batch(folder: Path, out: Path, options: Options, jobs: int = 1, strict: bool = False,
              progress: Progress | None = None, executor: Executor | None = None, refresh: bool = False,
              formats: tuple[str, ...] = DEFAULT_FORMATS) -> BatchResult:
    """Bring the store in ``out`` up to date with ``folder``, then write ``formats`` from it."""
    from . import exports

    config = Config.current(options.patterns, options.ratio_definition)
    executor = executor or make_executor("local", jobs, options.timeout)
    with Store(out) as store:
        run = store.begin_run(str(folder), config, executor.name)
        listing = _list_files(store, find_pdfs(folder))
        store.record_files(run, listing)
        first: dict[str, str] = {}
        for entry, _, _ in listing:
            if entry.sha256 is not None:
                first.setdefault(entry.sha256, entry.path)
        done = {} if refresh else store.finished(config)
        todo = [Task(sha, path, options) for sha, path in first.items() if sha not in done]
        unreadable = [e for e, _, _ in listing if e.sha256 is None]
        if progress:
            counts = {"ok": 0, "partial": 0, "error": len(unreadable)}
            for sha in first:
                if sha in done:
                    counts[done[sha]] = counts.get(done[sha], 0) + 1
            progress.start(len(first) + len(unreadable), counts)
        extracted = 0
        stopped = strict and bool(unreadable)
        try:
            if not stopped:
                for outcome in executor.run(todo):
                    store.put(config, outcome.task.key, outcome.result, outcome.seconds, outcome.peak_rss_kb,
                              outcome.worker)
                    extracted += 1
                    if progress:
                        progress.advance(outcome.result)
                    if strict and outcome.result["status"] == "error":
                        stopped = True
                        break
        finally:
            if progress:
                progress.close()
        store.finish_run(run, files=len(listing), reports=len(first), skipped=len(first) - len(todo),
                         extracted=extracted)
    summary = exports.export(out, formats)
    return BatchResult(summary.reports, summary.ok, summary.partial, summary.failed, out, files=len(listing),
                       duplicates=len(listing) - len(unreadable) - len(first), skipped=len(first) - len(todo),
                       extracted=extracted, pending=summary.pending, written=summary.written)


def batch_frame(folder: str | Path, options: Options | None = None, jobs: int = 1,
                out: str | Path | None = None):  # -> pandas.DataFrame
    """Every report under ``folder`` as one flat row (the columns of figures.csv) in a DataFrame:
    what researchers load into a notebook. Failed reports are rows with their error code.
    With ``out``, the store there is used and kept (a rerun reads only new or changed reports)."""
    from .exports import figures_frame

    options = options or Options()
    if out is not None:
        run_batch(Path(folder), Path(out), options, jobs=jobs, formats=())
        return figures_frame(out)
    with tempfile.TemporaryDirectory(prefix="extractor-batch-") as tmp:
        run_batch(Path(folder), Path(tmp), options, jobs=jobs, formats=())
        return figures_frame(tmp)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
