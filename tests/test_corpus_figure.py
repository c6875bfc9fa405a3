"""Figure 1 on a known set: files written, and per-group counts, shares and medians equal to those
computed from the samples' truth files (and moved by a reviewer's correction)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import main
from extractor.corpus import decisions
from extractor.corpus.runner import run_batch
from extractor.pipeline import Options

from .corpus_util import QUICK, SAMPLES, results, sample_folder

GROUPS = {"834379": "Little Giants", "302657": "Little Giants", "08566": "Hong Kong"}  # s01, s04, s07


def truth_multiple(stem: str, rnd_override: float | None = None) -> float:
    t = json.loads((SAMPLES / f"{stem}.truth.json").read_text(encoding="utf-8"))
    rnd = rnd_override or float(t["figures"]["rnd_expense"]["current"]["value"])
    sel = float(t["figures"]["selling_expense"]["current"]["value"])
    return rnd / sel if rnd >= sel else -(sel / rnd)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("figure")
    dst = root / "out"
    run_batch(sample_folder(root / "in", stems=QUICK), dst, Options())
    return dst


def test_figure_files_and_summary_per_group(out: Path, tmp_path: Path) -> None:
    groups = tmp_path / "groups.csv"
    groups.write_text("code,group\n" + "".join(f"{c},{g}\n" for c, g in GROUPS.items()), encoding="utf-8")
    sha = next(r["sha256"] for r in results(out) if r["company"]["code"] == "834379")
    decisions.record(out / decisions.STORE_NAME, sha, "figure:rnd_expense.current", "corrected", "90000000",
                     comment="R&D includes the subsidiaries' programme")
    res = CliRunner().invoke(main, ["figure", str(out), "--groups", str(groups), "--out", str(tmp_path / "fig")])
    assert res.exit_code == 0, res.output
    for name in ("figure1.png", "figure1.svg", "figure1_summary.csv"):
        assert (tmp_path / "fig" / name).stat().st_size > 1000 or name.endswith(".csv")
    assert (tmp_path / "fig" / "figure1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    giants = [truth_multiple("s01_bse_reportlab", 90_000_000.0), truth_multiple("s04_ashare2016_reportlab")]
    lines = {line.split(",")[0]: line.split(",") for line in
             (tmp_path / "fig" / "figure1_summary.csv").read_text(encoding="utf-8-sig").splitlines()[1:]}
    g = lines["Little Giants"]
    assert (int(g[1]), int(g[2]), float(g[3])) == (2, 1, 0.5)
    assert float(g[4]) == pytest.approx(statistics.median(giants), abs=1e-3)
    hk = lines["Hong Kong"]
    assert (int(hk[1]), int(hk[2])) == (1, 0)
    assert float(hk[4]) == pytest.approx(truth_multiple("s07_enhk_reportlab"), abs=1e-3)
    assert "Little Giants" in res.output and "50%" in res.output


def test_figure_by_exchange_and_bad_groups_file(out: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["figure", str(out), "--groups", "exchange", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    for exchange in ("Beijing Stock Exchange", "Shenzhen ChiNext", "Hong Kong Stock Exchange"):
        assert exchange in res.output
    bad = tmp_path / "bad.csv"
    bad.write_text("name;sector\nx;y\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["figure", str(out), "--groups", str(bad)])
    assert res.exit_code == 1 and "needs a header with `group`" in res.stderr


@pytest.mark.parametrize("groups,shape", [(1, (1, 1)), (2, (1, 2)), (3, (1, 3)), (4, (2, 2)), (6, (2, 3)),
                                          (12, (4, 3)), (13, (4, 4))],
                         ids=lambda v: str(v))
def test_grid_keeps_panels_wide_enough_to_read(groups, shape):
    from extractor.report.figure import grid_shape

    assert grid_shape(groups) == shape


@pytest.mark.parametrize("n_groups", [2, 6, 12])
def test_every_group_and_name_is_drawn(n_groups: int, tmp_path: Path) -> None:
    from html import unescape

    from extractor.report.figure import Entry, draw, summarise

    names = {f"第{g}组 group {g}": [f"测试科技股份有限公司{g}-{i}" for i in range(3 + 2 * g)] for g in range(n_groups)}
    items = [Entry(name, name, None, group, (i + 1.5) * (1 if (i + g) % 2 else -1), f"{name}.pdf")
             for g, (group, members) in enumerate(names.items()) for i, name in enumerate(members)]
    summaries = summarise(items)
    assert len(summaries) == n_groups
    png, svg = draw(summaries, tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = unescape(svg.read_text(encoding="utf-8"))
    for group, members in names.items():
        assert group in text
        for name in members:
            assert name in text, name
