"""Exports from the store: the workbook's sheets, headers and formats, parquet, DataFrames, and
review decisions shown beside the values read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from extractor.corpus import decisions
from extractor.corpus.exports import export, figures_frame, flags_frame
from extractor.corpus.runner import run_batch
from extractor.pipeline import Options

from .corpus_util import QUICK, results, sample_folder


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exports")
    src = sample_folder(root / "in", stems=QUICK)
    (src / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<" + b"\x00" * 50)
    out = root / "out"
    run_batch(src, out, Options(), formats=())
    return out


@pytest.fixture
def out(batch_out: Path, tmp_path: Path) -> Path:
    """A copy of the batch's output folder that a test may add decisions to."""
    dst = tmp_path / "out"
    shutil.copytree(batch_out, dst)
    return dst


def test_workbook_has_sheets_headers_formats_and_frozen_header(out: Path) -> None:
    from openpyxl import load_workbook

    export(out, ["xlsx"])
    wb = load_workbook(out / "figures.xlsx")
    assert wb.sheetnames == ["figures", "flags", "errors"]
    ws = wb["figures"]
    head = [c.value for c in ws[1]]
    for h in ("File", "Company", "Stock code", "Revenue, current (yuan)", "R&D expense, prior: page",
              "R&D vs selling: signed multiple", "R&D / revenue", "Duplicate files"):
        assert h in head
    assert ws.freeze_panes == "B2" and wb["flags"].freeze_panes == "A2"
    ok_row = next(i for i in range(2, ws.max_row + 1) if ws.cell(row=i, column=2).value == "ok")
    revenue = ws.cell(row=ok_row, column=head.index("Revenue, current (yuan)") + 1)
    assert isinstance(revenue.value, float) and revenue.number_format == "#,##0.00"
    share = ws.cell(row=ok_row, column=head.index("R&D / revenue") + 1)
    assert share.number_format == "0.00%"
    errors = list(wb["errors"].iter_rows(min_row=2, values_only=True))
    assert len(errors) == 1 and errors[0][0].endswith("broken.pdf") and errors[0][1] == "damaged"
    flags_head = [c.value for c in wb["flags"][1]]
    assert {"Flag", "Severity", "Message", "Review"} <= set(flags_head)
    assert wb["flags"].max_row - 1 == sum(len(r["flags"]) for r in _results(out))


def _results(out: Path) -> list[dict]:
    export(out, ["jsonl"])
    return results(out)


