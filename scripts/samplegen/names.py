"""Company-name vocabulary in simplified, traditional and pinyin forms, and the name variants
used to plant (or to avoid) matches between top-five customers and related parties."""

from __future__ import annotations

import random
from dataclasses import dataclass

# (simplified, traditional, pinyin); every part is given in both scripts so that a name can be
# printed in either and still denote the same entity.
PLACES: list[tuple[str, str, str]] = [
    ("深圳市", "深圳市", "Shenzhen"), ("杭州", "杭州", "Hangzhou"), ("苏州", "蘇州", "Suzhou"),
    ("广州市", "廣州市", "Guangzhou"), ("宁波", "寧波", "Ningbo"), ("上海", "上海", "Shanghai"),
    ("北京", "北京", "Beijing"), ("无锡", "無錫", "Wuxi"), ("厦门", "廈門", "Xiamen"),
    ("成都", "成都", "Chengdu"), ("武汉", "武漢", "Wuhan"), ("东莞市", "東莞市", "Dongguan"),
    ("佛山市", "佛山市", "Foshan"), ("常州", "常州", "Changzhou"), ("合肥", "合肥", "Hefei"),
    ("南京", "南京", "Nanjing"), ("青岛", "青島", "Qingdao"), ("长沙", "長沙", "Changsha"),
]
CORES: list[tuple[str, str, str]] = [
    ("华锐", "華銳", "Huarui"), ("恒泰", "恒泰", "Hengtai"), ("鼎盛", "鼎盛", "Dingsheng"),
    ("远航", "遠航", "Yuanhang"), ("宏达", "宏達", "Hongda"), ("瑞丰", "瑞豐", "Ruifeng"),
    ("新元", "新元", "Xinyuan"), ("金桥", "金橋", "Jinqiao"), ("天成", "天成", "Tiancheng"),
    ("博远", "博遠", "Boyuan"), ("汇通", "匯通", "Huitong"), ("嘉禾", "嘉禾", "Jiahe"),
    ("联创", "聯創", "Lianchuang"), ("启明", "啟明", "Qiming"), ("长风", "長風", "Changfeng"),
    ("泰和", "泰和", "Taihe"), ("盛荣", "盛榮", "Shengrong"), ("凯越", "凱越", "Kaiyue"),
    ("德润", "德潤", "Derun"), ("华景", "華景", "Huajing"), ("鸿运", "鴻運", "Hongyun"),
    ("正阳", "正陽", "Zhengyang"), ("立信", "立信", "Lixin"), ("东润", "東潤", "Dongrun"),
    ("锦程", "錦程", "Jincheng"), ("海辰", "海辰", "Haichen"), ("云帆", "雲帆", "Yunfan"),
    ("恒远", "恆遠", "Hengyuan"), ("晨光", "晨光", "Chenguang"), ("聚力", "聚力", "Juli"),
    ("万和", "萬和", "Wanhe"), ("永泰", "永泰", "Yongtai"), ("银河", "銀河", "Yinhe"),
    ("协鑫", "協鑫", "Xiexin"), ("兴业", "興業", "Xingye"), ("广源", "廣源", "Guangyuan"),
]
INDUSTRIES: list[tuple[str, str, str]] = [
    ("科技", "科技", "Technology"), ("电子", "電子", "Electronics"), ("新材料", "新材料", "New Materials"),
    ("医药", "醫藥", "Pharmaceutical"), ("精密机械", "精密機械", "Precision Machinery"),
    ("智能装备", "智能裝備", "Intelligent Equipment"), ("生物", "生物", "Biotech"),
    ("化工", "化工", "Chemical"), ("信息技术", "信息技術", "Information Technology"),
    ("环保", "環保", "Environmental"), ("食品", "食品", "Food"), ("物流", "物流", "Logistics"),
    ("贸易", "貿易", "Trading"), ("商贸", "商貿", "Commerce"), ("供应链管理", "供應鏈管理", "Supply Chain"),
    ("建设工程", "建設工程", "Construction"), ("电气", "電氣", "Electric"), ("汽车零部件", "汽車零部件", "Auto Parts"),
]
ISSUER_INDUSTRIES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 17]
SUFFIXES = ["有限公司", "股份有限公司", "有限责任公司"]
SUFFIXES_HANT = {"有限公司": "有限公司", "股份有限公司": "股份有限公司", "有限责任公司": "有限責任公司"}
ANON_STYLES: dict[str, list[str]] = {
    "num_cn": ["客户一", "客户二", "客户三", "客户四", "客户五"],
    "rank": ["第一名", "第二名", "第三名", "第四名", "第五名"],
    "letter": ["客户A", "客户B", "客户C", "客户D", "客户E"],
    "digit": ["客户1", "客户2", "客户3", "客户4", "客户5"],
}
ANON_HANT = ["客戶A", "客戶B", "客戶C", "客戶D", "客戶E"]
ANON_EN = ["Customer A", "Customer B", "Customer C", "Customer D", "Customer E"]


