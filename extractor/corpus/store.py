"""The batch's results store: SQLite at ``OUTDIR/store.sqlite`` (beside the review decisions).

A result is keyed by the file's content (sha256), the extractor version, a hash of the pattern
files in use and the ratio definition, so a rerun skips what is done and a new version or changed
patterns read the reports again. Each finished report is committed in its own transaction (WAL
journal), so a batch killed at any moment keeps everything it finished and nothing half-written.

Tables: ``results`` (one contract JSON per key), ``files`` (every path seen, with its sha256, so
duplicate files are read once and listed), ``runs`` (each batch: folder, settings, counts). The
``decisions`` table belongs to :mod:`.decisions`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from .. import patternbook
from .decisions import STORE_NAME

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
    extracted INTEGER
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
"""


RETRIED = ("timeout", "memory_limit", "internal")  # error codes read again by the next run


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
    """An open store. Only the batch's driver process writes to it."""

    def __init__(self, outdir: Path) -> None:
        outdir.mkdir(parents=True, exist_ok=True)
        self.path = outdir / STORE_NAME
        self.con = sqlite3.connect(self.path, timeout=60)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across a process kill
        self.con.executescript(SCHEMA)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # runs and files

    def begin_run(self, folder: str, config: Config, executor: str) -> int:
        with self.con:
            cur = self.con.execute(
                "INSERT INTO runs (folder, version, patterns, ratio, pattern_dirs, executor, started_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (folder, config.version, config.patterns, config.ratio, json.dumps(list(config.pattern_dirs)),
                 executor, _now()))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish_run(self, run: int, **counts: int) -> None:
        with self.con:
            self.con.execute("UPDATE runs SET finished_at = ?, files = ?, reports = ?, skipped = ?, extracted = ? "
                             "WHERE id = ?", (_now(), counts.get("files"), counts.get("reports"),
                                              counts.get("skipped"), counts.get("extracted"), run))

    def known_hash(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The sha256 recorded for ``path`` if its size and modification time have not changed."""
        row = self.con.execute("SELECT sha256 FROM files WHERE path = ? AND size = ? AND mtime_ns = ?",
                               (path, size, mtime_ns)).fetchone()
        return row[0] if row else None

    def record_files(self, run: int, entries: Iterable[tuple[FileEntry, int | None, int | None]]) -> None:
        with self.con:
            self.con.executemany(
                "INSERT INTO files (path, sha256, size, mtime_ns, run, error) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, "
                "mtime_ns = excluded.mtime_ns, run = excluded.run, error = excluded.error",
                [(e.path, e.sha256, size, mtime, run, e.error) for e, size, mtime in entries])

    def latest_run(self) -> Run | None:
        row = self.con.execute("SELECT id, folder, version, patterns, ratio, pattern_dirs, started_at, finished_at, "
                               "files, reports, skipped, extracted FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        id_, folder, version, pat, ratio, dirs, started, finished, files, reports, skipped, extracted = row
        return Run(id_, folder, Config(version, pat, ratio, tuple(json.loads(dirs))), started, finished,
                   {"files": files, "reports": reports, "skipped": skipped, "extracted": extracted})

    def run_files(self, run: int) -> list[FileEntry]:
        """The files a run saw, by path."""
        rows = self.con.execute("SELECT path, sha256, error FROM files WHERE run = ? ORDER BY path", (run,))
        return [FileEntry(p, s, e) for p, s, e in rows]

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
        with self.con:
            self.con.execute(
                "INSERT OR REPLACE INTO results (sha256, version, patterns, ratio, status, error_code, result, "
                "seconds, peak_rss_kb, worker, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sha256, *config.key, result["status"], (result.get("error") or {}).get("code"),
                 json.dumps(result, ensure_ascii=False), seconds, peak_rss_kb, worker, _now()))

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