def test_parquet_and_frames_match_the_csv_columns(out: Path) -> None:
    import pandas as pd

    export(out, ["csv", "parquet"])
    frame = pd.read_parquet(out / "figures.parquet")
    header = (out / "figures.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert list(frame.columns) == header
    assert len(frame) == 4 and set(frame["status"]) == {"ok", "error"}
    hk = frame[frame["file"].str.endswith("s07_enhk_reportlab.pdf")].iloc[0]
    assert hk["code"] == "08566"  # a string, leading zero kept
    api = figures_frame(out)
    assert list(api.columns) == header and api["revenue_current"].fillna(-1).tolist() == frame["revenue_current"].fillna(-1).tolist()
    flags = flags_frame(out)
    expected = [(Path(r["file"]).name, f["id"]) for r in _results(out) for f in r["flags"]]
    assert [(Path(f).name, i) for f, i in zip(flags["file"], flags["flag"], strict=True)] == expected


def test_corrected_figure_shows_new_value_and_keeps_the_original(out: Path) -> None:
    rows = _results(out)
    target = next(r for r in rows if r["file"].endswith("s01_bse_reportlab.pdf"))
    sha = target["sha256"]
    read_rnd = target["figures"]["rnd_expense"]["current"]["value"]
    selling = target["figures"]["selling_expense"]["current"]["value"]
    db = out / decisions.STORE_NAME
    decisions.record(db, sha, "figure:rnd_expense.current", "confirmed", comment="first look")
    decisions.record(db, sha, "figure:rnd_expense.current", "corrected", "50,000,000.00", comment="misread", reviewer="li")
    decisions.record(db, sha, "figure:revenue.prior", "rejected", comment="wrong column")
    flagged = next(r for r in rows if r["flags"])
    first_flag = decisions.flag_targets(flagged["flags"])[0]
    decisions.record(db, flagged["sha256"], first_flag, "confirmed", comment="checked the notes")
    export(out, ["jsonl", "csv", "xlsx"])

    frame = figures_frame(out)
    row = frame[frame["sha256"] == sha].iloc[0]
    assert row["rnd_expense_current"] == 50_000_000.0
    assert row["rnd_expense_current_original"] == read_rnd
    assert (row["rnd_expense_current_review"], row["rnd_expense_current_review_comment"]) == ("corrected", "misread")
    assert pd_isna(row["revenue_prior"]) and row["revenue_prior_review"] == "rejected"
    assert row["ratio_signed_multiple"] == pytest.approx(50_000_000.0 / selling, rel=1e-6)
    assert row["ratio_orientation"] == "rnd"
    j = next(r for r in results(out) if r["sha256"] == sha)
    fig = j["figures"]["rnd_expense"]["current"]
    assert fig["value"] == read_rnd  # the JSON keeps what the page shows; the review rides along
    assert (fig["review"]["action"], fig["review"]["value"], fig["review"]["reviewer"]) == ("corrected", 5e7, "li")
    assert {d["target"] for d in j["review"]} == {"figure:rnd_expense.current", "figure:revenue.prior"} | (
        {first_flag} if flagged["sha256"] == sha else set())
    flags = flags_frame(out)
    reviewed = flags[flags["review"].notna()]
    assert reviewed[["target", "review", "review_comment"]].values.tolist() == [[first_flag, "confirmed",
                                                                                   "checked the notes"]]
    csv_text = (out / "figures.csv").read_text(encoding="utf-8-sig")
    assert "rnd_expense_current_original" in csv_text.splitlines()[0] and "misread" in csv_text


def pd_isna(v) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


def test_export_cli_and_missing_store(out: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from extractor.cli import main

    res = CliRunner().invoke(main, ["export", str(out), "--format", "xlsx,parquet"])
    assert res.exit_code == 0, res.output
    assert (out / "figures.xlsx").exists() and (out / "figures.parquet").exists()
    res = CliRunner().invoke(main, ["export", str(tmp_path / "in"), "--format", "csv"]) if (tmp_path / "in").mkdir() \
        is None else None
    assert res is not None and res.exit_code == 1 and "run `extractor batch FOLDER --out" in res.stderr
    res = CliRunner().invoke(main, ["export", str(out), "--format", "pdf"])
    assert res.exit_code == 2 and "unknown format" in res.output


def test_import_extractor_does_not_load_pandas() -> None:
    import subprocess
    import sys

    code = "import sys, extractor, extractor.cli; print(json.dumps(sorted(m for m in ('pandas', 'openpyxl', " \
           "'pyarrow', 'matplotlib', 'dask', 'rich') if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_restated_prior_year_is_flagged_in_exports_and_review(out: Path) -> None:
    """Two reports of the batch made one company's consecutive years, the later one's prior-year selling
    expense differing from the earlier one's current year: the flag is in every export and the review."""
    from html import unescape

    from extractor.corpus.store import Store
    from extractor.report.review import build_review

    with Store(out) as store:
        run = store.latest_run()
        assert run is not None
        stored = dict(store.results(run.config))
        by_stem = {Path(j["file"]).stem: (sha, j) for sha, j in stored.items()}
        (sha_a, a), (sha_b, b) = by_stem["s01_bse_reportlab"], by_stem["s04_ashare2016_reportlab"]
        b["company"] = dict(b["company"], code="999001")
        a["company"] = dict(a["company"], code="999001")
        a["fiscal_year"] = b["fiscal_year"] + 1
        a["figures"]["selling_expense"]["prior"] = dict(b["figures"]["selling_expense"]["current"],
                                                        value=b["figures"]["selling_expense"]["current"]["value"] - 1000,
                                                        printed="restated", page=a["figures"]["selling_expense"]["current"]["page"])
        # the other figures of the earlier year carried over unchanged: not flagged
        for item in ("revenue", "rnd_expense", "admin_expense"):
            a["figures"][item]["prior"] = b["figures"][item]["current"]
        store.put(run.config, sha_a, a)
        store.put(run.config, sha_b, b)
    export(out, ["jsonl", "csv", "xlsx"])
    flags = flags_frame(out)
    hits = flags[flags["flag"] == "prior_year_restated"]
    assert len(hits) == 1 and Path(hits.iloc[0]["file"]).stem == "s01_bse_reportlab"
    evidence = json.loads(hits.iloc[0]["evidence"])
    assert evidence["item"] == "selling_expense" and evidence["change"] == pytest.approx(-1000)
    assert evidence["earlier"]["page"] == b["figures"]["selling_expense"]["current"]["page"]
    assert "prior_year_restated" in (out / "figures.csv").read_text(encoding="utf-8-sig")
    j = next(r for r in results(out) if r["sha256"] == sha_a)
    assert [f["id"] for f in j["flags"]].count("prior_year_restated") == 1
    build_review(out)
    site = out / "review"
    page = next(p for p in (site / "r").glob("s01_bse_reportlab-*.html"))
    html = unescape(page.read_text(encoding="utf-8"))
    assert "prior_year_restated" in html and hits.iloc[0]["message"] in html
