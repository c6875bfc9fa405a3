"""The batch's results store: SQLite at ``OUTDIR/store.sqlite`` (beside the review decisions).

A result is keyed by the file's content (sha256), the extractor version, a hash of the pattern
files in use and the ratio definition, so a rerun skips what is done and a new version or changed
patterns read the reports again. Each finished report is committed in its own transaction (WAL
journal), so a batch killed at any moment keeps everything it finished and nothing half-written.

Tables: ``results`` (one contract JSON per key), ``runs`` (each batch: folder, settings, counts;
a run is recorded only once its folder has been listed), ``run_files`` (the files each run covers,
with their sha256 or why they could not be read: what the exports show), ``files`` (every path
seen, with its size, modification time and sha256, so an unchanged file is not hashed again). The
``decisions`` table belongs to :mod:`.decisions`.

Paths are kept exactly, also those that are not valid UTF-8 (:func:`.names.to_store`); result
JSON is kept as valid Unicode (:func:`.names.clean_json`). A SQLite failure of the disk (full,
read-only) is raised as one line naming the store (:class:`~extractor.errors.OutputError`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from .. import patternbook
from .decisions import STORE_NAME
from .names import clean_json, from_store, to_store
from .outdir import describe, describe_sqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    sha256 TEXT NOT NULL,
    version TEXT NOT NULL,
    patterns TEXT NOT NULL,
    ratio TEXT NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT,
    result TEXT NOT NULL,
    seconds REAL,
    peak_rss_kb INTEGER,
    worker TEXT,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (sha256, version, patterns, ratio)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    folder TEXT NOT NULL,
    version TEXT NOT NULL,
    patterns TEXT NOT NULL,
    ratio TEXT NOT NULL,
    pattern_dirs TEXT NOT NULL,
    executor TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    files INTEGER,
    reports INTEGER,
    skipped INTEGER,
    extracted INTEGER,
    listed_at TEXT,
    stopped TEXT
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    sha256 TEXT,
    size INTEGER,
    mtime_ns INTEGER,
    run INTEGER NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS files_by_run ON files (run, sha256);
CREATE TABLE IF NOT EXISTS run_files (
    run INTEGER NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT,
    error_code TEXT,
    error TEXT,
    PRIMARY KEY (run, path)
);
"""

# Columns added to `runs` after the first release; a store made before them is brought up to date
# (its latest run's files copied into run_files) when it is opened.
_RUN_COLUMNS = {"listed_at": "TEXT", "stopped": "TEXT"}


RETRIED = ("timeout", "memory_limit", "pattern_timeout", "internal")  # error codes read again by the next run


def extractor_version() -> str:
    from .. import version  # looked up at call time, so that a test can stand in another version

    return str(version.__version__)


def patterns_hash(pattern_dirs: tuple[str, ...] = ()) -> str:
    """sha256 over the name and bytes of every pattern file in use (built-in, then --patterns)."""
    book = patternbook.load(pattern_dirs)
    h = hashlib.sha256()
    for f in book.files:
        p = Path(f)
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Config:
    """What a stored result depends on besides the file itself."""

    version: str
    patterns: str
    ratio: str
    pattern_dirs: tuple[str, ...] = ()

    @classmethod
    def current(cls, pattern_dirs: tuple[str, ...], ratio: str) -> Config:
        dirs = tuple(str(Path(d).resolve()) for d in pattern_dirs)
        return cls(extractor_version(), patterns_hash(dirs), ratio, dirs)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.version, self.patterns, self.ratio)


@dataclass(frozen=True)
class FileEntry:
    path: str
    sha256: str | None
    error: str | None = None  # why the file could not be read (it then has no sha256)
    code: str | None = None  # the error code for that (not_found when not given)


