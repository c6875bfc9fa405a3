"""The pattern files' schema (pydantic): what a file may say, checked with a message per problem."""

from __future__ import annotations

import math
import re
import string
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Lang = Literal["zh-Hans", "zh-Hant", "en", "any"]


class PatternSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    re: str
    score: float = Field(1.0, ge=0.0, le=1.0)
    note: str | None = None


class ConceptSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = ""
    role: str | None = None
    unit: str | None = None
    multiplier: Decimal | None = None
    currency: str | None = None
    replace: bool = False
    patterns: dict[Lang, list[str | PatternSpec]] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list)

    @field_validator("multiplier")
    @classmethod
    def _positive(cls, v: Decimal | None) -> Decimal | None:
        if v is not None and v <= 0:
            raise ValueError("must be a positive number")
        return v


class FlagSpec(BaseModel):
    """One anomaly rule's settings (flags.yaml): users switch rules on/off and move thresholds."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    severity: Literal["info", "low", "medium", "high"] = "medium"
    thresholds: dict[str, float] = Field(default_factory=dict)
    message: str = ""
    description: str = ""

    @field_validator("message")
    @classmethod
    def _template(cls, v: str) -> str:
        try:  # a message is a str.format template over the flag's evidence
            list(string.Formatter().parse(v))
        except ValueError as e:
            raise ValueError(f"bad message template: {e}") from e
        return v


class PatternFileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    schema_: Literal["extractor.patterns/1"] = Field(alias="schema")
    kind: Literal["items", "labels", "statements", "periods", "units", "thresholds", "flags", "meta", "parties"]
    concepts: dict[str, ConceptSpec] = Field(default_factory=dict)
    values: dict[str, float | int | str | bool] = Field(default_factory=dict)
    flags: dict[str, FlagSpec] = Field(default_factory=dict)


# What each setting under `values:` (thresholds.yaml, parties.yaml) must be: kind, lowest, highest,
# whether the lowest is excluded. A value the code reads as a number must be one, in range, so that a
# bad override fails when the files are checked (`extractor patterns check`, `--patterns`), not as an
# `internal` error in every report. Names not listed here are not checked (they are read by nobody yet).
Rule = tuple[str, float | None, float | None, bool]
_SHARE: Rule = ("number", 0.0, 1.0, False)
VALUE_RULES: dict[str, Rule] = {
    "max_title_chars": ("whole", 1, None, False),
    "toc_scan_pages": ("whole", 0, None, False),
    "scan_window_pages": ("whole", 1, None, False),
    "min_statement_items": ("whole", 1, None, False),
    "line_merge_overlap": _SHARE,
    "fake_bold_overlap": _SHARE,
    "min_page_chars": ("whole", 0, None, False),
    "max_bad_char_share": _SHARE,
    "max_implausible_share": _SHARE,
    "min_bigram_share": _SHARE,
    "max_pages": ("whole", 0, None, False),  # 0: no limit
    "max_page_chars": ("whole", 0, None, False),  # 0: no limit
    "ocr_max_pages": ("whole", 0, None, False),
    "ocr_contents_pages": ("whole", 0, None, False),
    "ocr_languages": ("languages", None, None, False),
    "ocr_dpi": ("whole", 36, 1200, False),
    "ocr_max_megapixels": ("number", 0.0, 1000.0, True),
    "ocr_confidence_factor": _SHARE,
    "confidence_floor": _SHARE,
    "ratio_confidence": _SHARE,
    "max_share_of_revenue": ("number", 0.0, None, True),
    "max_expense_to_revenue": ("number", 0.0, None, True),
    "max_revenue_growth": ("number", 0.0, None, True),
    "tieout_confidence": _SHARE,
    "review_confidence": _SHARE,
    "crop_max_megapixels": ("number", 0.0, None, True),
    "crop_render_seconds": ("number", 0.0, None, True),
    "parties_mdna_window_pages": ("whole", 1, None, False),
    "parties_notes_window_pages": ("whole", 1, None, False),
    "parties_statement_window": ("whole", 0, None, False),
    "statement_max_pages": ("whole", 1, 20, False),
    "parties_backscan_share": _SHARE,
    "parties_match_report_score": ("number", 0.0, 100.0, False),
    "pattern_timeout": ("number", 0.0, 60.0, True),
}
# flags.yaml thresholds (any other name must still be a finite number)
THRESHOLD_RULES: dict[str, Rule] = {
    "min_name_score": ("number", 0.0, 100.0, False),
    "share_tolerance": _SHARE,
    "min_share": _SHARE,
    "min_dsri": ("number", 0.0, None, True),
    "max_ratio": ("number", 0.0, None, True),
    "min_new": ("whole", 1, None, False),
}
_NUMBER_RULE: Rule = ("number", None, None, False)
_LANGUAGES = re.compile(r"[A-Za-z_]+(\+[A-Za-z_]+)*")


def check_value(value: object, rule: Rule) -> str | None:
    """What is wrong with a setting's value under ``rule`` (None when nothing is)."""
    kind, low, high, low_excluded = rule
    if kind == "languages":
        ok = isinstance(value, str) and _LANGUAGES.fullmatch(value)
        return None if ok else "must be Tesseract language names joined by + (e.g. chi_sim+eng)"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number, not {value!r}"
    if not math.isfinite(value):
        return f"must be a finite number, not {value!r}"
    if kind == "whole" and value != int(value):
        return f"must be a whole number, not {value:g}"
    if (low is not None and (value <= low if low_excluded else value < low)) or (high is not None and value > high):
        bounds = [f"above {low:g}" if low_excluded else f"{low:g} or more"] if low is not None else []
        bounds += [f"at most {high:g}"] if high is not None else []
        return f"must be {' and '.join(bounds)}, not {value:g}"
    return None


def value_problems(spec: PatternFileSpec) -> list[tuple[tuple[str, ...], str]]:
    """(location, problem) for every setting of a file whose value is not what the code can use."""
    out: list[tuple[tuple[str, ...], str]] = []
    for name, value in spec.values.items():
        rule = VALUE_RULES.get(name)
        problem = check_value(value, rule) if rule else None
        if problem:
            out.append((("values", name), problem))
    for fid, flag in spec.flags.items():
        for name, value in flag.thresholds.items():
            problem = check_value(value, THRESHOLD_RULES.get(name, _NUMBER_RULE))
            if problem:
                out.append((("flags", fid, "thresholds", name), problem))
    return out
