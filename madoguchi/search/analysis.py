"""Japanese text analysis for the one-stop search.

Documents and questions go through the same Sudachi analysis, so spelling variants meet on
Sudachi's normalised form (付属/附属 → 付属, 申込/申し込み → 申し込み). Index terms come in three
families, told apart by a prefix so they never collide:

- ``申し込み``   a normalised form of a content word (noun, verb, adjective). Compounds are
  indexed both whole (mode C, 販路開拓) and as their short units (mode A, 販路 / 開拓).
- ``r:トッキョ`` the reading of a content word, so hiragana-only or half-width-kana
  questions (「とっきょ の らいせんす」, 「ｿﾌﾄｳｪｱ」) reach documents written in kanji.
- ``g:テク``     a character bigram of proper nouns and words Sudachi does not know, the
  fallback for institution names and coined words.

Questions additionally get the support-domain synonyms (data/synonyms.tsv) and the English
glossary (data/glossary_en.tsv). Both are matched as substrings of the normalised question:
colloquial phrases (お金を借りたい) are not single morphemes, and substring matching on a short
data file is cheap and easy to reason about.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Container, Iterable
from pathlib import Path
from typing import Any

from madoguchi.platform.text import nfkc, squeeze_spaces, without_controls

DATA_DIR = Path(__file__).resolve().parent / "data"

READING_PREFIX = "r:"
GRAM_PREFIX = "g:"

# Weights of the term families in a question: a reading or a bigram is weaker evidence
# than a normalised word (homophones, shared characters), a synonym is a guess about intent.
# A short unit of the asker's own compound (水産加工品 → 加工) is their word too, often the one
# the records use: 0.7 rather than 0.5 helped both judged sets (own and dev); 0.3–0.4 hurt both.
WEIGHT_WORD = 1.0
WEIGHT_READING = 0.8
WEIGHT_SUBUNIT = 0.7
WEIGHT_GRAM = 0.4
WEIGHT_SYNONYM = 0.7
WEIGHT_GLOSSARY = 1.0
WEIGHT_ENGLISH_NAME = 0.4
WEIGHT_HOMOPHONE = 0.6

_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞"}
# Normalised forms that occur in nearly every sentence and say nothing about the need.
STOPWORDS = frozenset(
    """為る 有る 居る 成る 出来る 行う 致す 言う 思う 得る 受ける 欲しい 良い 無い 其れ 此れ 事 物 為 様 等 方 所 時 中
    以下 以上 的 化 もの こと ため よう など 上 内 各種 各 他 ほか 又 並び 及び 又は 通ずる 於く 対する 関する
    ください おく 下さる 願う くれる 貰う 頂く 知る 分かる 教える 探す 見る 使う 利用 相談 したい""".split()  # noqa: SIM905  a word list reads better as one string
)
_KANA_RE = re.compile(r"^[\u3041-\u309f\u30a0-\u30ffー]+$")
_ASCII_WORD_RE = re.compile(r"[a-z][a-z0-9\-]*")
# Legal-form marks the plan writes three ways; they would make every name look alike.
_LEGAL_FORM_RE = re.compile(r"\((財|社|株|独|福|学|有)\)|独立行政法人|財団法人|社団法人|株式会社")


def normalize(text: str) -> str:
    """Return the text NFKC-normalised, case-folded, with control characters replaced by spaces.

    The shared steps of platform/text.py, without its hyphens: the index is built this way.
    """
    return squeeze_spaces(without_controls(nfkc(text)).casefold())


def hiragana_to_katakana(text: str) -> str:
    return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)


# --- Sudachi: one dictionary per process, one tokenizer per thread -------------------------

# A Tokenizer refuses to be used by two threads at once ("Tokenizer is already in use": 14 % of
# searches failed under the threaded runserver). The Dictionary is immutable once loaded and
# safe to share (sudachipy 0.7 shares it between tokenizers itself); a tokenizer costs ~10 µs
# to make, so each thread makes its own rather than waiting on a lock around every analysis.
_dictionary: Any = None
_dictionary_lock = threading.Lock()
_per_thread = threading.local()


def tokenizer() -> Any:
    """Return this thread's Sudachi tokenizer (mode C); the dictionary is loaded once per process."""
    tok = getattr(_per_thread, "tokenizer", None)
    if tok is None:
        global _dictionary
        from sudachipy import Dictionary, SplitMode

        if _dictionary is None:
            with _dictionary_lock:
                if _dictionary is None:
                    _dictionary = Dictionary(dict="core")
        tok = _per_thread.tokenizer = _dictionary.tokenizer(mode=SplitMode.C)
    return tok


def _split_mode_a() -> Any:
    from sudachipy import SplitMode

    return SplitMode.A


