"""The records every stage hands on, and their JSON form (the contract in OUTPUT.md).

Money stays :class:`~decimal.Decimal` inside; floats appear only in :meth:`Report.to_json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SCHEMA = "extractor.report/1"
ITEMS = ("revenue", "selling_expense", "rnd_expense", "admin_expense")
PERIODS = ("current", "prior")


def _num(v: Decimal | None) -> float | int | None:
    if v is None:
        return None
    if v == v.to_integral_value() and abs(v) < 10**15:
        return int(v)
    return float(v)


@dataclass
class Check:
    """One cross-check of a figure against another place in the report."""

    name: str  # e.g. "notes_total", "mdna_expense_table"
    passed: bool
    other_value: Decimal | None
    other_page: int | None  # 1-based
    detail: str
    other_printed: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "other_value": _num(self.other_value),
                "other_printed": self.other_printed, "other_page": self.other_page, "detail": self.detail}


@dataclass
class Figure:
    value: Decimal
    printed: str
    page: int  # 1-based
    bbox: tuple[float, float, float, float]
    label: str
    source: str  # income_statement | notes | mdna
    pattern: str
    confidence: float
    unit: str = "元"
    multiplier: Decimal = Decimal(1)
    column: str = ""
    pattern_file: str = ""
    notes: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    ocr: bool = False  # read by OCR from a page without a usable text layer
    currency: str | None = None  # as printed (CNY, HKD, USD): never converted
    restated: str | None = None  # the column header's restatement marker (已重述, 调整后, Restated), when printed

    def to_json(self) -> dict[str, Any]:
        return {
            "value": _num(self.value), "printed": self.printed, "page": self.page,
            "bbox": [round(c, 1) for c in self.bbox], "label": self.label, "source": self.source,
            "pattern": self.pattern, "confidence": round(self.confidence, 3),
            "unit": self.unit, "multiplier": _num(self.multiplier), "column": self.column,
            "notes": list(self.notes), "checks": [c.to_json() for c in self.checks], "ocr": self.ocr,
            "currency": self.currency,
        } | ({"restated": self.restated} if self.restated else {})


@dataclass
class Flag:
    id: str
    severity: str  # info | low | medium | high
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    kind: str = "anomaly"  # anomaly | quality

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "kind": self.kind, "message": self.message,
                "evidence": self.evidence}


@dataclass
class Candidate:
    """A row considered for an item: for `extractor explain`."""

    item: str
    page: int  # 1-based
    text: str
    pattern: str
    score: float
    decision: str  # chosen | rejected: why


@dataclass
class Report:
    file: str
    sha256: str | None = None
    pages: int | None = None
    status: str = "ok"
    error: dict[str, str] | None = None
    company: dict[str, str | None] = field(default_factory=lambda: {"name": None, "code": None})
    fiscal_year: int | None = None
    language: str | None = None
    statement: dict[str, Any] | None = None
    figures: dict[str, dict[str, Figure | None]] = field(
        default_factory=lambda: {item: {p: None for p in PERIODS} for item in ITEMS})
    extra_figures: dict[str, Any] = field(default_factory=dict)
    ratio: dict[str, Any] | None = None
    flags: list[Flag] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    locate_log: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def figure(self, item: str, period: str = "current") -> Figure | None:
        return self.figures.get(item, {}).get(period)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": SCHEMA, "file": self.file, "sha256": self.sha256, "pages": self.pages,
            "status": self.status, "error": self.error, "company": self.company,
            "fiscal_year": self.fiscal_year, "language": self.language, "statement": self.statement,
            "figures": {item: {p: (f.to_json() if f else None) for p, f in per.items()}
                        for item, per in self.figures.items()},
        }
        for key, value in self.extra_figures.items():
            out[key] = value
        out["ratio"] = self.ratio
        out["flags"] = [f.to_json() for f in self.flags]
        return out
