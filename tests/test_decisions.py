"""Review decisions: appended, latest wins, bad decisions refused with a reason."""

from __future__ import annotations

import json
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from extractor.corpus.decisions import (
    STORE_NAME,
    BoundsError,
    DecisionError,
    flag_targets,
    history,
    ignored,
    latest,
    record,
)


def test_latest_decision_wins_and_history_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    record(db, "abc", "figure:revenue.current", "confirmed", comment="ties to notes")
    record(db, "abc", "figure:revenue.current", "corrected", "1,234.50", comment="misread", reviewer="li")
    record(db, "def", "flag:customer_concentration#0", "rejected")
    now = latest(db)
    d = now[("abc", "figure:revenue.current")]
    assert (d.action, d.value, d.reviewer) == ("corrected", Decimal("1234.50"), "li")
    assert now[("def", "flag:customer_concentration#0")].action == "rejected"
    assert [h.action for h in history(db, "abc")] == ["confirmed", "corrected"]


@pytest.mark.parametrize(("target", "action", "value", "words"), [
    ("figure:revenue.current", "maybe", None, "unknown action"),
    ("figure:profit.current", "confirmed", None, "unknown figure"),
    ("figure:revenue.current", "corrected", None, "needs the corrected value"),
    ("figure:revenue.current", "corrected", "12a", "not a number"),
    ("flag:customer_concentration#0", "corrected", "1", "only figures"),
    ("flag:customer_concentration", "confirmed", None, "flag:<flag id>#<n>"),
    ("page:3", "confirmed", None, "unknown target"),
], ids=["action", "item", "no-value", "bad-value", "flag-corrected", "flag-no-index", "target"])
def test_bad_decisions_are_refused(tmp_path: Path, target: str, action: str, value: str | None,
                                   words: str) -> None:
    with pytest.raises(DecisionError, match=words):
        record(tmp_path / "store.sqlite", "abc", target, action, value)
    assert history(tmp_path / "store.sqlite") == []


def test_flag_targets_count_per_id() -> None:
    flags = [{"id": "a"}, {"id": "b"}, {"id": "a"}]
    assert flag_targets(flags) == ["flag:a#0", "flag:b#0", "flag:a#1"]


@pytest.mark.parametrize(("value", "words"), [
    ("1e400", "beyond 100,000,000,000,000 yuan"),
    ("1E+15", "beyond"),
    ("Infinity", "not a finite number"),
    ("-inf", "not a finite number"),
    ("NaN", "not a finite number"),
    ("sNaN", "not a finite number"),
    ("-0.01", "negative"),
    ("1e-400", "decimal places"),
    ("12.345", "decimal places"),
    ("9" * 41, "characters long"),
], ids=["1e400", "1e15", "infinity", "minus-infinity", "nan", "snan", "negative", "tiny", "sub-fen", "long"])
def test_values_that_are_not_amounts_are_refused(tmp_path: Path, value: str, words: str) -> None:
    with pytest.raises(DecisionError, match=words):
        record(tmp_path / "store.sqlite", "abc", "figure:revenue.current", "corrected", value)
    assert history(tmp_path / "store.sqlite") == []


@pytest.mark.parametrize(("value", "stored"), [
    ("1,234.50", "1234.50"), ("1e3", "1000"), ("100000000000000", "100000000000000"), ("0", "0"),
], ids=["separators", "exponent", "max-amount", "zero"])
def test_amounts_are_kept_as_typed_decimals(tmp_path: Path, value: str, stored: str) -> None:
    d = record(tmp_path / "store.sqlite", "abc", "figure:revenue.current", "corrected", value)
    assert str(d.value) == stored == str(latest(tmp_path / "store.sqlite")[("abc", "figure:revenue.current")].value)


