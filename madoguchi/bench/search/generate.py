"""Generate N realistic Japanese program and organization documents for the speed benchmark.

Deterministic for a seed. The vocabulary comes from the 2005 plan itself — its clauses, the
institution kinds, the program names of 二-2, the fields and Miyagi's municipalities — and
clauses are drawn with Zipf weights, so the term distribution looks like a real directory's:
a few phrases everywhere (支援, 中小企業, 事業), a long tail of rare ones.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings

FUNCTIONS = {
    "tech_dev": "技術開発支援", "tech_transfer": "技術移転支援", "startup": "起業化支援",
    "finance": "資金・設備支援", "management": "経営改善支援", "market": "販路開拓支援",
    "market_info": "技術・人材市場情報支援", "talent": "人材発掘・育成支援",
}
STAGES = {
    "pre_startup": "創業準備", "startup": "創業期", "growth": "成長期", "mature": "成熟期・第二創業",
    "new_field": "新分野進出",
}
FIELDS = {
    "food": "食", "barrier_free": "バリアフリー", "environment": "環境", "it": "IT", "monozukuri": "ものづくり",
    "medical_welfare": "医療・福祉", "nanotech_materials": "ナノテク・材料", "semiconductor": "半導体・電子デバイス",
    "automotive": "自動車", "photonics": "光",
}
# Miyagi's municipalities (全国地方公共団体コード, 5 digits) as the loader records them.
MUNICIPALITIES = {
    "04101": "仙台市青葉区", "04102": "仙台市宮城野区", "04103": "仙台市若林区", "04104": "仙台市太白区",
    "04105": "仙台市泉区", "04202": "石巻市", "04203": "塩竈市", "04205": "気仙沼市", "04206": "白石市",
    "04207": "名取市", "04208": "角田市", "04209": "多賀城市", "04211": "岩沼市", "04212": "登米市",
    "04213": "栗原市", "04214": "東松島市", "04215": "大崎市", "04216": "富谷市", "04301": "蔵王町",
    "04302": "七ヶ宿町", "04321": "大河原町", "04322": "村田町", "04323": "柴田町", "04324": "川崎町",
    "04341": "丸森町", "04361": "亘理町", "04362": "山元町", "04401": "松島町", "04404": "七ヶ浜町",
    "04406": "利府町", "04421": "大和町", "04422": "大郷町", "04424": "大衡村", "04444": "色麻町",
    "04445": "加美町", "04501": "涌谷町", "04505": "美里町", "04581": "女川町", "04606": "南三陸町",
}
ORG_KINDS = (
    "商工会", "商工会議所", "中小企業支援センター", "産業振興財団", "信用金庫", "工業会", "事業協同組合",
    "産学連携センター", "技術支援センター", "インキュベーションセンター", "物産振興協会", "情報サービス産業協会",
)
COMPANY_WORDS = ("テクノ", "ソフト", "フーズ", "メディカル", "エコ", "ライト", "マテリアル", "ロボ", "ネット", "ファーム")
PROGRAM_TYPES = {
    "tech_dev": ("技術相談", "共同研究助成", "依頼試験", "研究開発補助金", "試作開発支援"),
    "tech_transfer": ("特許相談会", "ライセンス仲介", "シーズ発表会", "知的財産活用支援", "大学技術移転"),
    "startup": ("創業塾", "起業家育成講座", "インキュベーション入居支援", "創業補助金", "学生ベンチャー支援"),
    "finance": ("設備資金融資", "信用保証料補助", "運転資金貸付", "投資育成事業", "機械設備貸与"),
    "management": ("経営相談", "専門家派遣", "事業承継セミナー", "経営革新計画支援", "記帳指導"),
    "market": ("商談会", "展示会出展助成", "販路開拓支援", "海外見本市出展", "下請取引斡旋"),
    "market_info": ("異業種交流会", "メール配信サービス", "技術動向セミナー", "人材マッチング", "受発注情報提供"),
    "talent": ("技術者研修", "経営者研修", "IT人材育成講座", "後継者塾", "新入社員研修"),
}
TARGETS = ("中小企業", "小規模事業者", "創業予定者", "ベンチャー企業", "研究開発型企業", "農林漁業者", "組合", "女性起業家")

_CLAUSE_SPLIT = re.compile(r"[。、\n]|（|）|\(|\)")
_MARKUP = re.compile(r"<[^>]+>|[・\-\t「」『』〔〕]")


@lru_cache(maxsize=1)
def plan_clauses() -> tuple[str, ...]:
    """Return the plan's clauses (6–60 characters), in text order, without markup or repeats."""
    text = Path(settings.PLAN_FILE).read_text(encoding="utf-8")
    seen: dict[str, None] = {}
    for part in _CLAUSE_SPLIT.split(_MARKUP.sub(" ", text)):
        clause = re.sub(r"\s+", "", part)
        # Table rows run together (names, addresses, phone digits) are not prose: skip them.
        if 6 <= len(clause) <= 60 and len(re.findall(r"\d", clause)) < 4:
            seen.setdefault(clause, None)
    return tuple(seen)


