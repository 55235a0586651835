"""Each listing's stored matches: database rows to the ranker and back, into `Match` rows.

Listings (and registry institutions) become `candidate_pool.Doc`s, pools are built and cached,
`ranker.suggest` ranks them, and the results are stored as `Match` / `InstitutionMatch` rows —
what the listing page and the API show as its suggestions. The refresh entry points (one
listing, around a change, the nightly batch, the stale ones) are here.

Pools are cached per process and per group of kinds, keyed by a cheap signature of the live
listings (count and last update), so a burst of saves or a page view does not rebuild them,
and any change does.

Registry institutions join the pools of the kinds they answer (ORG_FINANCE for funding requests,
ORG_TECH for technology needs) as `Doc`s with ids ("org", pk); their
suggestions are stored as `InstitutionMatch` rows, ranked together with the listings' `Match` rows.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Sequence

from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from madoguchi.directory.models import Area, BusinessStage, Field, Municipality, Organization, SupportFunction
from madoguchi.matching import candidate_pool, ranker, text
from madoguchi.matching.models import Feedback, InstitutionMatch, Introduction, Kind, Listing, Match, TechArea
from madoguchi.search.analysis import normalize

SUGGESTIONS_KEPT = 20
# Above this many live candidates a save does not refresh in the request (rebuilding the pool
# would make the save slow); `madoguchi match --stale`, run every few minutes, picks it up.
SYNC_REFRESH_LIMIT = 20_000

_cache: dict[tuple[str, ...], tuple[tuple[object, ...], candidate_pool.Pool]] = {}
_cache_lock = threading.Lock()


def _norm_set(values: Iterable[object]) -> frozenset[str]:
    """Processes, certifications and skills as compared: normalised as search normalises text."""
    return frozenset(n for n in (normalize(str(v)) for v in values) if n)


def listing_queryset() -> QuerySet[Listing]:
    return Listing.objects.select_related("municipality").prefetch_related("fields", "stages", "municipality__areas")


def doc_for(listing: Listing, asking: bool = False) -> candidate_pool.Doc:
    """The ranker's view of a listing (expects fields, stages and municipality areas prefetched).

    `asking`: the listing is the one suggestions are sought for, so it gets the shared synonym
    data's terms too (pool members do not: the pairs are listed in both directions)."""
    muni = listing.municipality
    owner: object = None
    if listing.owner_organization_id:
        owner = ("org", listing.owner_organization_id)
    elif listing.owner_client_id:
        owner = ("client", listing.owner_client_id)
    elif listing.owner_name:
        owner = ("name", listing.owner_name)
    return candidate_pool.Doc(
        id=listing.pk,
        kind=listing.kind,
        terms=listing.terms.split(),
        owner=owner,
        fields=frozenset(f.pk for f in listing.fields.all()),
        stages=frozenset(s.pk for s in listing.stages.all()),
        tech_area=listing.tech_area,
        amount_min=listing.amount_min,
        amount_max=listing.amount_max,
        municipality=muni.pk if muni else None,
        city=(muni.parent_id or muni.pk) if muni else None,
        areas=frozenset(a.pk for a in muni.areas.all()) if muni else frozenset(),
        deadline=listing.deadline.toordinal() if listing.deadline else None,
        expires=listing.expires_on.toordinal() if listing.expires_on else None,
        processes=_norm_set(listing.processes),
        certifications=_norm_set(listing.certifications),
        skills=_norm_set(listing.skills),
        extra_terms=text.synonym_terms(text.listing_text(listing), listing.terms.split()) if asking else (),
    )


# Which support functions make an institution a candidate for which pseudo-kind.
ORG_FUNCTIONS = {
    candidate_pool.ORG_FINANCE: (SupportFunction.Code.FINANCE,),
    candidate_pool.ORG_TECH: (SupportFunction.Code.TECH_DEV, SupportFunction.Code.TECH_TRANSFER),
}
GONE = (Organization.Status.DISSOLVED, Organization.Status.MERGED)


def org_id(pk: int) -> tuple[str, int]:
    return ("org", pk)


def institution_docs(kind: str) -> list[candidate_pool.Doc]:
    """The registry institutions offering the functions of `kind`, as `Doc`s.

    A lender fits any funding request (`always`): its text rarely repeats the request's words, and
    a 資金調達の希望 should always meet the lenders; being in the same place ranks it higher."""
    orgs = (Organization.objects.filter(functions__code__in=ORG_FUNCTIONS[kind]).exclude(status__in=GONE).distinct()
            .select_related("municipality").prefetch_related("fields", "stages", "functions", "municipality__areas"))
    docs = []
    for org in orgs:
        muni = org.municipality
        words = " ".join(f.name for f in org.functions.all())
        body = "\n".join(x for x in (org.current_name or org.name, org.main_functions_text, words, org.description,
                                     org.profile) if x)
        docs.append(candidate_pool.Doc(
            id=org_id(org.pk), kind=kind, terms=text.analyze(body), owner=("org", org.pk),
            fields=frozenset(f.pk for f in org.fields.all()), stages=frozenset(s.pk for s in org.stages.all()),
            municipality=muni.pk if muni else None, city=(muni.parent_id or muni.pk) if muni else None,
            areas=frozenset(a.pk for a in muni.areas.all()) if muni else frozenset(),
            always=kind == candidate_pool.ORG_FINANCE,
        ))
    return docs


