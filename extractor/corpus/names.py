"""File names and free text on their way into the store, the exports and the terminal.

A POSIX file name is bytes; Python gives names that are not valid UTF-8 as ``str`` with lone
surrogates (``surrogateescape``), which SQLite, JSON files and workbooks refuse. So:

- :func:`to_store` / :func:`from_store`: the store keeps such a name as a NUL byte (which no POSIX
  path holds) followed by the name as an ASCII JSON string, so it round-trips exactly and never
  collides with a real name; every other name is kept as it is;
- :func:`shown`: the name for people and exports: undecodable bytes as ``\\xff``;
- :func:`printable`: for a terminal: control characters (escape sequences, newlines) as ``\\x1b``;
- :func:`cell`: for a CSV cell: control characters removed, and text starting with ``=``, ``+``,
  ``-``, ``@``, tab or CR prefixed with ``'`` so that it never becomes a formula (the workbook keeps
  such text as it is, in a cell typed as text: see ``exports.write_xlsx``).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

_ESCAPED = "\0"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 but tab/LF/CR, DEL, C1
_TERMINAL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_store(path: str) -> str:
    """The form of ``path`` kept in the store's TEXT columns (exact, reversible)."""
    return path if _encodable(path) else _ESCAPED + json.dumps(path)


def from_store(text: str) -> str:
    """The path (as Python names files) from its stored form."""
    return json.loads(text[1:]) if text.startswith(_ESCAPED) else text


def shown(text: str) -> str:
    """``text`` as valid Unicode: bytes of a name that were not UTF-8 appear as ``\\xNN``."""
    if _encodable(text):
        return text
    try:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # surrogates that are not escaped bytes (e.g. from JSON "\\ud800")
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: no escape sequences or line breaks get through."""
    return _TERMINAL.sub(lambda m: f"\\x{ord(m.group()):02x}", shown(text))


def without_controls(value: Any) -> Any:
    """Text without control characters (tab, LF and CR stay), valid Unicode; other values as they are."""
    return _CONTROL.sub("", shown(value)) if isinstance(value, str) else value


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def cell(value: Any) -> Any:
    """A value safe for a CSV cell: text without control characters and never a formula (a leading
    ``'``, which spreadsheets take as "this is text")."""
    text = without_controls(value)
    return "'" + text if is_formula_like(text) else text


def clean_json(value: Any) -> Any:
    """``value`` (a result's JSON) with every string valid Unicode (see :func:`shown`)."""
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {shown(k) if isinstance(k, str) else k: clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value
