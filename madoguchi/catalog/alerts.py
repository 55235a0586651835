"""Saved searches and their alerts: the new and changed programs that match a saved question.

A SavedSearch keeps the query string the person saw (STYLE.md §20). An alert re-runs it: the
program filters (catalog/filters.py, the same schema as the search) in SQL, and the question and
the directory facets through the one `search()` (its first MAX_LIMIT results, as the page shows
them), over the programs whose catalog entry changed since the last send (CatalogEntry.updated_at,
bumped by every import that changes a program, its entry or its round, and by edits in the admin).
The search sits above the catalog: it hands its function in (use_search, from SearchConfig.ready).

The worker's `send-program-alerts` job (daily 07:30, catalog/jobs.py) and the command of that
name call `send_alerts()` and then `stars.send_deadline_reminders()`. An AlertSend row per saved search and day makes a second run
the same day queue nothing; a weekly alert waits 7 days from its last send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.catalog import confirmations
from madoguchi.catalog.filters import FILTER_PARAMS, FilterError, ProgramFilters
from madoguchi.catalog.models import AlertSend, CallRound, CatalogEntry, SavedSearch
from madoguchi.catalog.presentation import entry_facts
from madoguchi.catalog.querysets import CatalogEntryQuerySet, area_q
from madoguchi.lib import unsubscribe as unsubscribe_links
from madoguchi.lib.addresses import deliverable
from madoguchi.platform.mail import enqueue_email

# The search's own parameters (search/views.py FILTERS) a saved search passes on to search().
SEARCH_FACETS = ("function", "stage", "municipality", "kind", "field")
KEPT_PARAMS = ("q", *SEARCH_FACETS, *FILTER_PARAMS)
# An alert lists at most this many programs; the saved search's page has the rest.
ALERT_MAX_PROGRAMS = 30
FEED_DAYS = 30
UNSUBSCRIBE_KIND = "catalog.saved_search"


def clean_querystring(raw: str) -> str:
    """The query string as the person saw it, less paging and anything the search does not read."""
    params = QueryDict(raw[:4000])
    kept = [(k, v) for k in KEPT_PARAMS for v in params.getlist(k)[:1] if v.strip()]
    return urlencode(kept)[:2000]


def parse(querystring: str) -> tuple[str, dict[str, str | None], ProgramFilters]:
    """(question, search facets, program filters) of a stored query string; FilterError if it no longer reads."""
    params = QueryDict(querystring)
    facets = {name: params.get(name) or None for name in SEARCH_FACETS}
    return params.get("q", ""), facets, ProgramFilters.from_params(params)


def describe(saved: SavedSearch) -> str:
    """The saved search in words, for mails and pages: 「設備投資」 受付中・補助金."""
    try:
        q, _facets, filters = parse(saved.querystring)
    except FilterError:
        return saved.querystring
    words = "・".join(filters.describe())
    return f"「{q}」 {words}".strip() if q else words or _("すべての制度")


def search_url(saved: SavedSearch) -> str:
    return f"{settings.SITE_URL}{reverse('search:search')}?{saved.querystring}"


def filter_entries(entries: CatalogEntryQuerySet, filters: ProgramFilters, now: dt.datetime) -> CatalogEntryQuerySet:
    """Apply the program filters in SQL, with the meanings filters.py documents."""
    if filters.open:
        entries = entries.open_on(now)
    if filters.closes_before:
        end = timezone.make_aware(dt.datetime.combine(filters.closes_before + dt.timedelta(days=1), dt.time()))
        rounds = CallRound.objects.filter(entry=OuterRef("pk"), year_round=False, closes_at__gt=now, closes_at__lt=end)
        entries = entries.filter(Exists(rounds))
    if filters.area:
        entries = entries.filter(area_q(filters.area))
    if filters.type:
        entries = entries.filter(type=filters.type)
    if filters.amount_min is not None:
        entries = entries.filter(amount_max__gte=filters.amount_min)
    if filters.employees is not None:
        entries = entries.filter(Q(max_employees__isnull=True) | Q(max_employees__gte=filters.employees))
    return entries


# (question, search facets, program filters, now) → the program slugs the search answers. The
# search sits above the catalog, so it hands its function in (SearchConfig.ready: search/alerts.py).
ProgramSearch = Callable[[str, dict[str, str | None], ProgramFilters, dt.datetime], list[str]]
_program_search: ProgramSearch | None = None


def use_search(program_search: ProgramSearch) -> None:
    """Run saved questions through `program_search` (the one `search()`, from the search app)."""
    global _program_search
    _program_search = program_search


def _searched_slugs(q: str, facets: dict[str, str | None], filters: ProgramFilters,
                    now: dt.datetime) -> list[str] | None:
    """The program slugs the search answers (None: no question or facet, so every program)."""
    if not q.strip() and not any(facets.values()):
        return None
    if _program_search is None:
        raise ImproperlyConfigured("saved-search alerts need madoguchi.search in INSTALLED_APPS")
    return _program_search(q, facets, filters, now)


def matching(saved: SavedSearch, since: dt.datetime | None, now: dt.datetime) -> list[CatalogEntry]:
    """The catalog entries matching the saved search, changed after `since` (all when None), newest change first."""
    try:
        q, facets, filters = parse(saved.querystring)
    except FilterError:
        return []  # a filter that no longer reads (a code retired) matches nothing rather than everything
    entries = CatalogEntry.objects.filter(updated_at__lte=now)
    if since is not None:
        entries = entries.filter(updated_at__gt=since)
    entries = filter_entries(entries, filters, now)
    slugs = _searched_slugs(q, facets, filters, now)
    if slugs is not None:
        entries = entries.filter(program__slug__in=slugs)
    return list(
        entries.select_related("program", "program__organization", "source").prefetch_related("rounds")
        .order_by("-updated_at", "pk")[:ALERT_MAX_PROGRAMS]
    )


def entry_lines(entry: CatalogEntry, now: dt.datetime) -> list[str]:
    facts = entry_facts(entry, now)
    parts = [facts.status_label, entry.get_type_display()]
    if facts.deadline:
        parts.append(_("締切 %(d)s") % {"d": f"{timezone.localtime(facts.deadline):%Y-%m-%d %H:%M}"})
    if facts.amount_text:
        parts.append(facts.amount_text)
    return [f"■ {entry.program.name}（{entry.program.organization.display_name}）", "  " + " / ".join(parts),
            f"  {settings.SITE_URL}{entry.program.get_absolute_url()}", ""]


def alert_body(saved: SavedSearch, entries: list[CatalogEntry], now: dt.datetime) -> str:
    lines = [_("保存した検索条件 %(what)s に合う、新しい制度・更新された制度のお知らせです。") % {"what": describe(saved)}, ""]
    for entry in entries:
        lines += entry_lines(entry, now)
    lines += [_("この条件で検索する:"), search_url(saved), "", _("フィード（Atom）:"), feed_url(saved), "",
              _("ワンクリックで配信を停止:"), unsubscribe_links.url(UNSUBSCRIBE_KIND, str(saved.uuid)), ""]
    return "\n".join(lines)


def is_due(saved: SavedSearch, day: dt.date) -> bool:
    last = saved.sends.order_by("-day").values_list("day", flat=True).first()
    if last is None:
        return True
    gap = 7 if saved.frequency == SavedSearch.Frequency.WEEKLY else 1
    return (day - last).days >= gap


def send_alerts(now: dt.datetime | None = None) -> int:
    """Queue the alerts due today with new or changed matches; returns how many were queued."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    queued = 0
    for saved in SavedSearch.objects.active().order_by("pk"):
        if not is_due(saved, day):
            continue
        entries = matching(saved, saved.last_sent_at or saved.confirmed_at, now)
        if not entries:
            continue
        try:
            with transaction.atomic():
                AlertSend.objects.create(saved_search=saved, day=day, program_count=len(entries))
                SavedSearch.objects.filter(pk=saved.pk).update(last_sent_at=now)
                subject = _("【madoguchi】条件に合う新着・更新の制度 %(n)d 件") % {"n": len(entries)}
                enqueue_email(deliverable(saved.email), subject, alert_body(saved, entries, now),
                              headers=unsubscribe_links.headers(UNSUBSCRIBE_KIND, str(saved.uuid)))
        except IntegrityError:  # another run sent today's alert first
            continue
        queued += 1
    return queued