def labels() -> candidate_pool.Labels:
    return candidate_pool.Labels(
        fields=dict(Field.objects.values_list("pk", "name")),
        stages=dict(BusinessStage.objects.values_list("pk", "name")),
        municipalities=dict(Municipality.objects.values_list("pk", "name")),
        areas=dict(Area.objects.values_list("pk", "name")),
        tech_areas={str(k): str(v) for k, v in TechArea.choices},
    )


def pool_for(kinds: Sequence[str], today: dt.date | None = None) -> candidate_pool.Pool:
    """The live listings of `kinds`, indexed; cached until one of them changes."""
    key = tuple(sorted(kinds))
    live = Listing.objects.live(today).filter(kind__in=key)
    sig_row = live.aggregate(n=Count("pk"), last=Max("updated"))
    signature: tuple[object, ...] = (sig_row["n"], sig_row["last"], today or timezone.localdate(), Field.objects.count())
    org_kinds = [k for k in key if k in candidate_pool.ORG_KINDS]
    if org_kinds:
        orgs = Organization.objects.aggregate(n=Count("pk"), links=Count("function_links"), last=Max("current_as_of"))
        signature += (orgs["n"], orgs["links"], orgs["last"])
    with _cache_lock:
        hit = _cache.get(key)
        if hit and hit[0] == signature:
            return hit[1]
    docs = [doc_for(x) for x in listing_queryset().filter(pk__in=live.values("pk"))]
    for kind in org_kinds:
        docs.extend(institution_docs(kind))
    pool = candidate_pool.build_pool(docs, labels())
    with _cache_lock:
        _cache[key] = (signature, pool)
    return pool


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def penalties_for(listing: Listing) -> list[candidate_pool.Penalty]:
    """Feedback given on this listing's suggestions, and by the other side on the same pair."""
    own = [candidate_pool.Penalty(c, r) for c, r in Feedback.objects.filter(listing=listing).values_list("candidate_id", "reason")]
    theirs = [candidate_pool.Penalty(lid, r) for lid, r in Feedback.objects.filter(candidate=listing).values_list("listing_id", "reason")]
    return own + theirs


# Case outcomes that say an introduction led somewhere: pairs like it are raised twice as much.
GOOD_OUTCOMES = {"founded", "loan", "joint_research", "deal", "license", "investment", "order_won", "hired"}
ACCEPTED = (Introduction.Status.APPROVED, Introduction.Status.CONSENTED)


def boosts_for(listing_id: int) -> list[candidate_pool.Boost]:
    """Introductions of this listing a coordinator accepted (either direction), twice as strong
    when the case they became (or one of its referrals) closed with an outcome such as
    ライセンス契約 or 受注."""
    from madoguchi.matching.cases_bridge import case_for

    out = []
    intros = Introduction.objects.filter(status__in=ACCEPTED)
    for intro in (intros.filter(listing_id=listing_id) | intros.filter(candidate_id=listing_id)):
        other = intro.candidate_id if intro.listing_id == listing_id else intro.listing_id
        case = case_for(intro) if intro.case_ref else None
        good = case is not None and (case.outcome in GOOD_OUTCOMES
                                     or case.referrals.filter(outcome__in=GOOD_OUTCOMES).exists())
        out.append(candidate_pool.Boost(other, 2.0 if good else 1.0))
    return out


def compute(listing: Listing, k: int = SUGGESTIONS_KEPT, today: dt.date | None = None) -> list[ranker.Suggestion]:
    """Suggestions for one listing, without storing them: listings' ids are pks, institutions'
    are ("org", pk)."""
    today = today or timezone.localdate()
    src = doc_for(listing_queryset().get(pk=listing.pk), asking=True)
    pool = pool_for(candidate_pool.COMPLEMENT[listing.kind], today)
    return ranker.suggest(pool, src, k=k, today=today.toordinal(), penalties=penalties_for(listing),
                          boosts=boosts_for(listing.pk))


@transaction.atomic
def store(listing: Listing, suggestions: Sequence[ranker.Suggestion]) -> list[Match]:
    """Replace the listing's stored suggestions with these."""
    now = timezone.now()
    # update(), not save(): a save would bump `updated` and signal another refresh
    Listing.objects.filter(pk=listing.pk).update(matched_at=now)
    Match.objects.filter(listing=listing).delete()
    InstitutionMatch.objects.filter(listing=listing).delete()
    rows, orgs = [], []
    for rank, s in enumerate(suggestions, start=1):
        if isinstance(s.id, tuple):  # ("org", pk): a registry institution
            orgs.append(InstitutionMatch(listing=listing, organization_id=s.id[1], rank=rank, score=s.score,
                                         reasons=s.reasons, refreshed_at=now))
        else:
            rows.append(Match(listing=listing, candidate_id=s.id, rank=rank, score=s.score, reasons=s.reasons,
                              refreshed_at=now))
    InstitutionMatch.objects.bulk_create(orgs)
    return Match.objects.bulk_create(rows)


