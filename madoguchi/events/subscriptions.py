"""Mail subscriptions to new events, by interest, and the daily digest.

The worker's `send-event-digests` job (daily 07:00, events/jobs.py) and the command of that name
call `send_digests()`; each subscriber gets at most one digest a day, listing events published
since their previous digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.directory.models import SupportFunction
from madoguchi.events.models import Digest, Event, Subscription, normalise_email
from madoguchi.lib import unsubscribe as unsubscribe_links
from madoguchi.lib.addresses import deliverable
from madoguchi.platform.mail import enqueue_email

# A digest lists at most this many events; the rest are one click away on the list page.
DIGEST_MAX_EVENTS = 30


def subscribe(email: str, functions: Iterable[SupportFunction], kinds: Iterable[str]) -> tuple[Subscription, bool]:
    """Return (the live subscription of this address, whether it was created now).

    An address that already has one keeps it unchanged: only its owner, through the link in
    the email, may change interests. Either way the caller emails the address, never the page.
    """
    email = normalise_email(email)
    with transaction.atomic():
        existing = Subscription.objects.filter(email=email, unsubscribed_at__isnull=True).first()
        if existing:
            return existing, False
        subscription = Subscription.objects.create(email=email, kinds=list(kinds))
        subscription.functions.set(functions)
    return subscription, True


def _manage_url(subscription: Subscription) -> str:
    return f"{settings.SITE_URL}{subscription.get_absolute_url()}"


UNSUBSCRIBE_KIND = "events.subscription"


def _describe_for_unsubscribe(ref: str) -> str | None:
    subscription = Subscription.objects.filter(uuid=ref, unsubscribed_at__isnull=True).first()
    return _("イベント情報のメール配信（%(email)s）") % {"email": subscription.email} if subscription else None


def unsubscribe(ref: str) -> None:
    Subscription.objects.filter(uuid=ref, unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())


def register_unsubscribe() -> None:
    """The digest's one-click unsubscribe link (lib/unsubscribe.py) stops this subscription."""
    unsubscribe_links.register(UNSUBSCRIBE_KIND, _describe_for_unsubscribe, unsubscribe)


def send_subscribe_email(subscription: Subscription, created: bool) -> None:
    if created:
        subject = _("【madoguchi】イベント情報のメール配信の確認")
        body = _(
            "イベント情報のメール配信のお申し込みを受け付けました。\n"
            "次のページで「配信を開始する」を押すと、配信が始まります。\n\n%(url)s\n\n"
            "お心当たりがない場合は、このメールを破棄してください。配信は始まりません。\n"
        ) % {"url": _manage_url(subscription)}
    else:
        subject = _("【madoguchi】イベント情報のメール配信の登録について")
        body = _(
            "このメールアドレスは、すでにイベント情報のメール配信に登録されています。\n"
            "関心のある分野の変更や配信の停止は、次のページから行えます。\n\n%(url)s\n"
        ) % {"url": _manage_url(subscription)}
    enqueue_email(deliverable(subscription.email), subject, body)


def digest_body(subscription: Subscription, events: list[Event]) -> str:
    lines = [_("新しく公開されたイベントのお知らせです。"), ""]
    for event in events:
        starts = timezone.localtime(event.starts_at)
        lines += [
            f"■ {event.title}（{event.get_kind_display()}）",
            f"  {starts:%Y年%m月%d日 %H:%M}〜 {event.venue}",
            f"  {_('主催')}: {event.organization.display_name}",
            f"  {settings.SITE_URL}{event.get_absolute_url()}",
            "",
        ]
    lines += [_("配信内容の変更・配信の停止:"), _manage_url(subscription), "",
              _("ワンクリックで配信を停止:"), unsubscribe_links.url(UNSUBSCRIBE_KIND, str(subscription.uuid)), ""]
    return "\n".join(lines)


def send_digests(now: dt.datetime | None = None) -> int:
    """Queue today's digest for each active subscriber with new matching events; returns how many.

    Running twice on one day queues nothing the second time (Digest is unique per day).
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    queued = 0
    subscriptions = Subscription.objects.active().prefetch_related("functions")
    for subscription in subscriptions:
        last = subscription.digests.order_by("-created").values_list("created", flat=True).first()
        since = max(filter(None, [last, subscription.confirmed_at]))
        events = list(
            subscription.matching(Event.objects.listed(now).filter(published_at__gt=since, published_at__lte=now))
            .select_related("organization")[:DIGEST_MAX_EVENTS]
        )
        if not events:
            continue
        with transaction.atomic():
            _digest, created = Digest.objects.get_or_create(
                subscription=subscription, day=day, defaults={"event_count": len(events), "created": now}
            )
            if not created:
                continue
            subject = _("【madoguchi】新しいイベント %(n)d 件") % {"n": len(events)}
            enqueue_email(deliverable(subscription.email), subject, digest_body(subscription, events),
                          headers=unsubscribe_links.headers(UNSUBSCRIBE_KIND, str(subscription.uuid)))
            queued += 1
    return queued