@dataclass(frozen=True)
class Run:
    id: int
    folder: str
    config: Config
    started_at: str
    finished_at: str | None
    counts: dict[str, int | None]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """An open store. Only the batch's driver process writes results, runs and files."""

    def __init__(self, outdir: Path) -> None:
        self.path = outdir / STORE_NAME
        try:
            outdir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise describe(e, outdir, "create") from e
        with self._disk():
            self.con = sqlite3.connect(self.path, timeout=60)
            try:
                self.con.execute("PRAGMA journal_mode=WAL")
                self.con.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across a process kill
                self.con.executescript(SCHEMA)
                self._upgrade()
            except BaseException:
                self.con.close()
                raise

    @contextmanager
    def _disk(self) -> Iterator[None]:
        """SQLite failures of the disk (full, read-only, gone) as one line naming the store."""
        try:
            yield
        except sqlite3.OperationalError as e:
            raise describe_sqlite(e, self.path) from e
        except sqlite3.DatabaseError as e:  # not a database, damaged
            raise describe_sqlite(e, self.path) from e

    def _upgrade(self) -> None:
        have = {r[1] for r in self.con.execute("PRAGMA table_info(runs)")}
        if all(c in have for c in _RUN_COLUMNS):
            return
        with self.con:
            have = {r[1] for r in self.con.execute("PRAGMA table_info(runs)")}  # another process may have done it
            for column, kind in _RUN_COLUMNS.items():
                if column not in have:
                    self.con.execute(f"ALTER TABLE runs ADD COLUMN {column} {kind}")
            # before run_files, each path kept only the run that saw it last: the latest run's list is whole.
            # A run that left no files and never finished was killed while listing: it stays unlisted.
            self.con.execute("INSERT OR IGNORE INTO run_files (run, path, sha256, error) "
                             "SELECT run, path, sha256, error FROM files")
            self.con.execute("UPDATE runs SET listed_at = COALESCE(finished_at, started_at) WHERE listed_at IS NULL "
                             "AND (finished_at IS NOT NULL OR id IN (SELECT DISTINCT run FROM files))")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # runs and files

    def known_hash(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The sha256 recorded for ``path`` if its size and modification time have not changed."""
        row = self.con.execute("SELECT sha256 FROM files WHERE path = ? AND size = ? AND mtime_ns = ?",
                               (to_store(path), size, mtime_ns)).fetchone()
        return row[0] if row else None

    def remember_hashes(self, entries: Iterable[tuple[FileEntry, int | None, int | None]]) -> None:
        """Keep the hashes of listed files (before the run is recorded: a listing cut short by a kill
        need not hash them again). ``size`` None: not to be trusted next time (see runner._cache_key)."""
        rows = [(to_store(e.path), e.sha256, size, mtime) for e, size, mtime in entries if e.sha256]
        with self._disk(), self.con:
            self.con.executemany(
                "INSERT INTO files (path, sha256, size, mtime_ns, run, error) VALUES (?, ?, ?, ?, 0, NULL) "
                "ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, "
                "mtime_ns = excluded.mtime_ns, error = NULL", rows)

    def record_run(self, folder: str, config: Config, executor: str,
                   entries: list[tuple[FileEntry, int | None, int | None]]) -> int:
        """Record a run whose folder has been listed, with its files, in one transaction; the file
        lists of earlier runs are dropped (exports show the latest listed run)."""
        now = _now()
        with self._disk(), self.con:
            cur = self.con.execute(
                "INSERT INTO runs (folder, version, patterns, ratio, pattern_dirs, executor, started_at, listed_at, "
                "files) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (to_store(folder), config.version, config.patterns, config.ratio,
                 json.dumps(list(config.pattern_dirs)), executor, now, now, len(entries)))
            run = cur.lastrowid
            assert run is not None
            self.con.execute("DELETE FROM run_files WHERE run <> ?", (run,))
            self.con.executemany(
                "INSERT OR REPLACE INTO run_files (run, path, sha256, error_code, error) VALUES (?, ?, ?, ?, ?)",
                [(run, to_store(e.path), e.sha256, e.code if e.sha256 is None else None, e.error)
                 for e, _, _ in entries])
            self.con.executemany(
                "INSERT INTO files (path, sha256, size, mtime_ns, run, error) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, "
                "mtime_ns = excluded.mtime_ns, run = excluded.run, error = excluded.error",
                [(to_store(e.path), e.sha256, size, mtime, run, e.error) for e, size, mtime in entries])
        return run

    def finish_run(self, run: int, stopped: str | None = None, **counts: int) -> None:
        with self._disk(), self.con:
            self.con.execute("UPDATE runs SET finished_at = ?, reports = ?, skipped = ?, extracted = ?, stopped = ? "
                             "WHERE id = ?", (_now(), counts.get("reports"), counts.get("skipped"),
                                              counts.get("extracted"), stopped, run))

    def repoint(self, run: int, path: str, sha256: str, size: int | None, mtime_ns: int | None) -> None:
        """``path`` held other content when its worker read it than when it was listed: the run shows the
        content read (``sha256``), and the hash cache learns it."""
        with self._disk(), self.con:
            self.con.execute("UPDATE run_files SET sha256 = ?, error_code = NULL, error = NULL WHERE run = ? "
                             "AND path = ?", (sha256, run, to_store(path)))
            self.con.execute("UPDATE files SET sha256 = ?, size = ?, mtime_ns = ?, error = NULL WHERE path = ?",
                             (sha256, size, mtime_ns, to_store(path)))

    def mark_unread(self, run: int, path: str, code: str, message: str) -> None:
        """``path`` could not be read during the run (gone, unreadable, still changing): the run lists it
        with the reason, nothing is stored for any content, and the next run hashes it again."""
        with self._disk(), self.con:
            self.con.execute("UPDATE run_files SET sha256 = NULL, error_code = ?, error = ? WHERE run = ? "
                             "AND path = ?", (code, message, run, to_store(path)))
            self.con.execute("UPDATE files SET size = NULL, mtime_ns = NULL WHERE path = ?", (to_store(path),))

    def _run(self, row: tuple[Any, ...]) -> Run:
        id_, folder, version, pat, ratio, dirs, started, finished, files, reports, skipped, extracted = row
        return Run(id_, from_store(folder), Config(version, pat, ratio, tuple(json.loads(dirs))), started, finished,
                   {"files": files, "reports": reports, "skipped": skipped, "extracted": extracted})

    _RUN_SQL = ("SELECT id, folder, version, patterns, ratio, pattern_dirs, started_at, finished_at, files, reports, "
                "skipped, extracted FROM runs")

    def latest_run(self) -> Run | None:
        """The latest run whose folder was listed whole (a batch killed while listing records none)."""
        row = self.con.execute(self._RUN_SQL + " WHERE listed_at IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else self._run(row)

    def get_run(self, run: int) -> Run | None:
        row = self.con.execute(self._RUN_SQL + " WHERE id = ? AND listed_at IS NOT NULL", (run,)).fetchone()
        return None if row is None else self._run(row)

    def run_files(self, run: int) -> list[FileEntry]:
        """The files a run covers, by path."""
        rows = self.con.execute("SELECT path, sha256, error, error_code FROM run_files WHERE run = ? ORDER BY path",
                                (run,))
        return [FileEntry(from_store(p), s, e, c) for p, s, e, c in rows]

    # results

    def finished(self, config: Config) -> dict[str, str]:
        """sha256 -> status of every report done for ``config``, leaving out errors worth another try
        (a timeout, the memory limit, a worker that died: another run may have more time or memory)."""
        marks = ",".join("?" * len(RETRIED))
        rows = self.con.execute("SELECT sha256, status FROM results WHERE version = ? AND patterns = ? AND ratio = ? "
                                f"AND (error_code IS NULL OR error_code NOT IN ({marks}))", (*config.key, *RETRIED))
        return dict(rows.fetchall())

    def statuses(self, config: Config) -> dict[str, str]:
        """sha256 -> status of every report done for ``config``."""
        rows = self.con.execute("SELECT sha256, status FROM results WHERE version = ? AND patterns = ? "
                                "AND ratio = ?", config.key)
        return dict(rows.fetchall())

    def put(self, config: Config, sha256: str, result: dict[str, Any], seconds: float | None = None,
            peak_rss_kb: int | None = None, worker: str | None = None) -> None:
        """Record one finished report, in its own transaction."""
        text = json.dumps(result, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a file name that is not UTF-8, in `file` and the error message
            text = json.dumps(clean_json(result), ensure_ascii=False)
        with self._disk(), self.con:
            self.con.execute(
                "INSERT OR REPLACE INTO results (sha256, version, patterns, ratio, status, error_code, result, "
                "seconds, peak_rss_kb, worker, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sha256, *config.key, result["status"], (result.get("error") or {}).get("code"),
                 text, seconds, peak_rss_kb, worker, _now()))

    def results(self, config: Config) -> Iterator[tuple[str, dict[str, Any]]]:
        """(sha256, contract JSON) of every stored result for ``config``."""
        rows = self.con.execute("SELECT sha256, result FROM results WHERE version = ? AND patterns = ? "
                                "AND ratio = ?", config.key)
        for sha, text in rows:
            yield sha, json.loads(text)

    def result(self, config: Config, sha256: str) -> dict[str, Any] | None:
        row = self.con.execute("SELECT result FROM results WHERE sha256 = ? AND version = ? AND patterns = ? "
                               "AND ratio = ?", (sha256, *config.key)).fetchone()
        return json.loads(row[0]) if row else None

    def stats(self, config: Config) -> list[dict[str, Any]]:
        """Per-result timing and memory (for benchmarks)."""
        rows = self.con.execute("SELECT sha256, status, seconds, peak_rss_kb, worker FROM results "
                                "WHERE version = ? AND patterns = ? AND ratio = ?", config.key)
        return [dict(zip(("sha256", "status", "seconds", "peak_rss_kb", "worker"), r, strict=True)) for r in rows]


def store_path(outdir: Path) -> Path:
    return outdir / STORE_NAME
