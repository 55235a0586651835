"""Text analysis for matching: the same Japanese analysis as search.

`madoguchi.search.analysis.analyze` (Sudachi normalised forms and synonyms) is used when it is
importable. Until it is, or if it fails to load its dictionary, a character-bigram analyser
keeps matching working: bigrams are the usual CJK fallback and need no dictionary.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any

_RUN_RE = re.compile(r"[0-9a-z]+|[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaffー]+")
_HIRAGANA_ONLY = re.compile(r"^[\u3040-\u309f]+$")


def bigram_analyze(text: str) -> list[str]:
    """Return lower-cased ASCII words and CJK character bigrams; hiragana-only runs (particles) are dropped."""
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for run in _RUN_RE.findall(text):
        if run.isascii():
            out.append(run)
            continue
        # split off hiragana so 「を開発」 does not glue particles to content words
        for part in re.split(r"[\u3040-\u309f]+", run):
            if not part or _HIRAGANA_ONLY.match(part):
                continue
            if len(part) == 1:
                out.append(part)
            else:
                out.extend(part[i : i + 2] for i in range(len(part) - 1))
    return out


@functools.cache
def _search_analyzer() -> Callable[[str], list[str]] | None:
    try:
        from madoguchi.search.analysis import analyze  # type: ignore[import-not-found]

        analyze("センサ")  # loads the dictionary now, so a broken install falls back here
        return analyze  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - any failure means "use the fallback"
        return None


def analyze(text: str) -> list[str]:
    """Terms of `text` as search analyses them (or bigrams when search's analyser is unavailable).

    Readings (``r:``) are dropped: listings are written, not typed phonetically, and readings
    would double the index for little gain and pair homophones (カコウ: 加工 / 河口).
    """
    fn = _search_analyzer()
    if fn is not None:
        return [t for t in fn(text) if not t.startswith("r:")]
    return bigram_analyze(text)


def is_display_term(term: str) -> bool:
    """Whether a term reads as a word in a reason (not a bigram fragment)."""
    return ":" not in term


def analyzer_name() -> str:
    return "search.analysis" if _search_analyzer() is not None else "bigram"


def listing_text(listing: Any) -> str:
    """All free text of a listing the engine compares: title twice (it names the subject), then the rest."""
    lists = []
    for attr in ("processes", "equipment", "certifications", "skills"):
        value = getattr(listing, attr, None) or []
        lists.append(" ".join(str(v) for v in value))
    parts = [listing.title, listing.title, listing.description, listing.material or "", listing.use_of_funds or "", *lists]
    return "\n".join(p for p in parts if p)


def listing_terms(listing: Any) -> list[str]:
    return analyze(listing_text(listing))
