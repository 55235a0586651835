"""Listings in the one-stop search, as kind "listing", through the search registry.

Only what anyone may read is indexed: live listings (published, not past expiry) that are
public or anonymous. An anonymous listing's document carries no owner (the owner is shown
only once an introduction is agreed, access.owner_for), members-only listings have none.
An edit that sends a listing back to review (moderation.save_edit) saves it as pending, so
its document is dropped at once; one that simply expires keeps its document until the next
`madoguchi reindex` (its page then says it has expired), like an event that ended.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import pgettext_lazy

from madoguchi.search.registry import DocMeta, add_dependents, codes, function_words, inferred_fields, register

KIND = "listing"

# What each kind of listing is for, in 表4's functions: a seed or patent is technology to
# transfer, a need asks for development, money is 資金, orders and suppliers are 販路, jobs 人材.
KIND_FUNCTIONS: dict[str, set[str]] = {
    "seed": {"tech_transfer"}, "patent": {"tech_transfer"}, "need": {"tech_dev"},
    "investor": {"finance"}, "funding": {"finance"}, "order": {"market"}, "supplier": {"market"},
    "job_offer": {"talent"}, "job_seeker": {"talent"},
}


def is_searchable(listing: Any) -> bool:
    from madoguchi.matching.models import Listing

    return listing.is_live and listing.visibility in (Listing.Visibility.PUBLIC, Listing.Visibility.ANONYMOUS)


def listing_doc(listing: Any) -> DocMeta | None:
    """Return the listing's search document, or None when it must not be found."""
    if not is_searchable(listing):
        return None
    with translation.override("ja"):  # the index is Japanese whoever saves the listing
        return _doc(listing)


def _doc(listing: Any) -> DocMeta:
    from madoguchi.matching.models import Listing

    public = listing.visibility == Listing.Visibility.PUBLIC
    org = listing.owner_organization if public else None
    functions = set(KIND_FUNCTIONS.get(listing.kind, set()))
    extras = [*listing.processes, *listing.equipment, *listing.skills] if isinstance(listing.processes, list) else []
    parts = [
        listing.get_kind_display(), "シーズ・ニーズ・受発注", listing.description,
        listing.get_tech_area_display() if listing.tech_area else "", listing.material, " ".join(map(str, extras)),
        function_words(functions), org.display_name if org else "",
    ]
    return DocMeta(
        id=str(listing.uuid), kind=KIND, title=listing.title, text="\n".join(p for p in parts if p),
        organization=org.display_name if org else None, organization_id=org.slug if org else None,
        functions=functions, stages=codes(listing.stages),
        fields=codes(listing.fields) | inferred_fields(listing.title, listing.description),
        municipalities={listing.municipality.code} if listing.municipality_id else set(),
        url=listing.get_absolute_url(),
    )


def _indexable() -> Any:
    from madoguchi.matching.models import Listing

    return (
        Listing.objects.live()
        .filter(visibility__in=[Listing.Visibility.PUBLIC, Listing.Visibility.ANONYMOUS])
        .select_related("owner_organization", "municipality")
        .prefetch_related("fields", "stages")
    )


def _owners_listings(org_pks: list[Any]) -> Iterable[tuple[str, Any]]:
    # A public listing's document shows its owner's name: a renamed institution refreshes them.
    for pk in _indexable().filter(owner_organization__in=org_pks).values_list("pk", flat=True):
        yield KIND, pk


def register_listings() -> None:
    """Make live public listings searchable as 「シーズ・ニーズ」 (called from MatchingConfig.ready)."""
    from madoguchi.matching.models import Listing

    register(
        KIND, Listing, listing_doc, queryset=_indexable,
        label=pgettext_lazy("search result kind", "シーズ・ニーズ・受発注"), m2m=[Listing.fields, Listing.stages],
    )
    add_dependents("organization", _owners_listings)
