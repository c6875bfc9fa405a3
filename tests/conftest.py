"""Shared fixtures: where the real reports and samples live, and small PDFs built on the fly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "real-reports"
SAMPLES = ROOT / "samples"


def real_expected() -> list[dict]:
    f = REAL / "expected.json"
    return json.loads(f.read_text(encoding="utf-8")) if f.exists() else []


@pytest.fixture
def real_dir() -> Path:
    if not (REAL / "expected.json").exists():
        pytest.skip(f"real reports not available at {REAL} (they live in ../shared/real-reports)")
    return REAL


@pytest.fixture(scope="session")
def real_result():
    """Extraction results of the real reports, computed once per test session."""
    if not (REAL / "expected.json").exists():
        pytest.skip(f"real reports not available at {REAL} (they live in ../shared/real-reports)")
    from extractor.pipeline import extract_report

    cache: dict[str, dict] = {}

    def get(name: str) -> dict:
        if name not in cache:
            cache[name] = extract_report(REAL / name).to_json()
        return cache[name]

    return get


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """The suite's own cache folder (patterns and compiled regexes), inherited by CLI subprocesses."""
    import os

    folder = tmp_path_factory.mktemp("cache")
    old = os.environ.get("EXTRACTOR_CACHE_DIR")
    os.environ["EXTRACTOR_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("EXTRACTOR_CACHE_DIR", None)
    else:
        os.environ["EXTRACTOR_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def review_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A batch over the committed samples plus one file that is not a PDF, run once per session:
    the review tests' input (OUTDIR with results.jsonl)."""
    import shutil

    from extractor.corpus.runner import run_batch
    from extractor.pipeline import Options

    base = tmp_path_factory.mktemp("review")
    reports = base / "reports"
    reports.mkdir()
    for pdf in sorted(SAMPLES.glob("*.pdf")):
        shutil.copy(pdf, reports / pdf.name)
    (reports / "s99_broken.pdf").write_text("this is a text file, not a PDF\n", encoding="utf-8")
    out = base / "batch"
    run_batch(reports, out, Options())
    return out


@pytest.fixture(scope="session")
def review_site(review_batch: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static review of ``review_batch`` (pages and crops), written once per session; tests
    that serve or change it work on a copy."""
    from extractor.report.review import build_review

    out = tmp_path_factory.mktemp("review-site")
    build_review(review_batch, out)
    return out