@dataclass
class GeneratedDoc:
    """The fields of engine.DocMeta, as plain data (no Django, no engine import)."""

    id: str
    kind: str
    title: str
    text: str
    organization: str | None
    functions: set[str] = field(default_factory=set)
    stages: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    municipalities: set[str] = field(default_factory=set)


class _Zipf:
    """Draw indexes 0..n-1 with probability ∝ 1/(rank+1)^s over a seeded shuffle."""

    def __init__(self, rng: random.Random, n: int, s: float = 1.07) -> None:
        order = list(range(n))
        rng.shuffle(order)
        weights = [1.0 / (r + 1) ** s for r in range(n)]
        total = 0.0
        self.cum = []
        for w in weights:
            total += w
            self.cum.append(total)
        self.order, self.rng = order, rng

    def draw(self) -> int:
        import bisect

        return self.order[bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])]


def generate(n: int, *, seed: int = 2005) -> Iterator[GeneratedDoc]:
    """Yield n documents: about one organization for every four programs, same output for a seed."""
    rng = random.Random(seed)
    clauses = plan_clauses()
    zipf = _Zipf(rng, len(clauses))
    munis = list(MUNICIPALITIES.items())
    fn_codes, stage_codes, field_codes = list(FUNCTIONS), list(STAGES), list(FIELDS)
    org_names: list[str] = []
    for i in range(n):
        code, muni = rng.choice(munis)
        functions = set(rng.sample(fn_codes, rng.choice((1, 1, 2, 3))))
        stages = set(rng.sample(stage_codes, rng.choice((1, 2, 2, 3))))
        fields_ = set(rng.sample(field_codes, rng.choice((0, 1, 1, 2))))
        fn_names = "・".join(FUNCTIONS[f] for f in sorted(functions))
        stage_names = "・".join(STAGES[s] for s in sorted(stages))
        field_names = "・".join(FIELDS[f] for f in sorted(fields_)) or "全業種"
        # Sentences of one or two clauses: common phrases recur, whole sentences rarely do.
        body = [
            "、".join(clauses[zipf.draw()] if rng.random() < 0.9 else rng.choice(clauses) for _ in range(rng.randint(1, 2)))
            for _ in range(rng.randint(2, 4))
        ]
        if i % 5 == 0 or not org_names:
            if rng.random() < 0.4:
                title = f"株式会社{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_WORDS)}{muni[:2]}"
            else:
                title = f"{muni}{rng.choice(ORG_KINDS)}"
            if i % 7 == 0:
                title += f"第{i % 97 + 1}支所"
            org_names.append(title)
            text = (
                f"{title}は{muni}を拠点に{field_names}分野の{rng.choice(TARGETS)}を対象として{fn_names}を行う機関です。"
                + "。".join(body) + f"。主な対象は{stage_names}の事業者です。電話022-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}。"
            )
            yield GeneratedDoc(f"org-{i}", "organization", title, text, None, functions, stages, fields_, {code})
        else:
            main_fn = rng.choice(sorted(functions))
            org = org_names[rng.randrange(len(org_names))]
            year = rng.randint(17, 30)
            title = f"{field_names if fields_ else muni}{rng.choice(PROGRAM_TYPES[main_fn])}（平成{year}年度）"
            text = (
                f"{title}は{org}が実施する{fn_names}の事業です。{stage_names}の{rng.choice(TARGETS)}が対象です。"
                + "。".join(body)
                + f"。対象地域は{muni}。申込期限は{rng.randint(1, 12)}月{rng.randint(1, 28)}日です。"
            )
            yield GeneratedDoc(f"program-{i}", "program", title, text, org, functions, stages, fields_, {code})