def bigrams(text: str) -> list[str]:
    text = text.replace(" ", "")
    if len(text) < 2:
        return [text] if text else []
    return [text[i : i + 2] for i in range(len(text) - 1)]


@functools.lru_cache(maxsize=65536)
def _analyze_segment(segment: str) -> tuple[str, ...]:
    """Analyse one normalised sentence. Cached: boilerplate sentences repeat across documents."""
    return tuple(t for t, _sub in _analyze_marked(segment))


# Part-of-speech ids → whether the morpheme is a content word, and whether a proper noun.
_POS_KIND: dict[int, tuple[bool, bool]] = {}
# (surface, part-of-speech id) → its terms. Most words recur, and Python-side work per
# morpheme (forms, readings, the mode-A split) costs more than Sudachi's tokenising itself.
_MORPHEME_TERMS: dict[tuple[str, int], tuple[tuple[str, bool], ...]] = {}
_MORPHEME_CACHE_MAX = 500_000


def _morpheme_terms(m: Any) -> tuple[tuple[str, bool], ...]:
    norm = m.normalized_form()
    if norm in STOPWORDS or m.dictionary_form() in STOPWORDS:
        return ()
    terms: list[tuple[str, bool]] = [(norm, False)]
    reading = m.reading_form()
    # A katakana word's reading is the word itself: index it once (questions look up both).
    if reading and reading != "キゴウ" and reading != norm:
        terms.append((READING_PREFIX + reading, False))
    parts = m.split(_split_mode_a())
    if len(parts) > 1:
        for p in parts:
            if p.part_of_speech()[0] in _CONTENT_POS and p.normalized_form() not in STOPWORDS:
                terms.append((p.normalized_form(), True))
                if p.reading_form() and p.reading_form() != p.normalized_form():
                    terms.append((READING_PREFIX + p.reading_form(), True))
    if _POS_KIND[m.part_of_speech_id()][1] or m.is_oov():
        terms.extend((GRAM_PREFIX + g, False) for g in bigrams(m.surface()))
    return tuple(terms)


def _analyze_marked(segment: str) -> list[tuple[str, bool]]:
    """Return (term, is a short unit of a compound) pairs for one normalised sentence."""
    terms: list[tuple[str, bool]] = []
    # Sudachi refuses inputs over ~49 KB; sentences are far shorter, but cut to be safe.
    for m in tokenizer().tokenize(segment[:10000]):
        pid = m.part_of_speech_id()
        kind = _POS_KIND.get(pid)
        if kind is None:
            pos = m.part_of_speech()
            kind = _POS_KIND[pid] = (pos[0] in _CONTENT_POS and pos[1] != "数詞", pos[1] == "固有名詞")
        if not kind[0]:
            continue
        key = (m.surface(), pid)
        cached = _MORPHEME_TERMS.get(key)
        if cached is None:
            if len(_MORPHEME_TERMS) >= _MORPHEME_CACHE_MAX:
                _MORPHEME_TERMS.clear()
            cached = _MORPHEME_TERMS[key] = _morpheme_terms(m)
        terms.extend(cached)
    return terms


# Clauses, not only sentences: boilerplate clauses recur across documents and are cached.
_SEGMENT_RE = re.compile(r"(?<=[。！？!?\n、])")


def _segments(text: str) -> Iterable[str]:
    for seg in _SEGMENT_RE.split(text):
        seg = seg.strip()
        if seg:
            yield seg


# Only clauses up to this length go through the cache: boilerplate clauses are short, and a long
# one seldom recurs, so caching it would only grow memory with the size of a bulk import.
_CACHED_SEGMENT_MAX = 200


def analyze(text: str) -> list[str]:
    """Return the index terms of a document text (with repeats: term frequency counts)."""
    out: list[str] = []
    for seg in _segments(normalize(text)):
        if len(seg) <= _CACHED_SEGMENT_MAX:
            out.extend(_analyze_segment(seg))
        else:
            out.extend(t for t, _sub in _analyze_marked(seg))
    return out


def name_terms(name: str) -> list[str]:
    """Return the terms of an institution's name: its analysis plus character bigrams.

    Names are proper nouns that questions quote partly (「テクノアーチ」, 「ソフトウェアセンター」);
    bigrams let a partial or oddly segmented name still meet.
    """
    text = normalize(_LEGAL_FORM_RE.sub(" ", unicodedata.normalize("NFKC", name)))
    return analyze(text) + [GRAM_PREFIX + g for g in bigrams(text)]


# --- Data files ----------------------------------------------------------------------------


def read_tsv(name: str) -> list[list[str]]:
    """Return the rows of a tab-separated file in search/data, cells stripped, blanks and # comments skipped."""
    rows = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rows.append([cell.strip() for cell in line.split("\t")])
    return rows


