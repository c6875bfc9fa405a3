"""The records the parties stage hands on (customers, related parties, related sales) and their JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..model import Figure, _num
from ..statement.sheets import Sheet


@dataclass
class Share:
    """A percentage as printed; ``value`` is the fraction (11.77% -> 0.1177)."""

    value: Decimal
    printed: str
    page: int  # 1-based
    bbox: tuple[float, float, float, float] | None

    def to_json(self) -> dict[str, Any]:
        return {"value": float(self.value), "printed": self.printed, "page": self.page,
                "bbox": [round(c, 1) for c in self.bbox] if self.bbox else None}


@dataclass
class Customer:
    rank: int | None
    name: str
    anonymised: bool
    amount: Figure | None
    share: Share | None
    related: bool | None  # the report's own 是/否; None when the table has no such column
    page: int
    bbox: tuple[float, float, float, float]

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "name": self.name, "anonymised": self.anonymised,
                "amount": self.amount.to_json() if self.amount else None,
                "share": self.share.to_json() if self.share else None, "related": self.related,
                "page": self.page, "bbox": [round(c, 1) for c in self.bbox]}


@dataclass
class TopFive:
    source: str  # "table" | "sentence" | "summary"
    pages: list[int] = field(default_factory=list)  # 1-based
    customers: list[Customer] = field(default_factory=list)
    total: Figure | None = None
    total_share: Share | None = None
    related_amount: Figure | None = None
    related_share: Share | None = None
    unit: str = "元"
    has_related_column: bool = False

    @property
    def anonymised(self) -> bool:
        return bool(self.customers) and all(c.anonymised for c in self.customers)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "pages": self.pages, "unit": self.unit,
                "anonymised": self.anonymised, "has_related_column": self.has_related_column,
                "total": self.total.to_json() if self.total else None,
                "total_share": self.total_share.to_json() if self.total_share else None,
                "related_amount": self.related_amount.to_json() if self.related_amount else None,
                "related_share": self.related_share.to_json() if self.related_share else None,
                "customers": [c.to_json() for c in self.customers]}


@dataclass
class RelatedParty:
    name: str
    relationship: str
    page: int
    bbox: tuple[float, float, float, float]
    source: str  # "list" | "parent" | "sentence"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "relationship": self.relationship, "page": self.page,
                "bbox": [round(c, 1) for c in self.bbox], "source": self.source}


@dataclass
class RelatedSale:
    name: str
    content: str
    current: Figure | None
    prior: Figure | None
    page: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "content": self.content, "page": self.page,
                "current": self.current.to_json() if self.current else None,
                "prior": self.prior.to_json() if self.prior else None}


@dataclass
class RelatedSales:
    rows: list[RelatedSale] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    unit: str = "元"
    unit_from: str = "default"  # the line the unit was read from, or "default" (none printed: 元)
    multiplier: Decimal = Decimal(1)
    printed_total: dict[str, Figure | None] = field(default_factory=lambda: {"current": None, "prior": None})
    mdna: Figure | None = None  # the MD&A / 重要事项 summary of daily related-party sales
    notes: list[str] = field(default_factory=list)  # reading-quality remarks (a printed total off its rows)
    table: bool = False  # the notes table was found (its header read): an empty table or blank cells are 0

    def row_sum(self, period: str) -> Decimal | None:
        """The sum of the rows' cells for the period; None when no row has one (a blank cell is 0)."""
        vals = [getattr(r, period).value for r in self.rows if getattr(r, period) is not None]
        return sum(vals, Decimal(0)) if vals else None

    def total(self, period: str) -> Decimal | None:
        """The table's total: the sum of its rows (a printed total that disagrees with them is a
        misprint, noted in ``notes``), else the printed total row when no row has an amount."""
        rows = self.row_sum(period)
        if rows is not None:
            return rows
        printed = self.printed_total.get(period)
        if printed is not None:
            return printed.value
        # a table with no rows, or only blank cells for the period, discloses no such sales: 0
        return Decimal(0) if self.table else None

    def to_json(self) -> dict[str, Any]:
        return {"current": _num(self.total("current")), "prior": _num(self.total("prior")),
                "total_from": "sum of rows" if self.row_sum("current") is not None else
                ("printed" if self.printed_total.get("current") else "sum of rows"),
                "printed_total": {p: (f.to_json() if f else None) for p, f in self.printed_total.items()},
                "notes": self.notes, "table": self.table,
                "pages": self.pages, "unit": self.unit, "multiplier": _num(self.multiplier),
                "unit_from": self.unit_from,
                "mdna": self.mdna.to_json() if self.mdna else None,
                "rows": [r.to_json() for r in self.rows]}


@dataclass
class PartiesRead:
    top5: TopFive | None = None
    parties: list[RelatedParty] = field(default_factory=list)
    sales: RelatedSales | None = None
    cash_from_sales: dict[str, Figure | None] = field(default_factory=lambda: {"current": None, "prior": None})
    receivables: dict[str, Figure | None] = field(default_factory=lambda: {"current": None, "prior": None})
    sheets: dict[str, Sheet] = field(default_factory=dict)  # balance_sheet / cash_flow, read whole
    matches: list[dict[str, Any]] = field(default_factory=list)  # customer ~ related party, scored
    log: list[str] = field(default_factory=list)
    pages_read: set[int] = field(default_factory=set)  # 0-based, for the log

    def figures_json(self, name: str) -> dict[str, Any]:
        """``cash_from_sales`` or ``receivables`` as {"current": FIGURE, "prior": FIGURE}."""
        per: dict[str, Figure | None] = getattr(self, name)
        return {p: (f.to_json() if f else None) for p, f in per.items()}

    def parties_json(self) -> dict[str, Any]:
        return {"top5": self.top5.to_json() if self.top5 else None,
                "related_parties": [p.to_json() for p in self.parties],
                "related_sales": self.sales.to_json() if self.sales else None,
                "matches": self.matches, "log": self.log}
