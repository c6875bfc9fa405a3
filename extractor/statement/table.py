"""One located statement region read into rows, period columns, its unit and the line items.

Takes a :class:`~extractor.statement.locate.Region` and gives a :class:`StatementRead` (or ``None``
when no amount columns are found): what the checks, quality flags and the pipeline share.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..patternbook import PatternBook
from ..read.document import Line
from ..tables.rows import Layout, Row, build_rows
from ..tables.units import Unit, find_unit
from .items import ItemsRead, read_items
from .locate import Region
from .tieout import TieOut, lift_ambiguous, tie_out


@dataclass
class StatementRead:
    region: Region
    rows: list[Row]
    layouts: list[Layout]
    unit: Unit
    items: ItemsRead
    tieouts: list[TieOut] = field(default_factory=list)

    @property
    def found(self) -> int:
        return sum(1 for per in self.items.figures.values() for f in per.values() if f is not None)

    @property
    def rank(self) -> tuple[int, int, int]:
        """Which of several reads to keep: most figures, then fewest failed and most passed tie-outs
        (the consolidated statement's subtotals add up; a fragment's or a misread's do not)."""
        failed = sum(1 for t in self.tieouts if not t.passed)
        return (self.found, -failed, len(self.tieouts) - failed)


def _header_lines(region: Region, rows: list[Row]) -> list[Line]:
    first_row_line = rows[0].lines[0] if rows else None
    out = [region.title_line]
    for line in region.lines:
        if line is first_row_line:
            break
        out.append(line)
    return out


def read_statement(region: Region, book: PatternBook) -> StatementRead | None:
    rows, layouts = build_rows(region.lines, book)
    if not layouts:
        return None
    unit = find_unit(_header_lines(region, [r for r in rows if r.has_amounts]), book)
    items = read_items(rows, unit, region.role, book)
    tieouts = tie_out(rows, items, book)
    lift_ambiguous(items.figures, items, tieouts)
    return StatementRead(region, rows, layouts, unit, items, tieouts)