@dataclass(frozen=True)
class Entity:
    """A company, independent of how its name is printed."""

    place: int | None
    core: int
    industry: int
    suffix: str
    hk_branch: bool = False  # a "（香港）" qualifier, the usual home of bracket variants
    branch: int | None = None  # a city qualifier "（上海）" (PLACES index), instead of 香港

    def name(self, script: str = "zh-Hans", brackets: str = "full", place: bool = True,
             space: bool = False, suffix: str | None = None, city: bool | None = None) -> str:
        if script == "en":
            parts = []
            if place and self.place is not None:
                parts.append(PLACES[self.place][2])
            parts.append(CORES[self.core][2])
            if self.hk_branch or self.branch is not None:
                parts.append("(Hong Kong)" if self.branch is None else f"({PLACES[self.branch][2]})")
            parts.append(INDUSTRIES[self.industry][2])
            parts.append("Co., Ltd.")
            return " ".join(parts)
        i = 0 if script == "zh-Hans" else 1
        sfx = suffix or self.suffix
        if script == "zh-Hant":
            sfx = SUFFIXES_HANT[sfx]
        if suffix == "":
            sfx = ""
        pre = PLACES[self.place][i] if (place and self.place is not None) else ""
        if pre and city is not None:  # 深圳市 / 深圳: the same city with or without 市
            pre = pre.rstrip("市") + ("市" if city else "")
        branch = ""
        if self.hk_branch or self.branch is not None:
            where = "香港" if self.branch is None else PLACES[self.branch][i].rstrip("市")
            branch = (f"（{where}）" if brackets == "full" else f"({where})")
        gap = " " if space else ""
        return f"{pre}{CORES[self.core][i]}{branch}{gap}{INDUSTRIES[self.industry][i]}{sfx}"


class EntityPool:
    """Draws entities with distinct name cores so that unrelated names never match by accident."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.free = list(range(len(CORES)))
        rng.shuffle(self.free)

    def draw(self, industry: int | None = None, hk_branch: bool = False) -> Entity:
        core = self.free.pop()
        ind = industry if industry is not None else self.rng.randrange(len(INDUSTRIES))
        place = self.rng.randrange(len(PLACES)) if self.rng.random() < 0.7 else None
        return Entity(place, core, ind, self.rng.choice(SUFFIXES[:2]), hk_branch)


MATCH_KINDS = ["suffix", "place", "brackets", "space", "script", "suffix_drop", "place_city", "brackets_place"]


def matching_pair(entity: Entity, kind: str, script: str) -> tuple[str, str]:
    """(name in the related-party list, name in the top-five table): the same entity printed two
    ways that a normaliser must reconcile (suffix, place prefix, bracket width, spaces, script)."""
    other = "zh-Hant" if script == "zh-Hans" else "zh-Hans"
    if kind == "suffix":
        alt = "股份有限公司" if entity.suffix == "有限公司" else "有限公司"
        return entity.name(script), entity.name(script, suffix=alt)
    if kind == "place":
        return entity.name(script, place=True), entity.name(script, place=False)
    if kind == "brackets":
        return entity.name(script, brackets="full"), entity.name(script, brackets="half")
    if kind == "space":
        return entity.name(script), entity.name(script, space=True)
    if kind == "script":
        return entity.name(other), entity.name(script)
    if kind == "suffix_drop":  # 华锐科技有限公司 listed, 华锐科技 in the top five (or the other way round)
        return entity.name(script), entity.name(script, suffix="")
    if kind == "place_city":  # 苏州市华锐… / 苏州华锐…
        return entity.name(script, city=True), entity.name(script, city=False)
    if kind == "brackets_place":  # 华锐（上海）科技 / 华锐(上海)科技
        return entity.name(script, brackets="full"), entity.name(script, brackets="half")
    raise ValueError(kind)

# Revenue segments: (data key, simplified, traditional, English)
SEGMENTS = [("products", "产品销售", "產品銷售", "Sales of products"),
            ("services", "技术服务", "技術服務", "Technical services"),
            ("other", "其他业务", "其他", "Others")]
