"""Figure 1: the signed R&D-vs-selling multiple per company, sorted, one panel per group in a grid.

Takes a batch's output folder (its store, with review decisions applied: :mod:`..corpus.exports`)
and optionally a grouping (``exchange``, read from the stock code with patterns/exchanges.yaml, or a
CSV mapping company names or stock codes to groups); gives ``figure1.png``, ``figure1.svg`` and
``figure1_summary.csv`` (per group: reports, share favouring R&D, median multiple).

The multiple is ``R&D/S&M`` when R&D >= S&M, else ``-(S&M/R&D)``: positive favours R&D, and its
magnitude is at least 1. Reports without it (a figure missing, rejected or zero) are counted apart.
"""

from __future__ import annotations

import csv
import math
import statistics
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import patternbook
from ..corpus.exports import figure_rows
from ..corpus.names import cell
from ..corpus.outdir import replacing
from ..errors import ExtractorError

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Serif CJK SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Source Han Sans SC", "SimHei", "Microsoft YaHei", "PingFang SC")
RND_COLOUR, SELLING_COLOUR = "#2b6cb0", "#c05621"
MAX_NAMED = 80  # per group; beyond, names would overprint each other: the bars are drawn unnamed
MAX_LABEL = 40  # columns of a name shown beside its bar, a CJK character two (the full name is in figures.csv)
PANEL_INCHES, ROW_INCHES, LABEL_SIZE, DPI = 6.4, 0.24, 9, 110  # at 110 dpi a 9-pt name is ~14 px high


class GroupsFileError(ExtractorError, ValueError):
    code = "groups"


@dataclass
class Entry:
    label: str
    company: str | None
    code: str | None
    group: str
    multiple: float | None
    file: str


@dataclass
class GroupSummary:
    group: str
    reports: int  # with a multiple
    favour_rnd: int
    median: float | None
    without_ratio: int = 0
    entries: list[Entry] = field(default_factory=list)

    @property
    def share_rnd(self) -> float | None:
        return self.favour_rnd / self.reports if self.reports else None


def exchange_of(code: str | None, book: patternbook.PatternBook) -> str:
    if code:
        for concept in book.by_role("meta", "exchange"):
            if concept.match_full(code.strip()):
                return concept.description or concept.name
    return "unknown exchange"