def feed_url(saved: SavedSearch) -> str:
    return settings.SITE_URL + reverse("catalog:alert_feed", args=[saved.feed_token])


def feed_entries(saved: SavedSearch, now: dt.datetime | None = None) -> list[CatalogEntry]:
    """What the feed lists: matches changed in the last FEED_DAYS (a reader polls; it keeps what it saw)."""
    now = now or timezone.now()
    return matching(saved, now - dt.timedelta(days=FEED_DAYS), now)


def atom_feed(saved: SavedSearch, now: dt.datetime | None = None) -> bytes:
    from feedgen.feed import FeedGenerator

    now = now or timezone.now()
    entries = feed_entries(saved, now)
    feed = FeedGenerator()
    feed.id(f"urn:uuid:{saved.uuid}")
    feed.title(_("madoguchi 新着・更新の制度: %(what)s") % {"what": describe(saved)})
    feed.link(href=search_url(saved), rel="alternate")
    feed.link(href=feed_url(saved), rel="self")
    feed.language("ja")
    feed.author({"name": "madoguchi"})
    feed.updated(max((e.updated_at for e in entries), default=saved.created))
    for entry in entries:
        item = feed.add_entry(order="append")
        # One id per program: a changed program updates its entry in the reader.
        item.id(f"urn:uuid:{entry.program.uuid}")
        item.title(entry.program.name)
        item.link(href=f"{settings.SITE_URL}{entry.program.get_absolute_url()}")
        item.updated(entry.updated_at)
        item.author({"name": entry.program.organization.display_name})
        item.summary("\n".join(entry_lines(entry, now)[1:2]).strip())
    return feed.atom_str(pretty=True)


