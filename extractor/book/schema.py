"""The pattern files' schema (pydantic): what a file may say, checked with a message per problem."""

from __future__ import annotations

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
