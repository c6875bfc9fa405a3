"""Company-name normalisation and matching: tables of named cases, both directions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor import patternbook
from extractor.parties.names import NameRules, best_match, is_anonymised, match_pair, normalise

RULES = NameRules.from_book(patternbook.load())
MIN_SCORE = 90.0


def matches(a: str, b: str) -> bool:
    return match_pair(normalise(a, RULES), normalise(b, RULES), MIN_SCORE) is not None


MUST_MATCH = [
    ("place prefix vs bracketed place", "深圳市华强电子有限公司", "华强电子(深圳)有限公司"),
    ("full-width brackets", "深圳市华强电子有限公司", "华强电子（深圳）有限公司"),
    ("legal form differs", "杭州恒泰科技有限公司", "杭州恒泰科技股份有限公司"),
    ("place dropped", "宁波鼎盛新材料有限公司", "鼎盛新材料有限公司"),
    ("province and city", "浙江省杭州市远航医药有限公司", "远航医药有限公司"),
    ("spaces", "苏州 宏达 电子有限公司", "苏州宏达电子有限公司"),
    ("traditional vs simplified", "蘇州華銳電子有限責任公司", "苏州华锐电子有限责任公司"),
    ("HK branch half-width", "瑞丰（香港）贸易有限公司", "瑞丰(香港)贸易有限公司"),
    ("group suffix", "中国兵器工业集团有限公司", "中国兵器工业集团有限公司"),
    ("group vs company", "北方华锦化学工业集团有限公司", "北方华锦化学工业有限公司"),
    ("english legal form", "Shenzhen Huarui Technology Co., Ltd.", "Huarui Technology Limited"),
    ("one character typo in a long core", "江苏恒远精密机械制造设备有限公司", "江苏恒远精密机械制造设各有限公司"),
    ("english place dropped", "Wuxi Hengyuan Precision Machinery Co., Ltd.", "Hengyuan Precision Machinery Limited"),
]

MUST_NOT_MATCH = [
    ("one character in a short core", "北京华为科技有限公司", "北京华夏科技有限公司"),
    ("different cities, same core", "大连北方化学工业有限公司", "无锡北方化学工业有限公司"),
    ("different core", "杭州恒泰科技有限公司", "杭州鼎盛科技有限公司"),
    ("anonymised customer", "客户一", "客户一"),
    ("anonymised rank", "第一名", "第一名"),
    ("anonymised letter", "客户A", "客户A有限公司"),
    ("industry differs", "宁波天成电子有限公司", "宁波天成医药有限公司"),
    ("prefix of another name", "中国兵工物资集团有限公司", "中国兵工物资沈阳有限公司"),
    ("english trade name differs", "Wuxi Hengyuan Precision Machinery Co., Ltd.", "Guangyuan Precision Machinery Co., Ltd."),
    ("english generic words shared", "Tiancheng Intelligent Equipment Co., Ltd.", "Tianchang Intelligent Equipment Co., Ltd."),
]


@pytest.mark.parametrize("a,b", [c[1:] for c in MUST_MATCH], ids=[c[0] for c in MUST_MATCH])
def test_names_that_must_match(a, b):
    assert matches(a, b)
    assert matches(b, a)


@pytest.mark.parametrize("a,b", [c[1:] for c in MUST_NOT_MATCH], ids=[c[0] for c in MUST_NOT_MATCH])
def test_near_misses_that_must_not_match(a, b):
    assert not matches(a, b)
    assert not matches(b, a)


NORMALISED = [
    ("place and legal form", "深圳市华强电子有限公司", "华强电子", {"深圳"}),
    ("bracketed place", "华强电子（深圳）有限公司", "华强电子", {"深圳"}),
    ("traditional", "華強電子（深圳）有限公司", "华强电子", {"深圳"}),
    ("province then city", "浙江省杭州市远航医药有限公司", "远航医药", {"浙江", "杭州"}),
    ("bracket that is not a place kept", "科莱恩华锦催化剂（某某）有限公司", "科莱恩华锦催化剂某某", set()),
    ("name that is only a place is kept", "北京市", "北京市", set()),
]


@pytest.mark.parametrize("name,core,places", [c[1:] for c in NORMALISED], ids=[c[0] for c in NORMALISED])
def test_normalise(name, core, places):
    n = normalise(name, RULES)
    assert n.core == core
    assert set(n.places) == places


ANON = [("客户一", True), ("客户A", True), ("客户3", True), ("第一名", True), ("第五名客户", True),
        ("单位1", True), ("客戶B", True), ("Customer A", True), ("中石化", False),
        ("客户服务有限公司", False), ("北京第一名品有限公司", False)]


@pytest.mark.parametrize("name,anon", ANON, ids=[a[0] for a in ANON])
def test_anonymised_names(name, anon):
    assert is_anonymised(name, RULES) is anon


def test_best_match_reports_pair_and_score():
    m = best_match("华强电子(深圳)有限公司", ["北京华夏科技有限公司", "深圳市华强电子有限公司"], RULES, MIN_SCORE)
    assert m is not None
    assert (m.left, m.right, m.method, m.score) == ("华强电子(深圳)有限公司", "深圳市华强电子有限公司", "exact", 100.0)
    assert best_match("客户一", ["客户一"], RULES, MIN_SCORE) is None


@given(st.sampled_from(["杭州恒泰科技", "华强电子", "中国兵器工业"]),
       st.sampled_from(["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]),
       st.sampled_from(["", " ", "　"]))
def test_legal_form_and_spacing_never_change_the_core(core, suffix, space):
    assert normalise(core + space + suffix, RULES).core == normalise(core, RULES).core


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="华强电子深圳北方化学工业abcde", max_size=14), st.text(alphabet="华强电子深圳北方化学工业abcde", max_size=14),
       st.floats(min_value=0, max_value=100))
def test_ratio_bound_never_drops_a_pair_that_reaches_the_score(a, b, min_score):
    from rapidfuzz import fuzz

    from extractor.parties.names import _ratio

    got, true = _ratio(a, b, min_score), fuzz.ratio(a, b)
    assert got == true or (got == 0.0 and true < min_score)


@pytest.mark.parametrize("name", ["深圳市华为技术有限公司", "豐盛控股有限公司", "香港中華煤氣有限公司", "沈默科技有限公司",
                                  "Hong Kong Ltd.", "贵州茅台酒销售有限公司", "乾隆贸易", "北京百度网讯科技有限公司"])
def test_names_are_simplified_as_opencc_does_without_converting_simplified_ones(name):
    from extractor.parties.names import _simplified, _t2s

    assert _simplified(name) == _t2s().convert(name)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="华為豐盛沈默船乾隆贵州茅台中華有序控股限公司發展于於后後面麵里裡 AB", max_size=12))
def test_simplifying_agrees_with_opencc_on_any_text(text):
    from extractor.parties.names import _simplified, _t2s

    assert _simplified(text) == _t2s().convert(text)
