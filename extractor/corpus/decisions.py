"""Auditors' review decisions on figures and flags, kept in the batch's SQLite store.

A decision says of one target in one report (the report named by its file's sha256) that it is
``confirmed``, ``rejected`` or ``corrected`` (with the new value), with a comment. Decisions are
appended, never overwritten: the latest per (report, target) is the one in force, the rest is
the history. The review server writes them; the exports and the static review report read them.

Targets: ``figure:<item>.<period>`` (e.g. ``figure:revenue.current``) and ``flag:<flag id>#<n>``,
``n`` counting from 0 among the report's flags with that id, in the order the result lists them.

Every way in (the review server, :func:`record` from Python) goes through :func:`record`, which refuses
what no auditor means: a corrected value that is not a finite amount in yuan within ``max_amount`` of
patterns/thresholds.yaml (``1e400`` once turned every export into a traceback), one beyond the
report's plausibility bounds (``max_expense_to_revenue``, ``max_revenue_growth``) unless the auditor
says it was checked and why, and comments or names that are too long or carry control characters.
A value already stored that breaks these rules (written by an older version or by hand) is read as
an *ignored* decision: kept in the history with the reason, never in force, never exported.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .. import patternbook
from ..errors import ExtractorError
from ..model import ITEMS, PERIODS

STORE_NAME = "store.sqlite"
ACTIONS = ("confirmed", "rejected", "corrected")
MAX_COMMENT = 2000  # characters; a comment says why, a document belongs elsewhere
MAX_REVIEWER = 100
MAX_VALUE_TEXT = 40  # characters of a typed value (with separators); the largest amount needs 22
MAX_PLACES = 2  # yuan to the fen: the statements print no finer amounts
FLAG_ID = re.compile(r"[A-Za-z0-9_.-]{1,80}")

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
COLUMNS = "id, sha256, target, action, value, comment, reviewer, decided_at"


class DecisionError(ExtractorError, ValueError):
    """A decision that cannot be recorded (unknown target or action, a correction without a value)."""

    code = "decision"


class BoundsError(DecisionError):
    """A corrected value beyond the report's plausibility bounds: recorded only when the auditor
    says it was checked (``beyond_bounds``) and why (a comment)."""

    code = "decision_bounds"


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
    problem: str | None = None  # why a stored decision is ignored (see the module docstring)

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "action": self.action,
                "value": None if self.value is None else float(self.value), "comment": self.comment,
                "reviewer": self.reviewer, "decided_at": self.decided_at}

    @property
    def summary(self) -> str:
        """What was decided, in a few words (the server's "recorded" message)."""
        return f"{self.target} {self.action}" + (f" {self.value:,}" if self.value is not None else "")


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


def max_amount(book: patternbook.PatternBook | None = None) -> Decimal:
    """The largest amount a figure can be (``max_amount`` of patterns/thresholds.yaml), in yuan."""
    return Decimal(str((book or patternbook.load()).value("max_amount")))


def amount_problem(v: Decimal, book: patternbook.PatternBook | None = None) -> str | None:
    """Why ``v`` cannot be a figure's value, or None: it must be finite, not negative (expenses are
    amounts spent), at most ``max_amount`` and in yuan to the fen."""
    if not v.is_finite():
        return "is not a finite number"
    if v < 0:
        return "is negative: figures are amounts (expenses as amounts spent), never below 0"
    bound = max_amount(book)
    if v > bound:
        return f"is beyond {bound:,.0f} yuan (max_amount in patterns/thresholds.yaml): check the unit"
    exponent = v.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_PLACES:
        return f"has more than {MAX_PLACES} decimal places (values are in yuan, to the fen)"
    return None


def parse_amount(value: str | Decimal, book: patternbook.PatternBook | None = None) -> Decimal:
    """A typed correction as Decimal yuan; raises DecisionError saying what is wrong with it."""
    text = str(value).replace(",", "").strip()
    if len(text) > MAX_VALUE_TEXT:
        raise DecisionError(f"corrected value is {len(text)} characters long: type the amount in yuan, "
                            "e.g. 1234567.89")
    try:
        v = Decimal(text)
    except InvalidOperation as e:
        raise DecisionError(f"corrected value {text!r} is not a number (in yuan, e.g. 1234567.89)") from e
    problem = amount_problem(v, book)
    if problem:
        raise DecisionError(f"corrected value {text!r} {problem}")
    return Decimal(format(v, "f"))  # 1e3 kept as 1000, as typed amounts are


def clean_text(text: str | None, limit: int, what: str) -> str:
    """``text`` without control or invisible formatting characters (line breaks and tabs become
    spaces; bidi overrides and the like go), stripped; raises DecisionError beyond ``limit``."""
    out = []
    for ch in text or "":
        cat = unicodedata.category(ch)
        if cat == "Cc":
            if ch.isspace():
                out.append(" ")
        elif cat not in ("Cf", "Cs"):
            out.append(ch)
    cleaned = "".join(out).strip()
    if len(cleaned) > limit:
        raise DecisionError(f"the {what} is {len(cleaned):,} characters long; at most {limit:,}")
    return cleaned


def validate(target: str, action: str, value: str | Decimal | None) -> Decimal | None:
    """The decision's value as Decimal (corrections of figures only); raises DecisionError."""
    if action not in ACTIONS:
        raise DecisionError(f"unknown action {action[:40]!r}: use one of {', '.join(ACTIONS)}")
    kind, _, rest = target.partition(":")
    if kind == "figure":
        item, _, period = rest.partition(".")
        if item not in ITEMS or period not in PERIODS:
            raise DecisionError(f"unknown figure {rest[:80]!r}: use <item>.<period> with item in "
                                f"{', '.join(ITEMS)} and period in {', '.join(PERIODS)}")
    elif kind == "flag":
        fid, sep, n = rest.partition("#")
        if not FLAG_ID.fullmatch(fid) or not sep or not n.isdigit() or len(n) > 6:
            raise DecisionError(f"unknown flag target {target[:80]!r}: use flag:<flag id>#<n>")
    else:
        raise DecisionError(f"unknown target {target[:80]!r}: use figure:<item>.<period> or flag:<id>#<n>")
    if action != "corrected":
        return None
    if kind != "figure":
        raise DecisionError("only figures can be corrected; confirm or reject a flag")
    if value is None or str(value).strip() == "":
        raise DecisionError("a correction needs the corrected value (in yuan)")
    return parse_amount(value)


def in_force_values(result: dict[str, Any], in_force: dict[tuple[str, str], Decision]) -> dict[str, Decimal | None]:
    """Each figure's value in force for one report: the corrected value, none when rejected, else
    the value read."""
    sha = result.get("sha256") or ""
    out: dict[str, Decimal | None] = {}
    for item in ITEMS:
        for period in PERIODS:
            target = figure_target(item, period)
            fig = ((result.get("figures") or {}).get(item) or {}).get(period)
            d = in_force.get((sha, target))
            if d is not None and d.action == "corrected":
                out[target] = d.value
            elif (d is not None and d.action == "rejected") or not fig or fig.get("value") is None:
                out[target] = None
            else:
                out[target] = Decimal(str(fig["value"]))
    return out


def bounds_problem(target: str, v: Decimal, values: dict[str, Decimal | None],
                   book: patternbook.PatternBook | None = None) -> str | None:
    """Why correcting ``target`` to ``v`` breaks the plausibility bounds of patterns/thresholds.yaml
    against the report's other values in force (``values``), or None. The same bounds make the
    extraction flag ``implausible_value``."""
    book = book or patternbook.load()
    ratio = Decimal(str(book.value("max_expense_to_revenue")))
    growth = Decimal(str(book.value("max_revenue_growth")))
    item, _, period = target[len("figure:"):].partition(".")
    values = {**values, target: v}
    revenue = values[figure_target("revenue", period)]
    pairs = [item] if item != "revenue" else list(ITEMS[1:])
    for other in pairs:
        exp = values[figure_target(other, period)]
        if revenue is not None and revenue > 0 and exp is not None and exp > ratio * revenue:
            return (f"{other} ({period}) would be {exp / revenue:.1f} times revenue, beyond the bound {float(ratio):g}x "
                    "(max_expense_to_revenue)")
    cur, pri = values[figure_target("revenue", "current")], values[figure_target("revenue", "prior")]
    if item == "revenue" and cur is not None and pri is not None and pri > 0 and (cur - pri) / pri > growth:
        return f"revenue growth would be {float((cur - pri) / pri):+.0%}, beyond the bound {float(growth):+.0%} " \
               "(max_revenue_growth)"
    return None


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
           comment: str = "", reviewer: str | None = None, result: dict[str, Any] | None = None,
           beyond_bounds: bool = False) -> Decision:
    """Append one decision and return it (with its id); raises DecisionError when it cannot be.

    With the report's ``result`` a corrected value is also held to the plausibility bounds against
    the report's other values in force; ``beyond_bounds`` records it anyway, with a comment saying why.
    """
    v = validate(target, action, value)
    comment = clean_text(comment, MAX_COMMENT, "comment")
    reviewer = clean_text(reviewer, MAX_REVIEWER, "reviewer's name") or None
    if v is not None and result is not None:
        problem = bounds_problem(target, v, in_force_values(result, latest(db, sha256)))
        if problem and not beyond_bounds:
            raise BoundsError(f"corrected value {v:,}: {problem}. Check unit and column; if the value is right, "
                              "tick 'checked: beyond the bound' and say why in the comment")
        if problem and not comment:
            raise BoundsError(f"corrected value {v:,}: {problem}; a value beyond the bound needs a comment saying why")
    when = datetime.now(UTC).isoformat(timespec="seconds")
    with connect(db) as con:
        cur = con.execute(
            "INSERT INTO decisions (sha256, target, action, value, comment, reviewer, decided_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sha256, target, action, None if v is None else str(v), comment, reviewer, when))
        rowid = cur.lastrowid
    return Decision(sha256, target, action, v, comment, reviewer, when, rowid)


def _row(r: tuple[Any, ...]) -> Decision:
    """A stored decision; one whose value could not be recorded today comes back ignored, with the
    reason (and no value: an ``Infinity`` must never reach an export)."""
    id_, sha, target, action, value, comment, reviewer, when = r
    v: Decimal | None = None
    problem = None
    if action == "corrected" or value is not None:
        try:
            v = Decimal(str(value))
            problem = amount_problem(v)
        except InvalidOperation:
            problem = "is not a number"
        if problem:
            problem = f"stored value {str(value)[:40]!r} {problem}"
            v = None
    return Decision(sha, target, action, v, comment or "", reviewer, when, id_, problem)


def _where(sha256: str | None, target: str | None = None) -> tuple[str, tuple[str, ...]]:
    if sha256 is None:
        return "", ()
    if target is None:
        return " WHERE sha256 = ?", (sha256,)
    return " WHERE sha256 = ? AND target = ?", (sha256, target)


def history(db: Path, sha256: str | None = None) -> list[Decision]:
    """Every decision, oldest first (of one report when ``sha256`` is given), ignored ones included.
    The whole history: the review pages read :func:`recent` and :func:`older` instead."""
    if not db.exists():
        return []
    where, args = _where(sha256)
    with connect(db) as con:
        rows = con.execute(f"SELECT {COLUMNS} FROM decisions{where} ORDER BY id", args).fetchall()
    return [_row(r) for r in rows]


def latest(db: Path, sha256: str | None = None) -> dict[tuple[str, str], Decision]:
    """The decision in force per (sha256, target) (of one report when ``sha256`` is given): the
    latest one not ignored. One row per target is read, not the history."""
    if not db.exists():
        return {}
    where, args = _where(sha256)
    out: dict[tuple[str, str], Decision] = {}
    with connect(db) as con:
        rows = con.execute(f"SELECT {COLUMNS} FROM decisions WHERE id IN "
                           f"(SELECT MAX(id) FROM decisions{where} GROUP BY sha256, target)", args).fetchall()
        for r in rows:
            d = _row(r)
            if d.problem:  # rare: walk back to the latest decision that counts
                older = con.execute(f"SELECT {COLUMNS} FROM decisions WHERE sha256 = ? AND target = ? AND id < ? "
                                    "ORDER BY id DESC", (d.sha256, d.target, d.id))
                d = next((o for o in map(_row, older) if not o.problem), d)
            if not d.problem:
                out[(d.sha256, d.target)] = d
    return out


def counts(db: Path, sha256: str | None = None) -> dict[tuple[str, str], int]:
    """How many decisions each (sha256, target) has (read from the index, not the rows)."""
    if not db.exists():
        return {}
    where, args = _where(sha256)
    with connect(db) as con:
        rows = con.execute(f"SELECT sha256, target, COUNT(*) FROM decisions{where} GROUP BY sha256, target",
                           args).fetchall()
    return {(s, t): n for s, t, n in rows}


def recent(db: Path, per_target: int, sha256: str | None = None) -> dict[tuple[str, str], list[Decision]]:
    """The last ``per_target`` decisions of each (sha256, target), oldest first: one indexed query per
    target, so a target with a long history costs no more than one with a short one."""
    if not db.exists() or per_target <= 0:
        return {}
    where, args = _where(sha256)
    out: dict[tuple[str, str], list[Decision]] = {}
    with connect(db) as con:
        keys = con.execute(f"SELECT DISTINCT sha256, target FROM decisions{where}", args).fetchall()
        for sha, target in keys:
            rows = con.execute(f"SELECT {COLUMNS} FROM decisions WHERE sha256 = ? AND target = ? "
                               "ORDER BY id DESC LIMIT ?", (sha, target, per_target)).fetchall()
            out[(sha, target)] = [_row(r) for r in reversed(rows)]
    return out


def older(db: Path, sha256: str, target: str, before: int | None, size: int) -> list[Decision]:
    """One page of a target's history, newest first: ``size`` decisions with ids below ``before``."""
    if not db.exists():
        return []
    with connect(db) as con:
        rows = con.execute(f"SELECT {COLUMNS} FROM decisions WHERE sha256 = ? AND target = ? AND id < ? "
                           "ORDER BY id DESC LIMIT ?", (sha256, target, before or 2**62, size)).fetchall()
    return [_row(r) for r in rows]


def get(db: Path, id_: int) -> Decision | None:
    """The decision with this id, if any."""
    if not db.exists():
        return None
    with connect(db) as con:
        r = con.execute(f"SELECT {COLUMNS} FROM decisions WHERE id = ?", (id_,)).fetchone()
    return None if r is None else _row(r)


def ignored(db: Path) -> list[Decision]:
    """Stored decisions that do not count (values no decision could be recorded with today)."""
    if not db.exists():
        return []
    with connect(db) as con:
        rows = con.execute(f"SELECT {COLUMNS} FROM decisions WHERE value IS NOT NULL OR action = 'corrected'")
        return [d for d in map(_row, rows) if d.problem]