# Subscribing.


def save_for_user(user: User, querystring: str, frequency: str) -> SavedSearch:
    """From an account: confirmed at once (the account's address was confirmed when it was made)."""
    now = timezone.now()
    return SavedSearch.objects.create(user=user, email=user.email, querystring=querystring,
                                      frequency=frequency, confirmed_at=now, created=now)


def save_by_email(email: str, querystring: str, frequency: str) -> SavedSearch:
    """By email: nothing is sent but the confirmation until its owner confirms (double opt-in).
    The same address and question again re-sends the confirmation, or notes it is already saved."""
    email = email.strip().lower()
    with transaction.atomic():
        saved = SavedSearch.objects.filter(email=email, querystring=querystring, user__isnull=True,
                                           unsubscribed_at__isnull=True).first()
        if saved is None:
            saved = SavedSearch.objects.create(email=email, querystring=querystring, frequency=frequency)
        if saved.confirmed_at is None:
            subject = _("【madoguchi】新着制度のメール配信の確認")
            body = _(
                "検索条件 %(what)s の新着制度のメール配信のお申し込みを受け付けました。\n"
                "次のページで「配信を開始する」を押すと、配信が始まります（リンクの有効期限は%(days)d日です）。\n\n%(url)s\n\n"
                "お心当たりがない場合は、このメールを破棄してください。配信は始まりません。\n"
            ) % {"what": describe(saved), "url": confirmations.url("search", saved.uuid), "days": confirmations.DAYS}
        else:
            subject = _("【madoguchi】この検索条件はすでに登録されています")
            body = _("検索条件 %(what)s は、すでにメール配信に登録されています。\n配信の停止は、お知らせメールのリンクから行えます。\n") % {
                "what": describe(saved)}
        enqueue_email(deliverable(email), subject, body)
    return saved


def confirm(saved: SavedSearch) -> None:
    SavedSearch.objects.filter(pk=saved.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())


def _describe_for_unsubscribe(ref: str) -> str | None:
    saved = SavedSearch.objects.filter(uuid=ref, unsubscribed_at__isnull=True).first()
    return _("新着制度のメール配信 %(what)s（%(email)s）") % {"what": describe(saved), "email": saved.email} if saved else None


def unsubscribe(ref: str) -> None:
    SavedSearch.objects.filter(uuid=ref, unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())


def register_unsubscribe() -> None:
    unsubscribe_links.register(UNSUBSCRIBE_KIND, _describe_for_unsubscribe, unsubscribe)


# Retention (STYLE.md §19): what the sends need is recent; addresses nobody confirmed or that
# were unsubscribed are not kept.
SEND_RECORDS_DAYS = 60
UNUSED_ADDRESS_DAYS = 30


def prune(now: dt.datetime | None = None) -> int:
    """Delete old send records and dead subscriptions; returns how many rows went."""
    from madoguchi.catalog.models import DeadlineReminder, StaleReminder, Star

    now = now or timezone.now()
    old = now - dt.timedelta(days=SEND_RECORDS_DAYS)
    unused = now - dt.timedelta(days=UNUSED_ADDRESS_DAYS)
    deleted = 0
    # is_due needs only the last 7 days of sends; a reminder's round has closed long ago.
    deleted += AlertSend.objects.filter(created__lt=old).delete()[0]
    deleted += DeadlineReminder.objects.filter(round__closes_at__lt=old).delete()[0]
    deleted += StaleReminder.objects.filter(created__lt=old).delete()[0]
    for model in (SavedSearch, Star):
        dead = Q(unsubscribed_at__lt=unused) | Q(confirmed_at__isnull=True, created__lt=unused)
        deleted += model.objects.filter(dead).delete()[0]
    return deleted
