"""Which files under a batch's folder are reports, and which entries are left out and why.

Takes a folder and gives the regular files named ``*.pdf`` (any case) under it, recursively and in
path order, plus every entry left out with its reason: a symbolic link that leads out of the folder
(followed only with ``follow_links``), a broken link or a loop of links, a FIFO, socket or device
named like a PDF (opening a FIFO would block the batch for good), a folder named like a PDF (its
contents are listed), a folder that cannot be read. Links inside the folder are followed to files
(their content is then read once, as a duplicate); links to folders only with ``follow_links``,
never into a folder already walked.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Listing:
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def _is_pdf_name(name: str) -> bool:
    return name.lower().endswith(".pdf")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def list_folder(folder: Path, follow_links: bool = False) -> Listing:
    """The PDF files under ``folder`` and the entries left out (see the module's docstring)."""
    out = Listing()
    root = os.path.realpath(folder)
    seen_dirs: set[tuple[int, int]] = set()
    st = os.stat(folder)
    seen_dirs.add((st.st_dev, st.st_ino))
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            out.skipped.append((current, f"cannot list this folder ({e.strerror or e})"))
            continue
        subdirs: list[str] = []
        for entry in entries:
            path, pdf_name = entry.path, _is_pdf_name(entry.name)
            is_link = False
            try:
                is_link = entry.is_symlink()
                target = os.stat(path)  # follows links
            except OSError as e:
                if is_link:
                    out.skipped.append((path, "a loop of symbolic links" if e.errno == errno.ELOOP
                                        else f"a broken symbolic link (to {_link_text(path)})"))
                elif pdf_name:
                    out.skipped.append((path, f"cannot be read ({e.strerror or e})"))
                continue
            if is_link and not follow_links and not _inside(os.path.realpath(path), root):
                if pdf_name or stat.S_ISDIR(target.st_mode):
                    why = f"a symbolic link out of the folder (to {os.path.realpath(path)}); not followed: use --follow-links"
                    out.skipped.append((path, why))
                continue
            if stat.S_ISDIR(target.st_mode):
                key = (target.st_dev, target.st_ino)
                if is_link and not follow_links:
                    why = "a symbolic link to a folder; not followed (use --follow-links to follow it)"
                    out.skipped.append((path, why))
                elif key in seen_dirs:
                    out.skipped.append((path, "a folder already listed (a loop of symbolic links)"))
                else:
                    seen_dirs.add(key)
                    subdirs.append(path)
                    if pdf_name:
                        out.skipped.append((path, "a folder named like a PDF (its contents are listed)"))
                continue
            if not pdf_name:
                continue
            if stat.S_ISREG(target.st_mode):
                out.files.append(Path(path))
            else:
                out.skipped.append((path, f"{_kind(target.st_mode)}, not a file"))
        stack.extend(reversed(subdirs))
    out.files.sort()
    return out


def _link_text(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"
