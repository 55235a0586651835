"""Matching's view of text: search's analyser (`search.analysis`), and which words count as common ground.

Listings are analysed by the one-stop search's analyser and normaliser (Sudachi normalised forms;
`madoguchi.search.analysis`), so a listing and a question meet on the same terms; there is no
second tokeniser here. What is matching's own is which terms count as common ground between two
listings (`term_class`), the fields a listing's text is made of (`listing_text`), and the synonym
data's terms added on the asking side.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from madoguchi.search import analysis


def analyze(text: str) -> list[str]:
    """Terms of `text` as search analyses them, without readings.

    Readings (``r:``) are dropped: listings are written, not typed phonetically, and readings
    would double the index for little gain and pair homophones (カコウ: 加工 / 河口).
    """
    return [t for t in analysis.analyze(text) if not t.startswith(analysis.READING_PREFIX)]


# Never common ground: company-form words (株式会社 → 株式会社・株式・会社) and the boilerplate of
# listings (「対応します」「承ります」「募集」). Sharing them says nothing about fit: the issue's
# 冷凍庫在庫 → ガーゼ管理 mismatch came from 「会社」 counted as a shared word.
NEVER_COMMON = frozenset(
    """株式会社 有限会社 合同会社 合資会社 合名会社 株式 有限 合同 合資 合名 会社 株 社 弊社 当社 御社 貴社 同社 自社 法人
    一般社団法人 社団法人 財団法人 公益財団法人 独立行政法人 代表 代表取締役 取締役 社長 従業員 本社 支店 営業所
    募集 求める 求む 希望 依頼 お願い 願い 承る 請け負う 負う 扱う 取り扱う 扱い 取り扱い 実績 可能 提供 問い合わせ 連絡 詳細 記載
    掲載 紹介 案件 行く 頂く 受け付ける 受付 いたす 致す 欲しい 探る 見つける 任せる 頼む 作る 出来る 持つ 付く 付き 入れる
    様々 さまざま 多く 多い 少ない 全て すべて 一つ 一 二 三 年 月 日 件 個 人 名 円 万 等 など 当 御 お""".split()  # noqa: SIM905  a word list reads better as one string
)
# Generic words: common ground only together with something else. One shared 「部品」 or 「装置」
# is not a reason to introduce anyone; 「蝶番」 or 「パッキン」 is. Suffix-like single kanji (機, 用, 製)
# and proper-noun bigrams (g:) are weak in the same way; a single kanji that names a thing (牛, 膝, 酒)
# is not (treating every single kanji as generic emptied 「牛の種付け」 in the second held-out set). Written from the words of support listings,
# not fitted to a benchmark; the pool also treats any term in a large share of a pool as generic.
GENERIC = frozenset(
    """部品 材料 装置 製品 技術 開発 システム 管理 加工 製造 機械 方法 事業 設備 工場 販売 製作 生産 作業 商品 サービス
    仕組み 導入 使用 利用 活用 対応 検討 向上 改善 情報 支援 研究 構築 運営 提案 企業 製 品 用 機 性 化 式 型 材 法 ネット
    新しい 新 高い 低い 良い 安い 早い 短い 長い 大きい 小さい 簡単 手軽 必要 課題 問題 目的 用途 分野 業界 業務 現場 地域
    全国 地元 県内 県産 国内 海外 市場 顧客 取引 対策 効率 品質 コスト 費用 価格 時間 期間 人手 担当 製造業 メーカー
    一般 各種 種類 多品種 小ロット ロット 量産 試作 少量 大量 納期 図面 寸法 特注 受託 請負 外注 調達 仕入れ 実現 提供""".split()  # noqa: SIM905  a word list reads better as one string
)


def term_class(term: str) -> int:
    """0 = specific, 1 = generic (common ground only with another word), 2 = never common ground."""
    if term in NEVER_COMMON or term.startswith(analysis.READING_PREFIX):
        return 2
    if term in GENERIC or term.startswith(analysis.GRAM_PREFIX):
        return 1
    return 0


def synonym_terms(text: str, own_terms: Iterable[str] | None = None) -> list[str]:
    """Terms the shared synonym data (search's data/synonyms.tsv) adds to `text`: ばね → スプリング,
    ブルーライト → 青色光. Used on the side that asks, as search uses them on the question; the data
    lists both directions of each pair, so either side finds the other."""
    own = set(analyze(text) if own_terms is None else own_terms)
    out: list[str] = []
    for phrase, expansion in analysis.matched_synonyms(text):
        # the phrase itself too: found as a substring where Sudachi cut it otherwise (使えるばね)
        for t in analyze(phrase) + analyze(expansion):
            if t not in own and not t.startswith(analysis.GRAM_PREFIX) and t not in out:
                out.append(t)
    return out


def is_display_term(term: str) -> bool:
    """Whether a term reads as a word in a reason (not a bigram fragment)."""
    return ":" not in term


def analyzer_name() -> str:
    """The analyser's name, for benchmark reports."""
    return "search.analysis"


def listing_text(listing: Any) -> str:
    """All free text of a listing the ranker compares: title twice (it names the subject), then the rest."""
    lists = []
    for attr in ("processes", "equipment", "certifications", "skills"):
        value = getattr(listing, attr, None) or []
        lists.append(" ".join(str(v) for v in value))
    parts = [listing.title, listing.title, listing.description, listing.material or "", listing.use_of_funds or "", *lists]
    return "\n".join(p for p in parts if p)


def phrase_terms(text: str, own_terms: Iterable[str]) -> list[str]:
    """Terms of the synonym data's phrases that occur verbatim in `text` but that analysis cut
    otherwise (「高温で使えるばね」 is analysed without ばね), so the pairs find them."""
    own = set(own_terms)
    out: list[str] = []
    for phrase, _expansion in analysis.matched_synonyms(text):
        out.extend(t for t in analyze(phrase) if t not in own and t not in out and not t.startswith(analysis.GRAM_PREFIX))
    return out


def listing_terms(listing: Any) -> list[str]:
    body = listing_text(listing)
    terms = analyze(body)
    return terms + phrase_terms(body, terms)
