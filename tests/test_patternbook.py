import pickle
from pathlib import Path

import pytest

from extractor import patternbook
from extractor.errors import PatternFileError
from extractor.tables.labels import classify_title, match_item


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_builtin_files_are_valid():
    assert patternbook.check_folder(patternbook.builtin_dir()) == []


BROKEN = [
    ("bad regex", "schema: extractor.patterns/1\nkind: items\nconcepts:\n  x:\n    patterns:\n      zh-Hans:\n        - '销售(费用'\n",
     ":7: concepts.x.patterns.zh-Hans.0: invalid regular expression"),
    ("unknown key", "schema: extractor.patterns/1\nkind: items\nconcepts:\n  x:\n    patern: {}\n",
     ":5: concepts.x.patern: Extra inputs are not permitted"),
    ("unknown language", "schema: extractor.patterns/1\nkind: items\nconcepts:\n  x:\n    patterns:\n      fr: [a]\n",
     ":6: concepts.x.patterns.fr"),
    ("wrong schema", "schema: other/2\nkind: items\nconcepts: {}\n", ":1: schema:"),
    ("yaml syntax", "schema: extractor.patterns/1\nkind: items\nconcepts: [a\n", "(yaml)"),
    ("empty match", "schema: extractor.patterns/1\nkind: items\nconcepts:\n  x:\n    patterns:\n      en: ['a*']\n",
     ":6: concepts.x.patterns.en.0: pattern matches the empty string"),
    ("unit without multiplier", "schema: extractor.patterns/1\nkind: units\nconcepts:\n  x:\n    patterns:\n      any: [元]\n",
     ":4: concepts.x.multiplier: required for units"),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_file_reports_file_line_key(tmp_path, text, expected):
    folder = write(tmp_path, "bad.yaml", text)
    problems = patternbook.check_folder(folder)
    assert any(expected in p and p.startswith(str(folder / "bad.yaml")) for p in problems), problems


def test_all_problems_reported_at_once(tmp_path):
    write(tmp_path, "a.yaml", BROKEN[0][1])
    write(tmp_path, "b.yaml", BROKEN[1][1])
    with pytest.raises(PatternFileError) as exc:
        patternbook.load((str(tmp_path),))
    assert len(exc.value.problems) == 2
    again = pickle.loads(pickle.dumps(exc.value))
    assert again.problems == exc.value.problems


def test_user_patterns_add_to_builtin(tmp_path):
    write(tmp_path, "mine.yaml", "schema: extractor.patterns/1\nkind: items\nconcepts:\n  selling_expense:\n"
                                 "    patterns:\n      zh-Hans: ['推广及销售开支']\n")
    book = patternbook.load((str(tmp_path),))
    m = match_item("推广及销售开支", book)
    assert m is not None and m[0].name == "selling_expense" and m[1].file.endswith("mine.yaml")
    assert match_item("销售费用", book)[0].name == "selling_expense"  # built-in still there
    assert match_item("推广及销售开支", patternbook.load()) is None  # the built-in book is untouched


def test_replace_drops_builtin(tmp_path):
    write(tmp_path, "mine.yaml", "schema: extractor.patterns/1\nkind: items\nconcepts:\n  selling_expense:\n"
                                 "    replace: true\n    role: target\n    patterns:\n      zh-Hans: ['推广费']\n")
    book = patternbook.load((str(tmp_path),))
    assert match_item("销售费用", book) is None or match_item("销售费用", book)[0].name != "selling_expense"


TITLES = [
    ("plain consolidated", "合并利润表", "consolidated"),
    ("numbered", "3、合并利润表", "consolidated"),
    ("bse numbering", "（三）合并利润表", "consolidated"),
    ("parent", "（四）母公司利润表", "parent"),
    ("combined", "2021年度合并及公司利润表", "combined"),
    ("hk", "綜合損益及其他全面收益表", "consolidated"),
    ("english", "Consolidated Statement of Profit or Loss", "consolidated"),
    ("continued", "合并利润表（续）", "consolidated"),
    ("cash flow", "合并现金流量表", "other"),
    ("toc line", "合并利润表 ........ 85", None),
    ("notes heading", "合并利润表项目注释", None),
    ("sentence", "本公司按照合并利润表的要求编制了以下各项目的说明", None),
]


@pytest.mark.parametrize("text,role", [c[1:] for c in TITLES], ids=[c[0] for c in TITLES])
def test_classify_title(text, role):
    hit = classify_title(text, patternbook.load())
    assert (hit.role if hit else None) == role


LABELS = [
    ("sub-line revenue", "其中：营业收入", "revenue"),
    ("total revenue", "一、营业总收入", "total_revenue"),
    ("selling with prefix", "减：销售费用", "selling_expense"),
    ("note in label", "管理费用（附注七、40）", "admin_expense"),
    ("hk selling", "銷售及營銷開支", "selling_expense"),
    ("hk rnd", "研發開支", "rnd_expense"),
    ("hk revenue", "收入", "revenue"),
    ("en selling", "Selling and marketing expenses", "selling_expense"),
    ("en distribution", "Selling and distribution expenses", "selling_expense"),
    ("en rnd", "Research and development expenses", "rnd_expense"),
    ("en admin", "General and administrative expenses", "admin_expense"),
    ("en admin no noun", "General and administrative", "admin_expense"),
    ("en selling no noun", "Selling and marketing", "selling_expense"),
    ("en sales and marketing", "Sales and marketing expenses", "selling_expense"),
    ("en marketing", "Marketing", "selling_expense"),
    ("en rnd no noun", "Research and development", "rnd_expense"),
    ("en product development", "Product development expenses", "rnd_expense"),
    ("hk distribution", "分銷及銷售開支", "selling_expense"),
    ("hk admin", "行政開支", "admin_expense"),
    ("hk revenue", "收益", "revenue"),
    ("hk rnd long", "研究及開發開支", "rnd_expense"),
    ("en turnover", "Turnover", "revenue"),
    ("footnote marker", "Revenue (i)", "revenue"),
    ("CAS English total", "Total operating revenue", "total_revenue"),
    ("CAS English sub-line", "Including: Operating revenue", "revenue"),
    ("US total revenues", "Total revenues", "revenue"),
    ("CAS English R&D", "R&D expenses", "rnd_expense"),
    ("starred", "Selling and distribution expenses*", "selling_expense"),
    ("rnd input is not rnd expense", "研发投入合计", None),
    ("capitalised rnd", "研发费用资本化金额", None),
    ("interest income is not revenue", "其中：利息收入", None),
    ("other business revenue", "其他业务收入", None),
    ("cost of revenue", "Cost of revenues", "operating_cost"),
]


@pytest.mark.parametrize("label,concept", [c[1:] for c in LABELS], ids=[c[0] for c in LABELS])
def test_match_item(label, concept):
    m = match_item(label, patternbook.load())
    assert (m[0].name if m else None) == concept


OTHER_SCRIPT = [
    ("HK wording in simplified", "销售及营销开支", "selling_expense"),
    ("HK rnd in simplified", "研发开支", "rnd_expense"),
    ("HK admin in simplified", "行政开支", "admin_expense"),
    ("CAS wording in traditional", "銷售費用", "selling_expense"),
    ("CAS revenue in traditional", "營業收入", "revenue"),
    ("CAS rnd in traditional", "研發費用", "rnd_expense"),
    ("HK marketing", "營銷開支", "selling_expense"),
    ("IFRS 15 revenue", "Revenue from contracts with customers", "revenue"),
    ("revenues net", "Revenues, net", "revenue"),
    ("SG&A is neither selling nor admin", "Selling, general and administrative expenses", None),
]


@pytest.mark.parametrize("label,concept", [c[1:] for c in OTHER_SCRIPT], ids=[c[0] for c in OTHER_SCRIPT])
def test_labels_in_either_script(label, concept):
    m = match_item(label, patternbook.load())
    assert (m[0].name if m else None) == concept


@pytest.mark.parametrize("title,role", [("综合损益及其他全面收益表", "consolidated"), ("合併利潤表", "consolidated"),
                                        ("综合财务状况表", "other")])
def test_titles_in_either_script(title, role):
    hit = classify_title(title, patternbook.load())
    assert hit is not None and hit.role == role


UNITS = [
    ("yuan", "单位：元 币种：人民币", "元", "CNY", 1),
    ("wan", "单位：人民币万元", "万元", "CNY", 10_000),
    ("million before wan", "人民币百万元", "百万元", "CNY", 1_000_000),
    ("thousand audit style", "(除特别注明外，金额单位为人民币千元)", "千元", "CNY", 1000),
    ("RMB'000", "RMB'000", "千元", "CNY", 1000),
    ("bare '000", "'000", "千元", "CNY", 1000),
    ("RMB left of US$", "RMB'000   US$'000", "千元", "CNY", 1000),
    ("US$ only", "US$'000", "千美元", "USD", 1000),
    ("HK$ million", "HK$ million", "百万港元", "HKD", 1_000_000),
    ("in thousands of RMB and US$", "(in thousands of RMB and US$)", "千元", "CNY", 1000),
    ("RMB million", "RMB million", "百万元", "CNY", 1_000_000),
    ("traditional thousand", "人民幣千元", "千元", "CNY", 1000),
]


@pytest.mark.parametrize("text,unit,currency,mult", [c[1:] for c in UNITS], ids=[c[0] for c in UNITS])
def test_units(text, unit, currency, mult):
    from extractor.tables.units import unit_of_text

    u = unit_of_text(text, patternbook.load())
    assert u is not None and (u.unit, u.currency, u.multiplier) == (unit, currency, mult)


@pytest.mark.parametrize("cell,period,year", [("二零二一年", None, 2021), ("二〇二〇年度", None, 2020),
                                              ("2021年1-12月", None, 2021), ("本期发生额", "current", None),
                                              ("上年同期金额", "prior", None), ("Year ended 31 December 2021", None, 2021)])
def test_period_cells(cell, period, year):
    from extractor.tables.rows import _classify_cell

    p, y, _entity = _classify_cell(cell, patternbook.load())
    assert (p, y) == (period, year)
