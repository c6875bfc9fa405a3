"""Review decisions: appended, latest wins, bad decisions refused with a reason."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extractor.corpus.decisions import DecisionError, flag_targets, history, latest, record


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
