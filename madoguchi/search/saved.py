"""「保存」: a person's short list of results, kept in their session (no account needed).

Keys are "kind:id" of search documents; only keys whose document exists are stored, and the
list is capped, so a session cannot be filled with junk by crafted POSTs.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from madoguchi.search.cards import Card, build_cards
from madoguchi.search.results import Hit, SearchResponse

SESSION_KEY = "saved_results"
MAX_SAVED = 50


def list_url() -> str:
    return reverse("search:saved")


def keys(request: HttpRequest) -> set[str]:
    return set(request.session.get(SESSION_KEY, []))


def _exists(key: str) -> bool:
    from madoguchi.search.models import SearchDocument

    kind, _sep, object_id = key.partition(":")
    return bool(kind and object_id) and SearchDocument.objects.filter(kind=kind, object_id=object_id).exists()


def add(request: HttpRequest, key: str) -> bool:
    """Save a result; False when the key names no searchable record or the list is full."""
    current: list[str] = list(request.session.get(SESSION_KEY, []))
    if key in current:
        return True
    if len(current) >= MAX_SAVED or not _exists(key[:200]):
        return False
    request.session[SESSION_KEY] = [*current, key]
    return True


def remove(request: HttpRequest, key: str) -> None:
    current = [k for k in request.session.get(SESSION_KEY, []) if k != key]
    request.session[SESSION_KEY] = current


def cards(request: HttpRequest) -> list[Card]:
    """The saved results as cards, in the order they were saved (records since removed are left out)."""
    from madoguchi.search.models import SearchDocument

    saved = list(request.session.get(SESSION_KEY, []))
    hits = []
    for key in saved:
        kind, _sep, object_id = key.partition(":")
        row = SearchDocument.objects.filter(kind=kind, object_id=object_id).first()
        if row is not None:
            hits.append(Hit(kind, object_id, row.title, row.organization_name or None, row.organization_slug or None, 0.0, [], row.url))
    return build_cards(SearchResponse(query="", results=hits), set(saved), reasons=False)
