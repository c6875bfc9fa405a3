"""Run extraction over a folder of reports: one failure never stops the batch.

Takes a folder and gives ``results.jsonl`` (one contract object per report) and
``figures.csv`` (one flat row per report) in the output folder. Reports run in a process pool;
each has its own deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import patternbook
from ..analysis.crossyear import cross_year_flags
from ..output.writers import flat_row, write_csv, write_jsonl
from ..pipeline import Options, extract_report


def find_pdfs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")


def _one(args: tuple[str, Options]) -> dict:
    path, options = args
    report = extract_report(path, options)
    return {"json": report.to_json(), "row": flat_row(report)}


@dataclass
class BatchResult:
    total: int
    ok: int
    partial: int
    failed: int
    out: Path


def run_batch(folder: Path, out: Path, options: Options, jobs: int = 1, strict: bool = False,
              progress: Callable[[int, int, dict], None] | None = None) -> BatchResult:
    pdfs = find_pdfs(folder)
    out.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    for i, res in enumerate(_iterate(pdfs, options, jobs)):
        results.append(res)
        if progress:
            progress(i + 1, len(pdfs), res["json"])
        if strict and res["json"]["status"] == "error":
            break
    _add_cross_year(results, options)
    write_jsonl((r["json"] for r in results), out / "results.jsonl")
    write_csv([r["row"] for r in results], out / "figures.csv")
    statuses = [r["json"]["status"] for r in results]
    return BatchResult(len(results), statuses.count("ok"), statuses.count("partial"), statuses.count("error"), out)


def _add_cross_year(results: list[dict], options: Options) -> None:
    """Flags that compare a company's years (the batch is the first place both years meet)."""
    cross_year_flags([r["json"] for r in results], patternbook.load(options.patterns))
    for r in results:
        r["row"]["flags"] = " ".join(f["id"] for f in r["json"].get("flags") or [])


def batch_frame(folder: str | Path, options: Options | None = None, jobs: int = 1):  # -> pandas.DataFrame
    """Every report under ``folder`` as one flat row (the columns of figures.csv) in a DataFrame:
    what researchers load into a notebook. Failed reports are rows with their error code."""
    import pandas as pd  # imported here: the CLI's start-up does not need it

    options = options or Options()
    results = list(_iterate(find_pdfs(Path(folder)), options, jobs))
    _add_cross_year(results, options)
    rows = [res["row"] for res in results]
    return pd.DataFrame(rows)


def _iterate(pdfs: list[Path], options: Options, jobs: int) -> Iterator[dict]:
    args = [(str(p), options) for p in pdfs]
    if jobs <= 1 or len(pdfs) <= 1:
        for a in args:
            yield _one(a)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_one, args, chunksize=1)