@functools.lru_cache(maxsize=1)
def synonyms() -> dict[str, str]:
    """Return {colloquial phrase (normalised): domain terms separated by spaces}."""
    return {normalize(row[0]): row[1] for row in read_tsv("synonyms.tsv")}


@functools.lru_cache(maxsize=1)
def glossary_en() -> dict[str, str]:
    """Return {English word or phrase (case-folded): Japanese terms separated by spaces}."""
    return {normalize(row[0]): row[1] for row in read_tsv("glossary_en.tsv")}


ENGLISH_STOPWORDS = frozenset(
    """a an the of in on at to for from with by about and or is are be can could would should will do does
    i we you my our your me us it this that these those there where what which who how want wants need needs
    looking look find get some any please help like into japan""".split()  # noqa: SIM905  a word list reads better as one string
)


def _in_glossary(word: str) -> bool:
    gloss = glossary_en()
    return any(c in gloss for c in (word, word.rstrip("s"), word.removesuffix("es"), word.removesuffix("ing"), word.removesuffix("ing") + "e"))


_KANA_RUN_RE = re.compile(r"[\u3041-\u309f\u30a0-\u30ffー]{3,}")


@functools.lru_cache(maxsize=4096)
def phrase_reading(phrase: str) -> str:
    """Return the katakana reading of a data-file phrase, or "" when it is not reliable.

    A phrase cut after a verb stem (会社を作, 店を開) ends in one kanji whose reading Sudachi
    has to guess (作 → サク); that last piece is dropped and the rest kept (カイシャヲ).
    Readings under three kana match too much to be evidence; English phrases have none.
    """
    if phrase.isascii():
        return ""
    morphemes = list(tokenizer().tokenize(normalize(phrase)))
    if len(morphemes) > 1 and len(morphemes[-1].surface()) == 1 and not _KANA_RE.match(morphemes[-1].surface()):
        morphemes = morphemes[:-1]
    reading = "".join(m.reading_form() for m in morphemes)
    return reading if len(reading) >= 3 and _KANA_RE.match(reading) else ""


def kana_runs(query: str) -> list[str]:
    """Return the runs of three or more kana in the question, spaces removed, in katakana.

    「かいしゃ を つくりたい」 → 「カイシャヲツクリタイ」: a reader who typed sounds should meet
    the same data-file phrases (会社を作) as one who typed kanji.
    """
    return [hiragana_to_katakana(r) for r in _KANA_RUN_RE.findall(normalize(query).replace(" ", ""))]


def sound_index(phrases: Iterable[str]) -> tuple[dict[str, tuple[str, ...]], int]:
    """Return {reading: phrases with that reading} for data-file phrases, and the longest reading."""
    index: dict[str, list[str]] = {}
    for phrase in phrases:
        reading = phrase_reading(phrase)
        if reading:
            index.setdefault(reading, []).append(phrase)
    return {r: tuple(p) for r, p in index.items()}, max(map(len, index), default=0)


def heard_phrases(runs: list[str], index: tuple[dict[str, tuple[str, ...]], int]) -> set[str]:
    """Return the phrases whose reading occurs in one of the kana runs of a question.

    Every substring of a run is looked up (runs are short) rather than every phrase tried:
    this runs for every question, and the data files only grow.
    """
    readings, longest = index
    found: set[str] = set()
    for run in runs:
        for i in range(len(run) - 2):
            for j in range(i + 3, min(len(run), i + longest) + 1):
                hit = readings.get(run[i:j])
                if hit:
                    found.update(hit)
    return found


@functools.lru_cache(maxsize=1)
def _synonym_sounds() -> tuple[dict[str, tuple[str, ...]], int]:
    return sound_index(synonyms())


def matched_synonyms(query: str) -> list[tuple[str, str]]:
    """Return the (phrase, expansion) pairs of the synonym file found in the normalised question."""
    q = normalize(query)
    runs = kana_runs(q)
    heard = heard_phrases(runs, _synonym_sounds()) if runs else set()
    return [(k, v) for k, v in synonyms().items() if k and (k in q or k in heard)]


def matched_glossary(query: str) -> list[tuple[str, str]]:
    """Return the (English word, Japanese terms) pairs found in the question.

    Multi-word entries (“trade fair”) are matched as phrases; single words by word, with a
    plural or -ing form falling back to the stem (licenses, licensing → license).
    """
    q = normalize(query)
    found: list[tuple[str, str]] = []
    gloss = glossary_en()
    words = _ASCII_WORD_RE.findall(q)
    for key, value in gloss.items():
        if " " in key and key in q:
            found.append((key, value))
    for w in words:
        for cand in (w, w.rstrip("s"), w.removesuffix("es"), w.removesuffix("ing"), w.removesuffix("ing") + "e"):
            if cand in gloss and " " not in cand:
                found.append((cand, gloss[cand]))
                break
    return found


