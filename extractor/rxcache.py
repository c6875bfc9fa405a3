"""Compiled regular expressions kept on disk between processes.

The ``regex`` module parses and compiles a pattern in Python, a millisecond or more for the
label patterns; a CLI run compiles several hundred of them, more than it spends reading the
report. A compiled pattern pickles as its compiled code (``regex`` registers that with copyreg), so
loading it back costs microseconds. :func:`compile` serves patterns from one pickle per
``regex`` and Python version in the cache folder; what a process compiles anew is added when it
exits. A missing, unreadable or foreign cache is ignored (and rewritten): it never changes a result.

The cache folder is ``$EXTRACTOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/extractor``, else
``~/.cache/extractor``; ``EXTRACTOR_CACHE_DIR=off`` turns caching off.
"""

from __future__ import annotations

import atexit
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import regex

MAX_ENTRIES = 20_000  # user patterns come and go; the file stays small (about 1 KB a pattern)

# (pattern, flags) -> the compiled pattern pickled; unpickled when first asked for, so that a process
# pays only for the patterns it uses
_memo: dict[tuple[str, int], bytes] | None = None
_compiled: dict[tuple[str, int], regex.Pattern[str]] = {}
_added = 0


def cache_dir() -> Path | None:
    """Where extractor keeps its caches, or None when caching is off."""
    env = os.environ.get("EXTRACTOR_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "extractor"


def _cache_file() -> Path | None:
    d = cache_dir()
    if d is None:
        return None
    tag = f"{regex.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    return d / f"regex-v2-{tag}.pickle"  # v2: values are pickled bytes


def read_pickle(path: Path | None) -> Any:
    """The object pickled in ``path``, or None when it is missing or unreadable."""
    if path is None:
        return None
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception:  # noqa: BLE001 - a damaged or foreign cache is no cache
        return None


def write_pickle(path: Path | None, obj: Any) -> None:
    """Write ``obj`` to ``path`` atomically; a cache that cannot be written is skipped."""
    if path is None:
        return
    import tempfile  # only when a cache is written: not on the start-up path of every command

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # noqa: BLE001 - read-only home, full disk: run without the cache
        return


def prune(folder: Path, glob: str, keep: int) -> None:
    """Delete all but the ``keep`` most recently written files matching ``glob`` in ``folder``."""
    try:
        files = sorted(folder.glob(glob), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _load() -> dict[tuple[str, int], bytes]:
    global _memo
    if _memo is None:
        data = read_pickle(_cache_file())
        _memo = data if isinstance(data, dict) else {}
    return _memo


def compile(pattern: str, flags: int = 0) -> regex.Pattern[str]:  # mirrors regex.compile
    """``regex.compile(pattern, flags)``, from the disk cache when it was compiled before."""
    global _added
    key = (pattern, flags)
    rx = _compiled.get(key)
    if rx is not None:
        return rx
    memo = _load()
    data = memo.get(key)
    if data is not None:
        try:
            rx = pickle.loads(data)
        except Exception:  # noqa: BLE001 - written by another build of regex: compile anew
            rx = None
    if rx is None:
        rx = regex.compile(pattern, flags)
        memo[key] = pickle.dumps(rx, protocol=pickle.HIGHEST_PROTOCOL)
        _added += 1
    _compiled[key] = rx
    return rx


@atexit.register
def save() -> None:
    """Add what this process compiled to the cache file (merged with what others added meanwhile)."""
    global _added
    if not _added or _memo is None:
        return
    path = _cache_file()
    on_disk = read_pickle(path)
    merged = on_disk if isinstance(on_disk, dict) else {}
    merged.update(_memo)
    if len(merged) > MAX_ENTRIES:
        merged = dict(list(merged.items())[-MAX_ENTRIES:])
    write_pickle(path, merged)
    _added = 0
