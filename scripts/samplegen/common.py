"""Shared pieces of document building: the build context (blocks + facts for the truth file),
simple tables, filler prose and people's names."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from decimal import Decimal

from .data import Pair, ReportData
from .layout import BODY_W, Block, Column, Heading, Para, Row, Spacer, Table, TocLine
from .variants import Variant

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌辉宇浩凯鹏飞健俊峰磊晨昊瑞"


@dataclass
class Facts:
    """Where the truth lives in the built document: printed strings and the tags of their rows."""

    figures: dict[str, dict[int, dict[str, object]]] = field(default_factory=dict)
    statement_title: str = ""
    statement_prefix: str = "is"
    tags: dict[str, str] = field(default_factory=dict)  # extras name -> tag


@dataclass
class Ctx:
    v: Variant
    d: ReportData
    rng: random.Random
    blocks: list[Block] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)
    notes_no: dict[str, int] = field(default_factory=dict)
    toc: list[TocLine] = field(default_factory=list)
    # Optional material the paginator may add before the income statement to steer where it breaks:
    # blank rows for the preceding table (row, insert-before label) and extra paragraphs.
    pad_rows: list[tuple[Row, str]] = field(default_factory=list)
    pad_blocks: list[Block] = field(default_factory=list)

    def add(self, *bs: Block) -> None:
        self.blocks.extend(bs)

    def heading(self, text: str, level: int = 2, tag: str | None = None, align: str = "left",
                toc: int | None = None) -> None:
        fb = self.v.fake_bold and level <= 2
        self.blocks.append(Heading(text, level, align=align, fake_bold=fb, tag=tag))
        if toc is not None and tag:
            self.toc.append(TocLine(text, tag, level=toc))

    def para(self, text: str, **kw: object) -> None:
        self.blocks.append(Para(text, indent=self.v.language != "en", **kw))  # type: ignore[arg-type]

    def person(self) -> str:
        g = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.6 else "")
        return self.rng.choice(SURNAMES) + g

    def record(self, item: str, period: int, printed: str, tag: str, value: Decimal, source: str) -> None:
        self.facts.figures.setdefault(item, {})[period] = {
            "printed": printed, "tag": tag, "value": value, "source": source}


def simple_table(header: list[str], rows: list[list[str]], widths: list[float] | None = None,
                 aligns: str | None = None, tags: list[str | None] | None = None, size: float = 9.0,
                 rule: str = "grid", total_last: bool = False, row_h: float = 16.0) -> Table:
    n = len(header)
    if widths is None:
        first = BODY_W * (0.34 if n > 3 else 0.46)
        widths = [first] + [(BODY_W - first) / (n - 1)] * (n - 1)
    scale = BODY_W / sum(widths)
    widths = [w * scale for w in widths]
    aligns = aligns or ("l" + "r" * (n - 1))
    cols = [Column(w, a) for w, a in zip(widths, aligns)]
    body = []
    for i, r in enumerate(rows):
        lines = max(c.count("\n") + 1 for c in r)
        kind = "total" if total_last and i == len(rows) - 1 else "body"
        body.append(Row(r, kind=kind, lines=lines, tag=(tags[i] if tags else None)))
    hl = max(c.count("\n") + 1 for c in header)
    return Table(cols, [Row(header, kind="header", lines=hl)], body, rule=rule, size=size, row_h=row_h)


def two_year(p: Pair) -> tuple[Decimal, Decimal]:
    return p[0], p[1]


ZH_FILLER = [
    "公司坚持以客户需求为导向，持续加大技术创新和产品开发力度，不断完善产品结构，提升核心竞争力。",
    "报告期内，公司围绕年度经营目标，积极拓展国内外市场，优化生产组织和供应链管理，经营情况总体平稳。",
    "公司严格按照《公司法》《证券法》等法律法规的要求，不断完善法人治理结构，规范公司运作。",
    "面对复杂多变的外部环境，公司管理层带领全体员工迎难而上，稳步推进各项重点工作。",
    "公司高度重视人才队伍建设，通过内部培养与外部引进相结合的方式，打造了一支结构合理、经验丰富的专业团队。",
    "公司所处行业市场空间广阔，行业集中度逐步提升，具备技术和规模优势的企业将获得更大的发展空间。",
    "公司持续推进精益生产和信息化建设，生产效率和产品质量稳步提升，单位成本得到有效控制。",
    "未来，公司将继续聚焦主业，坚持创新驱动发展战略，加快产能建设和市场布局，努力为股东创造更大价值。",
    "公司建立了完善的质量管理体系，已通过ISO9001质量管理体系认证和ISO14001环境管理体系认证。",
    "报告期内，公司不存在控股股东及其关联方非经营性占用公司资金的情况，亦不存在违规对外担保的情况。",
]
HANT_FILLER = [
    "本集團致力於以客戶需求為導向，持續加大技術創新及產品開發力度，不斷完善產品結構，提升核心競爭力。",
    "於報告期內，本集團圍繞年度經營目標，積極拓展國內外市場，優化生產組織及供應鏈管理，整體經營平穩。",
    "董事會深知良好企業管治對本集團持續發展的重要性，並致力維持高水平的企業管治標準。",
    "面對複雜多變的外部環境，管理層帶領全體員工迎難而上，穩步推進各項重點工作。",
    "本集團高度重視人才隊伍建設，通過內部培養與外部引進相結合的方式，打造專業團隊。",
    "本集團所處行業市場空間廣闊，行業集中度逐步提升，具備技術及規模優勢的企業將獲得更大發展空間。",
    "展望未來，本集團將繼續聚焦主業，堅持創新驅動發展戰略，加快產能建設及市場佈局，為股東創造更大價值。",
]
EN_FILLER = [
    ("The Group remains committed to customer-oriented innovation and continued to invest in product development "
     "to strengthen its core competitiveness."),
    ("During the year, the Group expanded its domestic and overseas sales network and optimised its production "
     "and supply chain management; overall operations remained stable."),
    ("The Board recognises the importance of good corporate governance to the sustainable development of the Group "
     "and is committed to maintaining high standards of corporate governance."),
    ("Facing a complex external environment, management led all employees in steadily advancing the key tasks of "
     "the year."),
    ("The Group attaches great importance to talent development, combining internal training with external "
     "recruitment to build a professional team."),
    ("Looking ahead, the Group will continue to focus on its core business, accelerate capacity expansion and "
     "market development, and strive to create greater value for shareholders."),
]


def filler(ctx: Ctx, n: int) -> None:
    pool = {"zh-Hans": ZH_FILLER, "zh-Hant": HANT_FILLER, "en": EN_FILLER}[ctx.v.language]
    picks = ctx.rng.sample(pool, min(n, len(pool)))
    for s in picks:
        sep = " " if ctx.v.language == "en" else ""
        ctx.para(s + (sep + ctx.rng.choice(pool) if ctx.rng.random() < 0.5 else ""))


def spacer(ctx: Ctx, h: float) -> None:
    ctx.add(Spacer(h))


def first_on_path(names: tuple[str, ...]) -> str | None:
    """The first of ``names`` found on PATH (a tool ships under several names across distributions)."""
    return next((p for n in names if (p := shutil.which(n))), None)
