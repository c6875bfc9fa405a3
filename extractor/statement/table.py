"""One located statement region read into rows, period columns, its unit and the line items.

Takes a :class:`~extractor.statement.locate.Region` and gives a :class:`StatementRead` (or ``None``
when no amount columns are found): what the checks, quality flags and the pipeline share.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..patternbook import PatternBook
from ..read.document import Line
from ..tables.rows import Layout, Row, build_rows
from ..tables.units import Unit, find_unit
from .items import ItemsRead, read_items
from .locate import Region


@dataclass
class StatementRead:
    region: Region
    rows: list[Row]
    layouts: list[Layout]
    unit: Unit
    items: ItemsRead

    @property
    def found(self) -> int:
        return sum(1 for per in self.items.figures.values() for f in per.values() if f is not None)


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
    return StatementRead(region, rows, layouts, unit, items)
