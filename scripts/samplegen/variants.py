"""What a report looks like: language, statement style, unit, column order, number styles, and the
anomalies planted in it. The fixed committed sample set and the random corpus draw both live here."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal

PRODUCERS = ("reportlab", "libreoffice", "chromium")
FLAG_IDS = (
    "undisclosed_related_customer",
    "cash_revenue_divergence",
    "receivables_outpace_revenue",
    "customer_concentration",
    "related_party_sales_share",
)

# unit key -> (multiplier, smallest printed step in yuan, decimals printed)
UNITS: dict[str, tuple[int, Decimal, int]] = {
    "元": (1, Decimal("0.01"), 2),
    "人民币元": (1, Decimal("0.01"), 2),
    "万元": (10_000, Decimal(100), 2),
    "千元": (1_000, Decimal(1000), 0),
    "人民幣千元": (1_000, Decimal(1000), 0),
    "RMB'000": (1_000, Decimal(1000), 0),
    "RMB million": (1_000_000, Decimal(100000), 1),
    "RMB": (1, Decimal(1), 0),
}
STYLE_UNITS = {
    "bse": ["元"],
    "ashare": ["元", "人民币元", "万元", "千元"],
    "ashare_combined": ["人民币元", "千元"],
    "hk": ["人民幣千元"],
    "us": ["RMB'000", "RMB million"],
}
# The failure classes of issue 13 (reports made by other templates than the plain draw): a corpus
# draws one of them for about half of its reports, so every class is scored on its own.
CASES = ("unit_mismatch", "cas_hant", "cas_en", "us_gaap_rmb", "no_rnd_break", "flag_cash", "flag_names",
         "flag_concentration")


@dataclass(frozen=True)
class Variant:
    producer: str
    language: str  # zh-Hans | zh-Hant | en
    style: str  # bse | ashare | ashare_combined | hk | us
    unit: str
    multiplier: int
    current_first: bool
    note_column: str  # 七、61 | 五(30) | bare | none
    negative_style: str  # parens | minus
    zero_style: str  # - | — | – | blank
    wrapped_labels: bool
    fake_bold: bool
    rnd_line: bool
    statement_page_break: bool
    continuation_header: bool
    total_revenue_differs: bool
    # Not part of the truth file's "variant" object, but they decide the content.
    fiscal_year: int = 2021
    period_header: str = "year"  # year | period (本期发生额/上期发生额)
    customer_names: str = "named"  # named | anonymised
    anon_style: str = "letter"
    related_top5_disclosed: bool = False  # a top-five customer openly marked as related
    flags: tuple[str, ...] = field(default_factory=tuple)
    match_kind: str = "suffix"
    # Reports unlike the fixed set (issue 13); the defaults leave the committed samples unchanged.
    case: str = ""  # the failure class this report was drawn for (a bench group), "" for the plain draw
    table_unit: str = "same"  # unit of the notes / related-party tables: same | yuan_line | yuan_above | yuan_none | yuan_header
    indent_char: bool = False  # statement labels indented with U+3000 (Word / LibreOffice habit) instead of padding
    split_spans: bool = False  # label words drawn as separate spans with small gaps
    amounts_right: bool = False  # wide label column, amounts pushed to the right margin
    us_labels: str = "expenses"  # expenses ("Selling and marketing expenses") | bare ("Sales and marketing")
    notes_break: bool = False  # the notes' expense table crosses a page (continuation without header)
    notes_prior_first: bool = False  # notes tables print the prior year's column first
    cf_parent: bool = False  # the parent company's cash-flow statement follows the consolidated one
    cf_wrapped: bool = False  # 销售商品、提供劳务收到的现金 wrapped over two lines
    top5_style: str = "table"  # table | table_wan (amounts in 万元, unit in the header) | sentence (SSE)

    def truth_dict(self) -> dict[str, object]:
        d = asdict(self)
        keep = ["producer", "language", "style", "unit", "multiplier", "current_first", "note_column",
                "negative_style", "zero_style", "wrapped_labels", "fake_bold", "rnd_line",
                "statement_page_break", "continuation_header", "total_revenue_differs"]
        out = {k: d[k] for k in keep}
        if self.case:  # only reports drawn for a failure class say so (the committed truth files stay as they are)
            out["case"] = self.case
        return out

    @property
    def cas(self) -> bool:
        """A CAS report built by build_cas (simplified, or traditional for an A+H company)."""
        return self.style in ("bse", "ashare", "ashare_combined")

    @property
    def quantum(self) -> Decimal:
        return UNITS[self.unit][1]

    @property
    def decimals(self) -> int:
        return UNITS[self.unit][2]


def _base(producer: str, language: str, style: str, unit: str, **kw: object) -> Variant:
    v = Variant(producer=producer, language=language, style=style, unit=unit, multiplier=UNITS[unit][0],
                current_first=True, note_column="none", negative_style="minus", zero_style="blank",
                wrapped_labels=False, fake_bold=False, rnd_line=True, statement_page_break=False,
                continuation_header=False, total_revenue_differs=False)
    return replace(v, **kw)  # type: ignore[arg-type]


# The committed set: each entry is (file stem, seed, variant). Chosen so that every producer, language,
# style and unit appears at least once, and every flag is planted at least once.
def fixed_set() -> list[tuple[str, int, Variant]]:
    return [
        ("s01_bse_reportlab", 101, _base(
            "reportlab", "zh-Hans", "bse", "元", note_column="五(30)", wrapped_labels=True, fake_bold=True,
            statement_page_break=True, continuation_header=False, zero_style="-",
            flags=("undisclosed_related_customer", "customer_concentration"), match_kind="place")),
        ("s02_ashare_libreoffice", 202, _base(
            "libreoffice", "zh-Hans", "ashare", "元", note_column="七、61", period_header="period",
            statement_page_break=True, continuation_header=True, total_revenue_differs=True,
            related_top5_disclosed=True, zero_style="blank")),
        ("s03_hk_chromium", 303, _base(
            "chromium", "zh-Hant", "hk", "人民幣千元", note_column="bare", negative_style="parens",
            zero_style="–", fake_bold=True, wrapped_labels=True,
            flags=("cash_revenue_divergence", "receivables_outpace_revenue"))),
        ("s04_ashare2016_reportlab", 404, _base(
            "reportlab", "zh-Hans", "ashare", "人民币元", note_column="bare", negative_style="parens",
            rnd_line=False, fiscal_year=2016, customer_names="anonymised", anon_style="num_cn",
            statement_page_break=True, continuation_header=True, zero_style="—",
            flags=("related_party_sales_share",))),
        ("s05_combined_libreoffice", 505, _base(
            "libreoffice", "zh-Hans", "ashare_combined", "千元", note_column="五(30)",
            customer_names="anonymised", anon_style="rank", zero_style="-", wrapped_labels=True)),
        ("s06_us_chromium", 606, _base(
            "chromium", "en", "us", "RMB million", current_first=False, negative_style="parens",
            zero_style="—", customer_names="anonymised", statement_page_break=True,
            flags=("customer_concentration",))),
        ("s07_enhk_reportlab", 707, _base(
            "reportlab", "en", "hk", "RMB'000", note_column="bare", negative_style="parens", zero_style="–",
            wrapped_labels=True, fake_bold=True, flags=("related_party_sales_share",))),
        ("s08_ashare_wan_chromium", 808, _base(
            "chromium", "zh-Hans", "ashare", "万元", note_column="bare", current_first=False,
            statement_page_break=True, continuation_header=False, total_revenue_differs=True,
            flags=("cash_revenue_divergence",))),
    ]


def random_variant(rng: random.Random, producer: str) -> Variant:
    """One corpus report's look: about half drawn for one failure class of issue 13, the rest
    uniformly over the plain combinations."""
    if rng.random() < 0.55:
        return case_variant(rng, producer, rng.choice(CASES))
    return plain_variant(rng, producer)


def plain_variant(rng: random.Random, producer: str) -> Variant:
    """One corpus report's look, drawn uniformly over the supported combinations."""
    style = rng.choice(["bse", "ashare", "ashare", "ashare_combined", "hk", "hk", "us"])
    language = {"bse": "zh-Hans", "ashare": "zh-Hans", "ashare_combined": "zh-Hans",
                "hk": rng.choice(["zh-Hant", "en"]), "us": "en"}[style]
    unit = rng.choice(STYLE_UNITS[style])
    if style == "hk" and language == "en":
        unit = rng.choice(["RMB'000", "RMB million"])
    cas = language == "zh-Hans"
    rnd_line = not (cas and rng.random() < 0.2)
    year = rng.choice([2019, 2020, 2021, 2022, 2023]) if rnd_line else rng.choice([2015, 2016, 2017])
    notes = {"bse": ["五(30)", "none"], "ashare": ["七、61", "bare", "none"],
             "ashare_combined": ["五(30)", "bare"], "hk": ["bare", "none"], "us": ["none", "bare"]}[style]
    page_break = rng.random() < 0.5
    named = rng.random() < 0.65
    flags = _draw_flags(rng, named and language != "en")
    match_kind = rng.choice(["suffix", "place", "brackets", "space", "script"])
    return _base(
        producer, language, style, unit,
        current_first=(style == "ashare_combined") or rng.random() < 0.8,
        note_column=rng.choice(notes),
        negative_style=rng.choice(["parens", "minus"]),
        zero_style=rng.choice(["-", "—", "–", "blank"]),
        wrapped_labels=rng.random() < 0.5,
        fake_bold=producer != "libreoffice" and rng.random() < 0.4,
        rnd_line=rnd_line,
        statement_page_break=page_break,
        continuation_header=page_break and rng.random() < 0.5,
        total_revenue_differs=style in ("ashare", "ashare_combined") and rng.random() < 0.25,
        fiscal_year=year,
        period_header=rng.choice(["year", "period"]) if style in ("ashare", "ashare_combined") else "year",
        customer_names="named" if named else "anonymised",
        anon_style=rng.choice(["num_cn", "rank", "letter", "digit"]),
        related_top5_disclosed=named and cas and rng.random() < 0.3,
        flags=flags,
        match_kind=match_kind,
    )


