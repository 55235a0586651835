"""English is a complete second locale: no UI string may be left without a translation.

Three checks: the committed catalogue has no empty or fuzzy entry and its compiled .mo matches;
every string marked for translation in the code is in the catalogue (extracted afresh with
makemessages); and the main pages rendered in English show no Japanese outside data fields
(data — institution names, the plan's wording — is marked lang="ja" or stays out of the chrome).
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation

from madoguchi.ui.tests.catalogue import Entry, parse_po

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
LOCALE_DIR = settings.BASE_DIR / "locale"
PO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
# Folders makemessages must not read: run-time state, build output, and our own locale dir
# (found there, makemessages would merge into the committed catalogue instead of the temp one).
IGNORE = ["var/*", "artifacts/*", "node_modules/*", "build/*", "staticfiles/*", "madoguchi/locale"]


def _entries() -> list[Entry]:
    return [e for e in parse_po(PO_FILE) if e.msgid and not e.obsolete]


def test_english_catalogue_has_no_empty_or_fuzzy_entry() -> None:
    missing = [e.msgid for e in _entries() if not e.translated]
    assert not missing, f"{len(missing)} untranslated or fuzzy entries in {PO_FILE}, e.g. {missing[:10]}"


def test_compiled_english_catalogue_matches_the_po_file() -> None:
    with MO_FILE.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in _entries():
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural:
            got = mo.ngettext(key, e.msgid_plural, 1) if e.msgctxt is None else mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 1)
        else:
            got = mo.gettext(e.msgid) if e.msgctxt is None else mo.pgettext(e.msgctxt, e.msgid)
        if got != e.msgstr[0]:
            stale.append(e.msgid)
    assert not stale, (
        f"{MO_FILE} is stale for {len(stale)} entries (run `madoguchi compilemessages`), e.g. {stale[:5]}"
    )


def _gettext_tools_or_skip() -> None:
    missing = [tool for tool in ("xgettext", "msguniq", "msgmerge") if shutil.which(tool) is None]
    if missing:
        reason = f"gettext tools missing: {', '.join(missing)} (Debian package gettext)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


def test_every_string_marked_for_translation_is_in_the_english_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _gettext_tools_or_skip()
    fresh_dir = tmp_path / "locale"
    monkeypatch.chdir(settings.PROJECT_DIR)
    with override_settings(LOCALE_PATHS=[fresh_dir]):
        call_command("makemessages", locale=["en"], ignore_patterns=IGNORE, verbosity=0)
    extracted = {e.key for e in parse_po(fresh_dir / "en" / "LC_MESSAGES" / "django.po") if e.msgid}
    assert len(extracted) > 50, "makemessages found almost nothing; the check would be hollow"
    catalogued = {e.key for e in _entries() if e.translated}
    missing = sorted(extracted - catalogued, key=lambda k: k[1])
    assert not missing, (
        f"{len(missing)} UI strings have no English translation; run "
        f"`madoguchi makemessages -l en --ignore=.venv` and translate them: {[m[1] for m in missing[:15]]}"
    )


class _ChromeText(HTMLParser):
    """Collects the text a visitor reads as interface: the site header (title, search, language
    switch, main menu) and footer, form labels, buttons, legends, table headings and captions,
    and accessible names (placeholder, aria-label, alt). Skips anything inside an element marked
    with a non-English lang (lang="ja" is how data from the plan is marked in English pages)."""

    UI_TAGS = {"label", "button", "legend", "thead", "caption", "summary", "option"}
    # Options are interface where they name the product's vocabulary (support functions, kinds,
    # stages, fields); lists of places and institutions are data.
    VOCABULARY_SELECTS = {"function", "kind", "stage", "field"}
    # Besides the header and footer: the words around data on result cards and roadmaps
    # (kind badges, status, 「相談する」, the facets read from the question).
    UI_CLASSES = {"site-header", "site-footer", "badge", "status", "card-actions", "result-count", "muted"}
    ATTRS = {"placeholder", "aria-label", "alt"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, starts a UI region, is non-English content)
        self.found: list[str] = []
        self.select = ""

    def _state(self) -> tuple[bool, bool]:
        return any(s[1] for s in self.stack), any(s[2] for s in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        lang = (a.get("lang") or "").lower()
        is_content = bool(lang) and not lang.startswith("en")
        is_ui = tag in self.UI_TAGS or bool(self.UI_CLASSES & set((a.get("class") or "").split()))
        _, content = self._state()
        if not (content or is_content):
            for name in sorted(self.ATTRS & a.keys()):
                self._check(f"{tag}[{name}]", a[name] or "")
            if tag == "input" and a.get("type") in ("submit", "button", "reset"):
                self._check("input[value]", a.get("value") or "")
        if tag == "select":
            self.select = a.get("name") or ""
        if tag == "option" and self.select not in self.VOCABULARY_SELECTS:
            is_ui = False
            is_content = True
        if tag not in self.VOID:
            self.stack.append((tag, is_ui, is_content))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        ui, content = self._state()
        if ui and not content and not (self.stack and self.stack[-1][0] in ("script", "style")):
            self._check(self.stack[-1][0], data)

    def _check(self, where: str, text: str) -> None:
        if JAPANESE.search(text):
            self.found.append(f"{where}: {text.strip()[:60]}")


def _main_pages() -> list[str]:
    """Paths of the main pages that exist in this build (others land in parallel)."""
    from contextlib import suppress

    from django.urls import NoReverseMatch, reverse

    from madoguchi.directory.models import Organization, Program

    names = [
        ("directory:home", []), ("directory:organizations", []), ("directory:programs", []),
        ("directory:functions", []), ("directory:facilities", []), ("directory:area", ["sendai-hokubu"]),
        ("search:search", []), ("search:diagnosis", []), ("events:list", []), ("cases:intake", []), ("login", []),
    ]
    paths = []
    for name, args in names:
        with suppress(NoReverseMatch):
            paths.append(reverse(name, args=args))
    org = Organization.objects.order_by("pk").first()
    program = Program.objects.order_by("pk").first()
    paths += [obj.get_absolute_url() for obj in (org, program) if obj is not None and hasattr(obj, "get_absolute_url")]
    if "/search/" in paths:
        paths.append("/search/?q=" + quote("大学の技術を使いたい"))
        paths.append("/search/saved/")
    if "/search/diagnosis/" in paths:
        # Every step of the wizard, and its roadmap.
        paths += [f"/search/diagnosis/?stage=startup&step={step}" for step in ("need", "field", "place")]
        paths.append("/search/diagnosis/?stage=startup&need=finance&step=roadmap")
    return paths


# Pages whose choice labels are names of the plan's fixed vocabulary (SupportFunction,
# BusinessStage), rendered with str(obj), i.e. the Japanese `name`, although the models hold
# `name_en`. The fix belongs in directory/models.py (a language-aware __str__); until then the
# test reports these pages as an expected failure (xfail) instead of passing over them.
KNOWN_GAPS: dict[str, str] = {}


def test_main_pages_in_english_show_no_japanese_in_the_interface(plan: object) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = _main_pages()
    assert "/" in pages
    problems: dict[str, list[str]] = {}
    for path in pages:
        # LocaleMiddleware leaves English active in this thread; give the next test Japanese back.
        with translation.override(settings.LANGUAGE_CODE):
            response = client.get(path)
        assert response.status_code == 200, f"{path} → {response.status_code}"
        assert 'lang="en"' in response.content.decode()[:200]
        parser = _ChromeText()
        parser.feed(response.content.decode())
        if parser.found:
            problems[path] = parser.found[:8]
    unexpected = {path: found for path, found in problems.items() if path not in KNOWN_GAPS}
    assert not unexpected, "Japanese UI text in English pages (translate it, or mark data lang=\"ja\"):\n" + "\n".join(
        f"{path}:\n  " + "\n  ".join(found) for path, found in unexpected.items()
    )
    still_open = {path: problems[path] for path in KNOWN_GAPS if path in problems}
    if still_open:
        pytest.xfail("known gaps: " + "; ".join(f"{path}: {KNOWN_GAPS[path]} {found[:2]}" for path, found in still_open.items()))


def test_catalogue_reader_sees_empty_fuzzy_and_plural_entries(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        'msgid "探す"\nmsgstr "Search"\n\n'
        'msgid "未訳"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "古い訳"\nmsgstr "Old"\n\n'
        'msgctxt "メインメニュー"\nmsgid "施設"\nmsgstr "Facilities"\n\n'
        'msgid "%(n)s件"\nmsgid_plural "%(n)s件"\nmsgstr[0] "%(n)s item"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    entries = {e.key: e for e in parse_po(po) if e.msgid}
    assert entries[(None, "探す")].translated
    assert not entries[(None, "未訳")].translated
    assert not entries[(None, "古い訳")].translated
    assert entries[("メインメニュー", "施設")].translated
    assert not entries[(None, "%(n)s件")].translated


def test_interface_reader_flags_japanese_labels_but_not_data_marked_lang_ja() -> None:
    parser = _ChromeText()
    parser.feed(
        '<header class="site-header"><a href="/">Home</a></header><main>'
        '<h1 lang="ja">(財)みやぎ産業振興機構</h1><p>本文のデータ</p>'
        '<label for="q">検索</label><input id="q" placeholder="e.g. prototype">'
        '<label lang="ja">仙台市</label><button>送信</button></main>'
    )
    assert parser.found == ["label: 検索", "button: 送信"]