def test_comments_and_names_are_cleaned_and_limited(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    d = record(db, "abc", "figure:revenue.current", "confirmed", comment=" a\x00b\u202ec\nd\x7f ",
               reviewer="\u200bli\x1b")
    assert (d.comment, d.reviewer) == ("abc d", "li")
    assert record(db, "abc", "figure:revenue.current", "confirmed", comment="字" * 2000).comment == "字" * 2000
    with pytest.raises(DecisionError, match="at most 2,000"):
        record(db, "abc", "figure:revenue.current", "confirmed", comment="字" * 2001)
    with pytest.raises(DecisionError, match="at most 100"):
        record(db, "abc", "figure:revenue.current", "confirmed", reviewer="x" * 101)
    assert record(db, "abc", "figure:revenue.current", "confirmed", reviewer=" \x00 ").reviewer is None


def result_with(revenue: dict[str, float], selling: float) -> dict:
    fig = lambda v: {"value": v, "printed": str(v), "page": 1}
    return {"sha256": "abc", "figures": {
        "revenue": {p: fig(v) for p, v in revenue.items()},
        "selling_expense": {"current": fig(selling), "prior": None},
        "rnd_expense": {"current": None, "prior": None}, "admin_expense": {"current": None, "prior": None}}}


@pytest.mark.parametrize(("target", "value", "words"), [
    ("figure:selling_expense.current", "3100", "3.1 times revenue, beyond the bound 3x"),
    ("figure:revenue.current", "100", r"selling_expense \(current\) would be 5.0 times revenue"),
    ("figure:revenue.current", "21000", r"revenue growth would be \+2021%, beyond the bound \+2000%"),
], ids=["expense-above-revenue", "revenue-below-expense", "revenue-growth"])
def test_plausibility_bounds_against_the_report(tmp_path: Path, target: str, value: str, words: str) -> None:
    db = tmp_path / "store.sqlite"
    result = result_with({"current": 1000.0, "prior": 990.0}, selling=500.0)
    with pytest.raises(BoundsError, match=words):
        record(db, "abc", target, "corrected", value, result=result)
    with pytest.raises(BoundsError, match="needs a comment"):
        record(db, "abc", target, "corrected", value, result=result, beyond_bounds=True)
    assert history(db) == []
    d = record(db, "abc", target, "corrected", value, comment="checked", result=result, beyond_bounds=True)
    assert str(d.value) == value
    record(db, "abc", target, "corrected", "1000", result=result)  # within the bounds: no question asked


def test_bounds_use_the_values_in_force(tmp_path: Path) -> None:
    """Revenue corrected first (it was misread 10,000 times too small), the expense then fits."""
    db = tmp_path / "store.sqlite"
    result = result_with({"current": 1000.0, "prior": 990.0}, selling=500.0)
    with pytest.raises(BoundsError):
        record(db, "abc", "figure:selling_expense.current", "corrected", "5000000", result=result)
    with pytest.raises(BoundsError):  # revenue growth from 990 to 10,000,000
        record(db, "abc", "figure:revenue.current", "corrected", "10000000", result=result)
    record(db, "abc", "figure:revenue.prior", "corrected", "9900000", result=result)
    record(db, "abc", "figure:revenue.current", "corrected", "10000000", result=result)
    record(db, "abc", "figure:selling_expense.current", "corrected", "5000000", result=result)
    record(db, "abc", "figure:revenue.current", "rejected", result=result)  # no revenue in force: no bound
    record(db, "abc", "figure:selling_expense.current", "corrected", "90000000", result=result)


def stored(db: Path, value: str, comment: str = "") -> None:
    """A decision written past :func:`record` (an older version, a hand edit)."""
    with sqlite3.connect(db) as con:
        con.execute("INSERT INTO decisions (sha256, target, action, value, comment, reviewer, decided_at) "
                    "VALUES ('abc', 'figure:revenue.current', 'corrected', ?, ?, NULL, '2026-01-01T00:00:00')",
                    (value, comment))


def test_stored_values_no_decision_could_have_are_ignored(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    record(db, "abc", "figure:revenue.current", "corrected", "1000", comment="good")
    for bad in ("1e400", "Infinity", "NaN", "abc", "-5"):
        stored(db, bad, comment=bad)
    d = latest(db)[("abc", "figure:revenue.current")]
    assert (d.comment, d.value) == ("good", Decimal(1000))
    assert [x.comment for x in ignored(db)] == ["1e400", "Infinity", "NaN", "abc", "-5"]
    assert all(x.value is None and x.problem for x in history(db) if x.comment != "good")
    stored(db, "2000", comment="fine after all")
    assert latest(db)[("abc", "figure:revenue.current")].value == Decimal(2000)


def test_exports_figures_and_batch_survive_stored_non_finite_values(review_batch: Path, tmp_path: Path) -> None:
    """1e400 recorded by the old server ended export, batch, figure and figures_frame in a traceback
    and put Infinity in results.jsonl: now such a decision is ignored, the one before it counts."""
    from click.testing import CliRunner

    from extractor.cli import main
    from extractor.corpus.exports import export, figures_frame
    from extractor.report.figure import figure1

    out = tmp_path / "batch"
    shutil.copytree(review_batch, out)
    sha = next(json.loads(line)["sha256"] for line in (out / "results.jsonl").read_text("utf-8").splitlines()
               if json.loads(line)["status"] == "ok")
    db = out / STORE_NAME
    record(db, sha, "figure:rnd_expense.current", "corrected", "90000000", comment="per notes")
    with sqlite3.connect(db) as con:
        for bad in ("1e400", "Infinity", "-Infinity", "NaN"):
            con.execute("INSERT INTO decisions (sha256, target, action, value, comment, reviewer, decided_at) "
                        "VALUES (?, ?, 'corrected', ?, 'old server', NULL, '2026-01-01T00:00:00')",
                        (sha, "figure:rnd_expense.current" if bad != "NaN" else "figure:revenue.current", bad))

    def no_constants(name: str) -> None:
        raise AssertionError(f"results.jsonl holds {name}")

    export(out, ("jsonl", "csv", "xlsx", "parquet"))
    rows = [json.loads(line, parse_constant=no_constants) for line in (out / "results.jsonl").read_text("utf-8").splitlines()]
    mine = next(r for r in rows if r["sha256"] == sha)
    assert mine["figures"]["rnd_expense"]["current"]["review"]["value"] == 90000000.0
    assert "review" not in (mine["figures"]["revenue"]["current"] or {})
    frame = figures_frame(out)
    assert float(frame.loc[frame["sha256"] == sha, "rnd_expense_current"].iloc[0]) == 90000000.0
    assert figure1(out, out=tmp_path / "fig")["files"]
    reports = review_batch.parent / "reports"
    res = CliRunner().invoke(main, ["batch", str(reports), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["export", str(out), "--format", "jsonl,csv"])
    assert res.exit_code == 0 and "4 stored decision(s) ignored" in res.output, res.output
