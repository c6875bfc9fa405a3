"""Auditors' review decisions on figures and flags, kept in the batch's SQLite store.

A decision says of one target in one report (the report named by its file's sha256) that it is
``confirmed``, ``rejected`` or ``corrected`` (with the new value), with a comment. Decisions are
appended, never overwritten: the latest per (report, target) is the one in force, the rest is
the history. The review server writes them; the exports and the static review report read them.

Targets: ``figure:<item>.<period>`` (e.g. ``figure:revenue.current``) and ``flag:<flag id>#<n>``,
``n`` counting from 0 among the report's flags with that id, in the order the result lists them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import ExtractorError
from ..model import ITEMS, PERIODS

STORE_NAME = "store.sqlite"
ACTIONS = ("confirmed", "rejected", "corrected")

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL,
    target TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('confirmed', 'rejected', 'corrected')),
    value TEXT,
    comment TEXT NOT NULL DEFAULT '',
    reviewer TEXT,
    decided_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_report ON decisions (sha256, target, id);
"""


class DecisionError(ExtractorError, ValueError):
    """A decision that cannot be recorded (unknown target or action, a correction without a value)."""

    code = "decision"


@dataclass(frozen=True)
class Decision:
    sha256: str
    target: str
    action: str
    value: Decimal | None
    comment: str
    reviewer: str | None
    decided_at: str
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "action": self.action,
                "value": None if self.value is None else float(self.value), "comment": self.comment,
                "reviewer": self.reviewer, "decided_at": self.decided_at}


def figure_target(item: str, period: str) -> str:
    return f"figure:{item}.{period}"


def flag_targets(flags: Iterable[dict[str, Any]]) -> list[str]:
    """The target of each flag of a result, in the result's order."""
    seen: dict[str, int] = {}
    out = []
    for f in flags:
        n = seen.get(f["id"], 0)
        seen[f["id"]] = n + 1
        out.append(f"flag:{f['id']}#{n}")
    return out


def validate(target: str, action: str, value: str | Decimal | None) -> Decimal | None:
    """The decision's value as Decimal (corrections of figures only); raises DecisionError."""
    if action not in ACTIONS:
        raise DecisionError(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    kind, _, rest = target.partition(":")
    if kind == "figure":
        item, _, period = rest.partition(".")
        if item not in ITEMS or period not in PERIODS:
            raise DecisionError(f"unknown figure {rest!r}: use <item>.<period> with item in {', '.join(ITEMS)} "
                                f"and period in {', '.join(PERIODS)}")
    elif kind == "flag":
        fid, sep, n = rest.partition("#")
        if not fid or not sep or not n.isdigit():
            raise DecisionError(f"unknown flag target {target!r}: use flag:<flag id>#<n>")
    else:
        raise DecisionError(f"unknown target {target!r}: use figure:<item>.<period> or flag:<id>#<n>")
    if action != "corrected":
        return None
    if kind != "figure":
        raise DecisionError("only figures can be corrected; confirm or reject a flag")
    if value is None or str(value).strip() == "":
        raise DecisionError("a correction needs the corrected value (in yuan)")
    try:
        v = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as e:
        raise DecisionError(f"corrected value {value!r} is not a number (in yuan, e.g. 1234567.89)") from e
    if not v.is_finite():
        raise DecisionError(f"corrected value {value!r} is not a finite number")
    return v


@contextmanager
def connect(db: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the store with the decisions table; commits on success."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(db, timeout=30)) as con:
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(SCHEMA)
        with con:
            yield con


def record(db: Path, sha256: str, target: str, action: str, value: str | Decimal | None = None,
           comment: str = "", reviewer: str | None = None) -> Decision:
    """Append one decision and return it (with its id)."""
    v = validate(target, action, value)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    with connect(db) as con:
        cur = con.execute(
            "INSERT INTO decisions (sha256, target, action, value, comment, reviewer, decided_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sha256, target, action, None if v is None else str(v), comment or "", reviewer, when))
        rowid = cur.lastrowid
    return Decision(sha256, target, action, v, comment or "", reviewer, when, rowid)


def _row(r: tuple[Any, ...]) -> Decision:
    id_, sha, target, action, value, comment, reviewer, when = r
    return Decision(sha, target, action, None if value is None else Decimal(value), comment, reviewer, when, id_)


def history(db: Path, sha256: str | None = None) -> list[Decision]:
    """Every decision, oldest first (of one report when ``sha256`` is given)."""
    if not db.exists():
        return []
    with connect(db) as con:
        sql = "SELECT id, sha256, target, action, value, comment, reviewer, decided_at FROM decisions"
        rows = con.execute(sql + (" WHERE sha256 = ? ORDER BY id" if sha256 else " ORDER BY id"),
                           (sha256,) if sha256 else ()).fetchall()
    return [_row(r) for r in rows]


def latest(db: Path) -> dict[tuple[str, str], Decision]:
    """The decision in force per (sha256, target)."""
    out: dict[tuple[str, str], Decision] = {}
    for d in history(db):
        out[(d.sha256, d.target)] = d
    return out