def _draw_flags(rng: random.Random, can_match_names: bool) -> tuple[str, ...]:
    if rng.random() < 0.4:
        return ()
    pool = [f for f in FLAG_IDS if can_match_names or f != "undisclosed_related_customer"]
    return tuple(sorted(rng.sample(pool, rng.choice([1, 1, 2])), key=FLAG_IDS.index))


def case_variant(rng: random.Random, producer: str, case: str) -> Variant:
    """A report drawn for one failure class: the plain draw, then the traits of the class."""
    base = plain_variant(rng, producer)
    kw: dict[str, object] = {"case": case}
    if case == "unit_mismatch":
        style = rng.choice(["ashare", "ashare", "bse"])
        unit = rng.choice(["万元", "千元"])
        flags = _draw_flags(rng, base.customer_names == "named")
        if rng.random() < 0.5 and "related_party_sales_share" not in flags:
            flags = tuple(sorted(flags + ("related_party_sales_share",), key=FLAG_IDS.index))
        kw.update(style=style, language="zh-Hans", unit=unit, multiplier=UNITS[unit][0], flags=flags,
                  table_unit=rng.choice(["yuan_line", "yuan_above", "yuan_none", "yuan_header"]),
                  fiscal_year=rng.choice([2019, 2020, 2021, 2022]), rnd_line=True,
                  period_header=rng.choice(["year", "period"]) if style == "ashare" else "year")
    elif case == "cas_hant":
        unit = rng.choice(["元", "元", "千元"])
        kw.update(style="ashare", language="zh-Hant", unit=unit, multiplier=UNITS[unit][0], indent_char=True,
                  statement_page_break=True, continuation_header=True, rnd_line=True,
                  fiscal_year=rng.choice([2019, 2020, 2021, 2022]), total_revenue_differs=False,
                  flags=_draw_flags(rng, base.customer_names == "named"), related_top5_disclosed=False,
                  period_header=rng.choice(["year", "period"]), current_first=True)
    elif case == "cas_en":
        unit = rng.choice(["元", "RMB'000"])
        kw.update(style="cas_en", language="en", unit=unit, multiplier=UNITS[unit][0], current_first=False,
                  split_spans=True, wrapped_labels=True, amounts_right=True, rnd_line=True,
                  note_column=rng.choice(["none", "bare"]), fiscal_year=rng.choice([2019, 2020, 2021, 2022]),
                  total_revenue_differs=False, flags=_draw_flags(rng, False), customer_names="anonymised")
    elif case == "us_gaap_rmb":
        kw.update(style="us", language="en", unit="RMB", multiplier=1, current_first=False,
                  us_labels=rng.choice(["bare", "expenses"]), note_column=rng.choice(["none", "bare"]),
                  flags=_draw_flags(rng, False))
    elif case == "no_rnd_break":
        style = rng.choice(["ashare", "bse"])
        unit = rng.choice(STYLE_UNITS[style])
        kw.update(style=style, language="zh-Hans", unit=unit, multiplier=UNITS[unit][0], rnd_line=False,
                  fiscal_year=rng.choice([2015, 2016, 2017]), statement_page_break=True, continuation_header=False,
                  notes_break=rng.random() < 0.6, notes_prior_first=rng.random() < 0.3,
                  period_header=rng.choice(["year", "period"]) if style == "ashare" else "year")
    elif case == "flag_cash":
        style = rng.choice(["ashare", "bse", "ashare_combined"])
        unit = rng.choice(STYLE_UNITS[style])
        flags = ("cash_revenue_divergence",) if rng.random() < 0.7 else ()
        kw.update(style=style, language="zh-Hans", unit=unit, multiplier=UNITS[unit][0], flags=flags,
                  cf_parent=style != "ashare_combined", cf_wrapped=rng.random() < 0.5,
                  current_first=style == "ashare_combined" or rng.random() < 0.7,
                  period_header=rng.choice(["year", "period"]) if style != "bse" else "year")
    elif case == "flag_names":
        style = rng.choice(["ashare", "bse"])
        unit = rng.choice(STYLE_UNITS[style])
        flags = ("undisclosed_related_customer",) if rng.random() < 0.75 else ()
        kw.update(style=style, language="zh-Hans", unit=unit, multiplier=UNITS[unit][0], flags=flags,
                  customer_names="named", related_top5_disclosed=rng.random() < 0.3,
                  match_kind=rng.choice(["suffix_drop", "place_city", "brackets_place", "script", "suffix",
                                         "place"]),
                  period_header=rng.choice(["year", "period"]) if style == "ashare" else "year")
    elif case == "flag_concentration":
        style = rng.choice(["ashare", "bse"])
        unit = rng.choice(STYLE_UNITS[style])
        flags = ("customer_concentration",) if rng.random() < 0.7 else ()
        kw.update(style=style, language="zh-Hans", unit=unit, multiplier=UNITS[unit][0], flags=flags,
                  customer_names=rng.choice(["named", "anonymised"]),
                  top5_style=rng.choice(["table", "table_wan", "sentence"]) if style == "ashare" else "table",
                  period_header=rng.choice(["year", "period"]) if style == "ashare" else "year")
    else:
        raise ValueError(f"unknown case {case!r}; choose from {CASES}")
    v = replace(base, **kw)  # type: ignore[arg-type]
    if v.style == "ashare_combined":
        v = replace(v, current_first=True)
    if not v.rnd_line and v.fiscal_year >= 2018:
        v = replace(v, fiscal_year=rng.choice([2015, 2016, 2017]))
    if v.rnd_line and v.fiscal_year < 2018:
        v = replace(v, fiscal_year=rng.choice([2019, 2020, 2021]))
    if v.language != "zh-Hans":
        v = replace(v, total_revenue_differs=False, related_top5_disclosed=False)
    if not v.cas:  # IFRS / US GAAP statements always print an R&D line here
        v = replace(v, rnd_line=True, note_column=v.note_column if v.note_column in ("none", "bare") else "bare")
        if v.fiscal_year < 2018:
            v = replace(v, fiscal_year=rng.choice([2019, 2020, 2021]))
    return v
