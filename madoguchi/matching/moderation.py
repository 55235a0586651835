"""An edited listing goes back to moderation.

A coordinator approves a listing before anyone else sees it; without this rule the owner could
replace the approved text the next minute. So every path that edits a listing (the page form,
the CSV re-import) saves through `save_edit`, which sends a published listing whose *public
content* changed back to the queue: it leaves the lists and the suggestions until a
coordinator approves it again, and the queue shows what changed against the approved version.

Public content is what others see or the ranker matches on (PUBLIC_FIELDS). Not part of it:
- the contact address and the alert switch: only the owner's side and coordinators see them;
- the visibility: it only narrows or widens who sees content already approved (the owner's
  name was in front of the coordinator at the first approval);
- the expiry date: renewing is the owner's own act, as the 掲載期限を延長 button already is.
A coordinator's own edit, and an import run with --publish (a coordinator's import), counts
as reviewed and keeps the listing published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db import models, transaction
from django.utils.translation import gettext as _

from madoguchi.directory.models import BusinessStage, Field, Municipality
from madoguchi.matching.models import Kind, Listing, Match, TechArea

PUBLIC_FIELDS = (
    "kind", "title", "description", "owner_name", "fields", "tech_area", "stages", "amount_min", "amount_max",
    "municipality", "deadline", "quantity", "material", "processes", "equipment", "certifications", "skills",
    "patent_number", "patent_status", "use_of_funds",
)
# statuses in which others saw (or, after a renewal, would see again) the approved content
_APPROVED = (Listing.Status.PUBLISHED, Listing.Status.EXPIRED)

Content = dict[str, Any]


def _text(value: str) -> str:
    # a browser sends a textarea's line breaks as CRLF; an imported text has LF: the same text
    return (value or "").replace("\r\n", "\n").strip()


def content_of(listing: Listing, *, fields: Iterable[Field] | None = None,
               stages: Iterable[BusinessStage] | None = None) -> Content:
    """The listing's public content as JSON values (codes for fields and stages, the municipality's
    pk, ISO dates). `fields` and `stages` stand for the listing's own when they are not saved yet."""
    content: Content = {}
    for name in PUBLIC_FIELDS:
        if name in ("fields", "stages"):
            given = fields if name == "fields" else stages
            rows = given if given is not None else getattr(listing, name).all()
            content[name] = sorted(x.code for x in rows)
        elif name == "municipality":
            content[name] = listing.municipality_id
        elif name == "deadline":
            content[name] = listing.deadline.isoformat() if listing.deadline else None
        elif name in ("processes", "equipment", "certifications", "skills"):
            content[name] = [_text(x) for x in getattr(listing, name) or []]
        elif name in ("amount_min", "amount_max"):
            content[name] = getattr(listing, name)
        else:
            content[name] = _text(getattr(listing, name))
    return content


def save_edit(listing: Listing, *, before: Content, fields: Iterable[Field], stages: Iterable[BusinessStage],
              reviewed: bool = False) -> bool:
    """Save an edit of an existing listing (its attributes already set, `before` taken from it
    before they were) with its fields and stages, in one transaction.

    A rejected listing is resubmitted. A published or expired one whose public content changed
    goes back to review unless `reviewed` (a coordinator's edit); a no-op save changes no status.
    Returns whether the listing now waits for review.
    """
    fields, stages = list(fields), list(stages)
    withdrawn = apply_edit(listing, before=before, fields=fields, stages=stages, reviewed=reviewed)
    with transaction.atomic():
        listing.save()
        listing.fields.set(fields)
        listing.stages.set(stages)
        if withdrawn:
            _withdraw_suggestions(listing)
    return listing.status == Listing.Status.PENDING


def apply_edit(listing: Listing, *, before: Content, fields: list[Field], stages: list[BusinessStage],
               reviewed: bool = False) -> bool:
    """The status part of save_edit, without saving (bulk writers save many at once): a rejected
    listing is resubmitted, an approved one whose public content changed waits for review again
    with its approved content kept. Returns whether it was withdrawn from the public lists (the
    caller then withdraws its suggestions, see withdraw_suggestions)."""
    if listing.status == Listing.Status.REJECTED:
        listing.status = Listing.Status.PENDING  # saving is how the owner answers a rejection
        return False
    after = content_of(listing, fields=fields, stages=stages)
    if after != before and not reviewed and listing.status in _APPROVED:
        listing.status = Listing.Status.PENDING
        listing.approved_content = before
        return True
    return False


def withdraw_suggestions(listing_ids: list[int]) -> None:
    """_withdraw_suggestions for many listings in four queries."""
    had_them = list(Match.objects.filter(candidate_id__in=listing_ids).values_list("listing_id", flat=True))
    Match.objects.filter(candidate_id__in=listing_ids).delete()
    Match.objects.filter(listing_id__in=listing_ids).delete()
    Listing.objects.filter(pk__in=had_them).update(matched_at=None)


def _withdraw_suggestions(listing: Listing) -> None:
    """Stop suggesting a listing that went back to review, now rather than at the next refresh
    (on a large platform the save leaves refreshing to `match --stale`, which skips listings
    that are not live). The listings that lose it as a candidate are marked stale so the next
    refresh fills the gap; introductions already asked for are left as they are."""
    withdraw_suggestions([listing.pk])


@dataclass(frozen=True)
class Change:
    """One changed item of an edit waiting for review, as the coordinator reads it."""

    label: str
    before: str
    after: str


def changes_against_approved(listings: Iterable[Listing]) -> dict[int, list[Change]]:
    """For each listing that waits for review of an edit, what changed against the approved
    version; listings that were never approved are left out. Expects fields and stages
    prefetched; looks names up in at most three queries whatever the number of listings."""
    pairs = {x.pk: (x.approved_content, content_of(x)) for x in listings if x.approved_content is not None}
    if not pairs:
        return {}
    munis = {v for old, new in pairs.values() for v in (old.get("municipality"), new["municipality"]) if v}
    names: dict[str, dict[Any, str]] = {
        "fields": dict(Field.objects.values_list("code", "name")),
        "stages": dict(BusinessStage.objects.values_list("code", "name")),
        "municipality": dict(Municipality.objects.filter(pk__in=munis).values_list("pk", "name")),
    }
    return {
        # cast: get_field may return a reverse relation; the public fields are the listing's own.
        pk: [Change(str(cast("models.Field[Any, Any]", Listing._meta.get_field(name)).verbose_name),
                    _shown(name, old.get(name), names),
                    _shown(name, new[name], names))
             for name in PUBLIC_FIELDS if old.get(name) != new[name]]
        for pk, (old, new) in pairs.items()
    }


def _shown(name: str, value: Any, names: dict[str, dict[Any, str]]) -> str:
    if value in (None, "", []):
        return "—"
    if name == "kind":
        return str(Kind(value).label)
    if name == "tech_area":
        return str(TechArea(value).label) if value in TechArea.values else str(value)
    if name in ("fields", "stages"):
        return "・".join(names[name].get(code, code) for code in value)
    if name == "municipality":
        return names[name].get(value, _("（削除された市区町村）"))
    if isinstance(value, list):
        return "・".join(value)
    return str(value)
