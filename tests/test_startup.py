"""Start-up: what a command imports, and the on-disk caches of the pattern book and compiled regexes."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extractor import patternbook, rxcache

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "s01_bse_reportlab.pdf"
HEAVY = ("pandas", "pydantic", "yaml", "opencc", "rapidfuzz.process", "matplotlib", "openpyxl", "pyarrow")


def run_py(code: str, cache: Path) -> str:
    env = {**os.environ, "EXTRACTOR_CACHE_DIR": str(cache)}
    p = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip().splitlines()[-1]


LOADED = "import sys; print(json.dumps(sorted(m for m in {heavy} if m in sys.modules)))"


@pytest.mark.parametrize(("code", "allowed"), [
    ("import extractor", []),
    ("import extractor.cli", []),
    ("from extractor.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass", []),
], ids=["import-extractor", "import-cli", "version"])
def test_light_commands_import_nothing_heavy(tmp_path: Path, code: str, allowed: list[str]) -> None:
    out = run_py(f"import json\n{code}\n" + LOADED.format(heavy=HEAVY), tmp_path)
    assert json.loads(out) == allowed
    out = run_py("import sys\nimport extractor.cli\nprint('pymupdf' in sys.modules)", tmp_path)
    assert out == "False"  # --version and --help do not load MuPDF either


def test_extract_with_a_warm_cache_skips_yaml_validation_and_pandas(tmp_path: Path) -> None:
    code = (f"import json\nfrom extractor.cli import main\ntry:\n    main(['extract', {str(SAMPLE)!r}, '--json'])\n"
            "except SystemExit:\n    pass\n" + LOADED.format(heavy=HEAVY))
    cold = json.loads(run_py(code, tmp_path))
    assert "pydantic" in cold and "yaml" in cold  # the first run builds the book from the files
    assert "pandas" not in cold
    assert list(tmp_path.glob("patterns-*.pickle")) and list(tmp_path.glob("regex-*.pickle"))
    # what is left is what the report needs: OpenCC and rapidfuzz match its customers with related parties
    assert set(json.loads(run_py(code, tmp_path))) <= {"opencc", "rapidfuzz.process"}


def test_cached_book_equals_a_fresh_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACTOR_CACHE_DIR", str(tmp_path))
    patternbook._builtin_book.cache_clear()
    fresh = patternbook._builtin_book()
    patternbook._builtin_book.cache_clear()
    cached = patternbook._builtin_book()
    assert cached is not fresh
    assert cached.files == fresh.files and cached.values == fresh.values and cached.flags == fresh.flags
    ids = {k: [(p.id, p.source, p.file, p.line) for c in v.values() for p in c.patterns + c.excludes]
           for k, v in fresh.concepts.items()}
    assert ids == {k: [(p.id, p.source, p.file, p.line) for c in v.values() for p in c.patterns + c.excludes]
                   for k, v in cached.concepts.items()}
    patternbook._builtin_book.cache_clear()


def test_changed_pattern_files_rebuild_the_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "patterns"
    shutil.copytree(patternbook.builtin_dir(), folder)
    monkeypatch.setenv("EXTRACTOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(patternbook, "BUILTIN_DIR", folder)
    patternbook._builtin_book.cache_clear()
    before = patternbook._builtin_book()
    items = folder / "items.yaml"
    items.write_text(items.read_text(encoding="utf-8").replace("销售费用", "销售费用|推广开支", 1), encoding="utf-8")
    patternbook._builtin_book.cache_clear()
    after = patternbook._builtin_book()
    patternbook._builtin_book.cache_clear()
    src = [p.source for c in after.kind("items").values() for p in c.patterns]
    assert any("推广开支" in s for s in src)
    assert not any("推广开支" in p.source for c in before.kind("items").values() for p in c.patterns)
    assert len(list((tmp_path / "cache").glob("patterns-*.pickle"))) == 2


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps(["a", "list"])],
                         ids=["empty", "garbage", "wrong-type"])
def test_damaged_caches_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> None:
    monkeypatch.setenv("EXTRACTOR_CACHE_DIR", str(tmp_path))
    patternbook._builtin_book.cache_clear()
    key = patternbook.builtin_key()
    (tmp_path / f"patterns-{key}.pickle").write_bytes(content)
    book = patternbook._builtin_book()
    patternbook._builtin_book.cache_clear()
    assert book.kind("items")["selling_expense"].patterns
    assert rxcache.read_pickle(tmp_path / "missing.pickle") is None


def test_cache_off_writes_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "EXTRACTOR_CACHE_DIR": "off", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    p = subprocess.run([sys.executable, "-m", "extractor.cli", "extract", str(SAMPLE)], check=False, capture_output=True,
                       text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert list(tmp_path.rglob("*.pickle")) == []


def test_extract_of_a_text_pdf_loads_no_ocr_nor_sniffing(tmp_path: Path) -> None:
    lazy = ("extractor.read.ocr", "extractor.statement.scanned", "extractor.read.sniff", "numpy")
    code = (f"import json\nfrom extractor.cli import main\ntry:\n    main(['extract', {str(SAMPLE)!r}, '--json'])\n"
            "except SystemExit:\n    pass\n" + LOADED.format(heavy=lazy))
    assert json.loads(run_py(code, tmp_path)) == []
    not_pdf = tmp_path / "report.pdf"
    not_pdf.write_text("<html>a saved web page</html>", encoding="utf-8")
    code = code.replace(repr(str(SAMPLE)), repr(str(not_pdf)))
    assert json.loads(run_py(code, tmp_path)) == ["extractor.read.sniff"]  # loaded for the file that needs it