def read_groups(path: Path) -> dict[str, str]:
    """A CSV with a ``group`` column and a ``code`` and/or ``company`` column -> {code or name: group}."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as e:
        raise GroupsFileError(f"cannot read the groups file ({e.strerror})", file=str(path)) from e
    fields = {k.strip().lower(): k for k in (rows[0].keys() if rows else [])}
    if "group" not in fields or not ({"code", "company"} & set(fields)):
        raise GroupsFileError("the groups file needs a header with `group` and `code` and/or `company` "
                              "(e.g. `code,group` then `688001,Little Giants`)", file=str(path))
    out: dict[str, str] = {}
    for i, r in enumerate(rows, start=2):
        group = (r.get(fields["group"]) or "").strip()
        if not group:
            raise GroupsFileError(f"line {i}: empty group", file=str(path))
        for key in ("code", "company"):
            if key in fields and (r.get(fields[key]) or "").strip():
                out[r[fields[key]].strip()] = group
    return out


def entries(outdir: str | Path, groups: str | None = None, include_ungrouped: bool = False) -> list[Entry]:
    """One entry per report that was read (errors are left out), with its group."""
    book = patternbook.load()
    mapping = read_groups(Path(groups)) if groups and groups != "exchange" else {}
    rows = [r for r in figure_rows(outdir) if r["status"] != "error"]
    names = [r.get("company") or r.get("code") or Path(r["file"]).stem for r in rows]
    repeated = {n for n in names if names.count(n) > 1}
    out = []
    for r, name in zip(rows, names, strict=True):
        code = r.get("code")
        if groups == "exchange":
            group = exchange_of(code, book)
        elif groups:
            group = mapping.get(code or "") or mapping.get(r.get("company") or "") or ""
            if not group:
                if not include_ungrouped:
                    continue
                group = "other"
        else:
            group = "all reports"
        label = f"{name} ({r['fiscal_year']})" if name in repeated and r.get("fiscal_year") else name
        out.append(Entry(label, r.get("company"), code, group, r.get("ratio_signed_multiple"), r["file"]))
    return out


def summarise(items: list[Entry]) -> list[GroupSummary]:
    groups: dict[str, list[Entry]] = {}
    for e in items:
        groups.setdefault(e.group, []).append(e)
    out = []
    for name, members in groups.items():
        with_ratio = sorted((e for e in members if e.multiple is not None), key=lambda e: -(e.multiple or 0.0))
        values = [e.multiple for e in with_ratio if e.multiple is not None]
        out.append(GroupSummary(name, len(values), sum(1 for v in values if v > 0),
                                statistics.median(values) if values else None,
                                len(members) - len(values), with_ratio))
    return sorted(out, key=lambda g: (-g.reports, g.group))


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    manager = font_manager.fontManager
    available = {f.name for f in manager.ttflist}
    found = next((f for f in CJK_FONTS if f in available), None)
    if found is None:
        # matplotlib's font cache (shared by every program of the user) may predate the installation of
        # fonts-noto-cjk: look at the system's font files the cache does not know
        known = {f.fname for f in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        available = {f.name for f in manager.ttflist}
        found = next((f for f in CJK_FONTS if f in available), None)
    return found


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.0%}"


def grid_shape(groups: int) -> tuple[int, int]:
    """(rows, columns) of the panels: side by side up to three groups, then rows of three (four from 13 on),
    so that every panel keeps a width at which its names can be read."""
    cols = groups if groups <= 3 else 2 if groups == 4 else 3 if groups <= 12 else 4
    return math.ceil(groups / cols), cols


def _short(label: str) -> str:
    """The name cut to MAX_LABEL columns (a CJK character takes two), so that panels keep their width."""
    used = 0
    for i, ch in enumerate(label):
        used += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used > MAX_LABEL:
            return label[: max(i - 1, 1)] + "…"
    return label


def draw(summaries: list[GroupSummary], out: Path, stem: str = "figure1") -> list[Path]:
    """One panel per group, in a grid (:func:`grid_shape`), all on one scale so that bars compare across
    groups; a panel is as tall as its group needs (each row of the grid as tall as its tallest panel)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    font = _cjk_font()
    if font is None:
        warnings.warn("no CJK font found (install fonts-noto-cjk): Chinese company names will not show",
                      stacklevel=2)
    drawn = [g for g in summaries if g.reports]
    if not drawn:
        raise ExtractorError("no report in this batch has both R&D and selling expense: nothing to draw")
    nrows, ncols = grid_shape(len(drawn))
    shown = [min(len(g.entries), MAX_NAMED) for g in drawn]
    row_heights = [max(2.4, ROW_INCHES * max(shown[r * ncols:(r + 1) * ncols]) + 1.3) for r in range(nrows)]
    width = PANEL_INCHES * ncols
    height = sum(row_heights) + 1.0  # title and legend
    every = [e.multiple for g in drawn for e in g.entries if e.multiple is not None]  # entries have a multiple
    big = max(abs(v) for v in every)
    low = -max(1.5, big * 1.1) if min(every) < 0 else -1.5
    high = max(1.5, big * 1.1) if max(every) > 0 else 1.5
    total = sum(g.reports for g in drawn)
    favour = sum(g.favour_rnd for g in drawn)
    with plt.rc_context({"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
                         "axes.unicode_minus": False, "svg.fonttype": "none" if font is None else "path"}):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False,
                                 gridspec_kw={"height_ratios": row_heights})
        flat = [ax for row in axes for ax in row]
        for ax in flat[len(drawn):]:
            ax.set_axis_off()
        for ax, g in zip(flat, drawn, strict=False):
            values = [e.multiple for e in g.entries]
            ys = list(range(len(values)))
            ax.barh(ys, values, color=[RND_COLOUR if v > 0 else SELLING_COLOUR for v in values], height=0.7)  # type: ignore[operator]
            ax.axvline(0, color="#333333", linewidth=0.8)
            if big > 20:  # one scale for all groups, so that bars compare across them
                ax.set_xscale("symlog", linthresh=1)
                ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # 10, not 10¹
            if len(ys) <= MAX_NAMED:
                ax.set_yticks(ys, [_short(e.label) for e in g.entries], fontsize=LABEL_SIZE)
            else:
                ax.set_yticks([])
                ax.set_ylabel(f"{len(ys)} reports, sorted (names shown up to {MAX_NAMED} per group; "
                              "all are in figures.csv)", fontsize=LABEL_SIZE)
            # panels of one grid row share a height: a shorter group keeps bars of the same thickness
            tallest = max(shown[(flat.index(ax) // ncols) * ncols:(flat.index(ax) // ncols + 1) * ncols])
            ax.set_ylim(max(len(ys), tallest) - 0.5, -0.5)
            ax.set_xlabel("R&D ÷ selling (> 0)   |   −(selling ÷ R&D) (< 0)", fontsize=8)
            med = "—" if g.median is None else f"{g.median:.2f}"
            plural = "" if g.reports == 1 else "s"
            ax.set_title(f"{g.group}\n{g.reports} report{plural}, {_pct(g.share_rnd)} favour R&D, median {med}",
                         fontsize=10, fontweight="bold")
            ax.grid(axis="x", color="#dddddd", linewidth=0.6)
            ax.set_axisbelow(True)
            ax.set_xlim(low, high)
            ax.tick_params(axis="x", labelsize=8)
        fig.suptitle(f"R&D versus selling expense: {favour / total:.0%} of {total} reports favour R&D",
                     fontsize=13, fontweight="bold")
        from matplotlib.patches import Patch

        fig.legend(handles=[Patch(color=RND_COLOUR, label="R&D above selling"),
                            Patch(color=SELLING_COLOUR, label="selling above R&D")],
                   loc="lower center", ncol=2, frameon=False)
        fig.tight_layout(rect=(0, 0.45 / height, 1, 1 - 0.4 / height), h_pad=1.5, w_pad=1.5)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / f"{stem}.png", out / f"{stem}.svg"]
        try:
            with replacing(paths[0]) as tmp:  # a failed write (disk full) leaves the previous figure
                fig.savefig(tmp, dpi=DPI, format="png")
            with replacing(paths[1]) as tmp:
                fig.savefig(tmp, format="svg")
        finally:
            plt.close(fig)
    return paths


def write_summary(summaries: list[GroupSummary], path: Path) -> Path:
    with replacing(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["group", "reports", "favour_rnd", "share_favour_rnd", "median_signed_multiple",
                    "without_ratio"])
        for g in summaries:
            w.writerow([cell(g.group), g.reports, g.favour_rnd, None if g.share_rnd is None else round(g.share_rnd, 4),
                        None if g.median is None else round(g.median, 4), g.without_ratio])
    return path


def summary_table(summaries: list[GroupSummary]) -> str:
    head = f"{'group':<28}{'reports':>8}{'favour R&D':>12}{'median ratio':>14}{'no ratio':>10}"
    lines = [head, "-" * len(head)]
    for g in summaries:
        med = "—" if g.median is None else f"{g.median:.2f}"
        lines.append(f"{g.group:<28}{g.reports:>8}{_pct(g.share_rnd):>12}{med:>14}{g.without_ratio:>10}")
    return "\n".join(lines)


def figure1(outdir: str | Path, groups: str | None = None, out: str | Path | None = None) -> dict[str, Any]:
    """Draw Figure 1 for a batch; returns the files written and the per-group summaries."""
    summaries = summarise(entries(outdir, groups))
    target = Path(out) if out else Path(outdir)
    paths = draw(summaries, target)
    paths.append(write_summary(summaries, target / "figure1_summary.csv"))
    return {"files": paths, "summaries": summaries}
