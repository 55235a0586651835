"""The one text normaliser: NFKC, hyphens, digits and blanks, decided once for every app.

NFKC does most of the work (full-width letters and digits become ASCII, half-width katakana
full-width, ① becomes 1), but it leaves alone the dashes and minus signs people and Japanese
data write between digits, so those are decided here.

The hyphen set (decided once; every app that reads a number typed in groups uses it):

- always a hyphen: U+2010 ‐ HYPHEN, U+2011 ‑ NON-BREAKING HYPHEN, U+2012 ‒ FIGURE DASH,
  U+2013 – EN DASH, U+2014 — EM DASH, U+2015 ― HORIZONTAL BAR (what Japanese fonts draw for
  「―」), U+2043 ⁃ HYPHEN BULLET, U+2212 − MINUS SIGN (what a Japanese IME gives for 「－」 in
  some modes), and the presentation forms U+FE31 ︱, U+FE32 ︲, U+FE58 ﹘, U+FE63 ﹣, U+FF0D －
  (NFKC maps these to the ones above or to "-"; they are listed so the set holds without NFKC);
- a hyphen only between two digits: U+30FC ー and U+FF70 ｰ (the long-vowel mark, which people
  type for a hyphen in 022ー225ー6636 but which is a letter in データ), and U+2500 ─ (a rule
  line, which an IME offers for 「ー」 and PDF extraction leaves between digits).
- never: 〜 U+301C WAVE DASH and ～ U+FF5E (ranges: 9:00〜17:00, 1〜3 年), ゠ U+30A0 (a double
  hyphen in names), ⸺ U+2E3A / ⸻ U+2E3B (long dashes in prose), U+00AD SOFT HYPHEN
  (invisible; it is a format character, see `without_controls`).

The search analyser (search/analysis.normalize) uses the NFKC, control and blank steps but
not the hyphens: its index is built with them as they are.
"""

from __future__ import annotations

import re
import unicodedata

HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe31\ufe32\ufe58\ufe63\uff0d"
HYPHENS_BETWEEN_DIGITS = "\u30fc\uff70\u2500"

_HYPHEN_RE = re.compile(f"[{HYPHENS}]")
# \d, not [0-9]: the text may not be NFKC'd yet (０ー２), and other scripts' digits are refused
# later by name (platform/identifiers.py) rather than left with a long-vowel mark between them.
_BETWEEN_DIGITS_RE = re.compile(rf"(?<=\d)[{HYPHENS_BETWEEN_DIGITS}](?=\d)")
# C0 and C1 controls, zero-width and direction marks, line/paragraph separators, BOM
_CONTROL_RE = re.compile(r"[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_SPACE_RE = re.compile(r"\s+")


def nfkc(value: object) -> str:
    """Return `value` as text in NFKC; None is ""."""
    return unicodedata.normalize("NFKC", "" if value is None else str(value))


def clean(value: object) -> str:
    """Return `value` NFKC-normalised and trimmed (a form field, a spreadsheet cell); None is ""."""
    return nfkc(value).strip()


def hyphens_to_ascii(text: str) -> str:
    """Return `text` with every hyphen of the set above written "-" (ー only between digits)."""
    return _BETWEEN_DIGITS_RE.sub("-", _HYPHEN_RE.sub("-", text))


def normalise_digits(value: str | None) -> str:
    """Full-width digits and hyphens (０２２－２２５ー６６３６) become ASCII; surrounding blanks go."""
    return hyphens_to_ascii(clean(value))


def without_separators(value: str | None) -> str:
    """Return a number typed in groups as one run: NFKC, with every hyphen and blank removed
    (７-0000-1205-0002 → 7000012050002, 04 100 → 04100)."""
    return _SPACE_RE.sub("", normalise_digits(value).replace("-", ""))


def without_controls(text: str) -> str:
    """Return `text` with control and invisible format characters replaced by spaces."""
    return _CONTROL_RE.sub(" ", text)


def squeeze_spaces(text: str) -> str:
    """Return `text` with each run of blanks (any Unicode space, newlines) one space, trimmed."""
    return _SPACE_RE.sub(" ", text).strip()


def without_spaces(text: str) -> str:
    """Return `text` with every blank removed (names the plan's text extraction split: 研究 機構)."""
    return _SPACE_RE.sub("", text)