def kana_chunks(query: str) -> list[str]:
    """Return the kana-only chunks of a question, in katakana (「とっきょ の らいせんす」 → 2)."""
    return [hiragana_to_katakana(c) for c in normalize(query).split(" ") if _KANA_RE.match(c) and len(c) >= 2]


def segment_reading(kata: str, known: Container[str], *, longest: int = 16) -> list[str]:
    """Split a katakana string into readings the index knows, longest match first.

    「ぎじゅつそうだん」 is one chunk to the question but two words to the documents
    (技術 ギジュツ + 相談 ソウダン); characters no known reading covers (particles) are skipped.
    """
    out: list[str] = []
    i = 0
    while i < len(kata):
        for j in range(min(len(kata), i + longest), i + 1, -1):
            if kata[i:j] in known:
                out.append(kata[i:j])
                i = j
                break
        else:
            i += 1
    return out


_KANJI_RUN_RE = re.compile(r"[\u4e00-\u9fff\u3005]{2,6}")


def unknown_kanji_readings(query: str, known: Container[str]) -> list[str]:
    """Return the readings of kanji words in the question that the documents do not contain.

    The commonest slip when typing Japanese is the wrong kanji of the right sound (研集 for
    研修, 保助金 for 補助金, 相段 for 相談): Sudachi then cuts the word into pieces or finds
    a word no record uses. Its reading is what the reader meant; the caller looks that up among
    the documents' readings. A word the documents contain is never re-read (機構 stays 機構).
    """
    out: list[str] = []
    for run in _KANJI_RUN_RE.findall(normalize(query)):
        if run in known:
            continue
        morphemes = list(tokenizer().tokenize(run))
        pieces = [m.normalized_form() for m in morphemes]
        if all(p in known for p in pieces):
            continue  # words the documents use (光 + 関連): not a slip
        reading = "".join(m.reading_form() for m in morphemes)
        if len(reading) >= 3 and _KANA_RE.match(reading):
            out.append(reading)
    return out


def _add_word_terms(text: str, weight: float, add: Callable[[str, float], None]) -> None:
    """Add the word terms of `text` (no readings, no bigrams) at `weight`."""
    for t in analyze(text):
        if not t.startswith((READING_PREFIX, GRAM_PREFIX)):
            add(t, weight)


def _add_chunk_terms(chunk: str, add: Callable[[str, float], None]) -> None:
    """Add the terms of one space-separated chunk of the normalised question."""
    if _KANA_RE.match(chunk):
        kata = hiragana_to_katakana(chunk)
        if len(kata) >= 2:
            add(READING_PREFIX + kata, WEIGHT_READING)
            add(kata, WEIGHT_READING)  # katakana words are indexed by the word alone
        _add_word_terms(kata, WEIGHT_WORD * 0.5, add)
        return
    if _ASCII_WORD_RE.fullmatch(chunk) and chunk in ENGLISH_STOPWORDS:
        return
    if _ASCII_WORD_RE.fullmatch(chunk) and _in_glossary(chunk):
        # The glossary gives its Japanese below. Sudachi spells the word in katakana, which
        # only English names in the records use (Industrial → インダストリアル): weak evidence.
        for seg in _segments(chunk):
            for t, _sub in _analyze_marked(seg):
                if not t.startswith((READING_PREFIX, GRAM_PREFIX)):
                    add(t, WEIGHT_ENGLISH_NAME)
        return
    for seg in _segments(chunk):
        for t, sub in _analyze_marked(seg):
            if t.startswith(READING_PREFIX):
                continue
            # A compound's short units (技術者 → 技術) would count the same words twice.
            add(t, WEIGHT_GRAM if t.startswith(GRAM_PREFIX) else WEIGHT_SUBUNIT if sub else WEIGHT_WORD)


@functools.lru_cache(maxsize=4096)
def analyze_query_weighted(text: str) -> tuple[tuple[str, float], ...]:
    """Return the question's terms with weights: words, kana readings, synonyms, glossary.

    Kanji words in the question do not add their readings (homophones: 機構/気候); only kana
    chunks do, since the reader typed sounds, not words.
    """
    weights: dict[str, float] = {}

    def add(term: str, w: float) -> None:
        if w > weights.get(term, 0.0):
            weights[term] = w

    q = normalize(text)
    for chunk in q.split(" "):
        _add_chunk_terms(chunk, add)
    for _phrase, expansion in matched_synonyms(q):
        _add_word_terms(expansion, WEIGHT_SYNONYM, add)
    for _word, japanese in matched_glossary(q):
        _add_word_terms(japanese, WEIGHT_GLOSSARY, add)
    return tuple(weights.items())


def analyze_query(text: str) -> list[str]:
    """Return the question's terms (synonyms and glossary expanded), without weights."""
    return [t for t, _w in analyze_query_weighted(text)]
