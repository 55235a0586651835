"""A catalog program in its search document: its facts and words, and the catalog changes that rewrite it.

The facts (type, 上限額, 対象従業員数, area codes, call rounds, source) are stored with the
program's SearchDocument as a compact JSON text (`program`); search.program_columns reads them
back into the Corpus's columns.

The catalog sits below the search and does not know it: an entry or round saved one by one (the
admin) sends post_save, and the importer's bulk writes send catalog.signals.programs_changed
(programs_reloaded, for a whole demo catalog, is search.documents'). The receivers here mark the
programs dirty, so their documents are rewritten when the catalog's transaction commits.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from madoguchi.search.dirty import mark_dirty


def _ts(moment: dt.datetime | None) -> float | None:
    return None if moment is None else round(moment.timestamp())


def program_facts(program: Any) -> str:
    """The JSON text stored with a program's document ("" for a program without catalog facts)."""
    from madoguchi.catalog.models import CatalogEntry

    try:
        entry = program.catalog
    except CatalogEntry.DoesNotExist:
        return ""
    rounds = [[_ts(r.opens_at), _ts(r.closes_at), 1 if r.year_round else 0] for r in entry.rounds.all()]
    facts = {
        "t": entry.type, "a": entry.amount_max, "e": entry.max_employees, "ar": entry.area_code_list,
        "r": rounds, "s": entry.source.name, "sa": entry.source.attribution_text, "u": program.url or "",
    }
    return json.dumps(facts, ensure_ascii=False, separators=(",", ":"))


def program_words(program: Any) -> str:
    """Words a catalog program is found by beyond its own text: its type (補助金), in Japanese."""
    from django.utils import translation

    from madoguchi.catalog.models import CatalogEntry

    try:
        entry = program.catalog
    except CatalogEntry.DoesNotExist:
        return ""
    with translation.override(None):  # the index is Japanese, whatever the language of the request
        return str(entry.get_type_display())


def _on_programs_changed(sender: Any, program_ids: Any = (), organization_ids: Any = (), **kwargs: Any) -> None:
    for pk in program_ids:
        mark_dirty("program", pk)
    for pk in organization_ids:
        mark_dirty("organization", pk)


def connect_signals() -> None:
    """Rewrite a program's document when the catalog changes it (programs_reloaded, which asks
    for every document, is answered by search.documents)."""
    from django.db.models.signals import post_delete, post_save

    from madoguchi.catalog.models import CallRound, CatalogEntry
    from madoguchi.catalog.signals import programs_changed

    def on_entry(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            mark_dirty("program", instance.program_id)

    def on_round(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            program_id = CatalogEntry.objects.filter(pk=instance.entry_id).values_list("program_id", flat=True).first()
            if program_id is not None:
                mark_dirty("program", program_id)

    for model, handler in ((CatalogEntry, on_entry), (CallRound, on_round)):
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=f"search-{model.__name__}-save")
        post_delete.connect(handler, sender=model, weak=False, dispatch_uid=f"search-{model.__name__}-delete")
    programs_changed.connect(_on_programs_changed, weak=False, dispatch_uid="search-programs-changed")