def refresh(listing: Listing, today: dt.date | None = None) -> list[Match]:
    """Recompute and store one listing's suggestions (none unless it is live)."""
    if not listing.is_live:
        Match.objects.filter(listing=listing).delete()
        InstitutionMatch.objects.filter(listing=listing).delete()
        return []
    return store(listing, compute(listing, today=today))


def refresh_around(listing: Listing) -> list[Listing]:
    """After a listing changed: refresh it, and the listings it now suits (they may gain it as a
    candidate). Returns those other listings, whose owners may be alerted."""
    matches = refresh(listing)
    others = list(Listing.objects.filter(pk__in=[m.candidate_id for m in matches]))
    # listings that had it as a candidate before the change, so they can drop it
    stale = Listing.objects.filter(matches__candidate=listing).exclude(pk__in=[o.pk for o in others])
    for other in [*others, *stale]:
        refresh(other)
    return others


def refresh_all(progress: Callable[[int, int], None] | None = None, today: dt.date | None = None) -> int:
    """The nightly batch: every live listing's suggestions. Returns how many listings were refreshed."""
    today = today or timezone.localdate()
    # expire what ran out, so pages and the API stop showing it
    Listing.objects.filter(status=Listing.Status.PUBLISHED, expires_on__lt=today).update(status=Listing.Status.EXPIRED)
    Match.objects.exclude(listing__in=Listing.objects.live(today)).delete()
    InstitutionMatch.objects.exclude(listing__in=Listing.objects.live(today)).delete()
    live = listing_queryset().filter(pk__in=Listing.objects.live(today).values("pk")).order_by("pk")
    total = live.count()
    done = 0
    feedback: dict[int, list[candidate_pool.Penalty]] = {}
    for lid, cid, reason in Feedback.objects.values_list("listing_id", "candidate_id", "reason"):
        feedback.setdefault(lid, []).append(candidate_pool.Penalty(cid, reason))
        feedback.setdefault(cid, []).append(candidate_pool.Penalty(lid, reason))
    boosts: dict[int, list[candidate_pool.Boost]] = {}
    for pair in Introduction.objects.filter(status__in=ACCEPTED).values_list("listing_id", "candidate_id"):
        for lid in pair:
            if lid not in boosts:
                boosts[lid] = boosts_for(lid)
    for kind in Kind.values:
        pool = pool_for(candidate_pool.COMPLEMENT[kind], today)
        for listing in live.filter(kind=kind).iterator(chunk_size=500):
            found = ranker.suggest(pool, doc_for(listing, asking=True), k=SUGGESTIONS_KEPT, today=today.toordinal(),
                                   penalties=feedback.get(listing.pk, []), boosts=boosts.get(listing.pk, []))
            store(listing, found)
            done += 1
            if progress:
                progress(done, total)
    return done


# When nothing of the complementary kinds fits: the kinds nearest to try (a need may be met by a
# supplier's technology, an order by a seed or patent, and so on).
NEAREST: dict[str, tuple[str, ...]] = {
    Kind.NEED: (Kind.SUPPLIER,), Kind.SEED: (Kind.ORDER,), Kind.PATENT: (Kind.ORDER,),
    Kind.ORDER: (Kind.SEED, Kind.PATENT), Kind.SUPPLIER: (Kind.NEED,),
    Kind.FUNDING: (), Kind.INVESTOR: (),
    Kind.JOB_OFFER: (Kind.SUPPLIER,), Kind.JOB_SEEKER: (Kind.ORDER,),
}


def nearest_kinds(listing: Listing, today: dt.date | None = None) -> list[str]:
    """When no candidate fits: the kinds (display names) where something does share a word with
    the listing, or, failing that, the kinds nearest to try."""
    today = today or timezone.localdate()
    kinds = NEAREST.get(listing.kind, ())
    src = doc_for(listing_queryset().get(pk=listing.pk), asking=True)
    found = [k for k in kinds if ranker.suggest(pool_for((k,), today), src, k=1, today=today.toordinal(), reasons=False)]
    return [str(Kind(k).label) for k in (found or kinds)]


def refresh_in_request(listing: Listing) -> bool:
    """Whether a save of this listing should refresh suggestions right away (small platforms)."""
    n = Listing.objects.live().filter(kind__in=candidate_pool.COMPLEMENT[listing.kind]).count()
    return n <= SYNC_REFRESH_LIMIT


def stale_listings() -> QuerySet[Listing]:
    """Live listings changed since their suggestions were last computed (or never computed)."""
    return Listing.objects.live().filter(Q(matched_at__isnull=True) | Q(matched_at__lt=F("updated"))).order_by("updated")


def refresh_stale(limit: int = 10_000) -> list[Listing]:
    """Refresh the stale listings (and the listings they now suit); returns the refreshed ones."""
    done = []
    for listing in stale_listings()[:limit]:
        refresh_around(listing)
        done.append(listing)
    return done
