"""Starred programs and the reminder 7 days before a starred program's call closes.

`stars.send_deadline_reminders()` runs inside `madoguchi send-program-alerts` (daily). Every
open round of a starred program that closes within REMIND_BEFORE gets one reminder per star (a
DeadlineReminder row per star and round), so a star made 3 days before the deadline is reminded
at once and a missed day is caught up the next.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.catalog import confirmations
from madoguchi.catalog.models import CallRound, DeadlineReminder, Star
from madoguchi.directory.models import Program
from madoguchi.lib import unsubscribe as unsubscribe_links
from madoguchi.lib.addresses import deliverable
from madoguchi.platform.mail import enqueue_email

REMIND_BEFORE = dt.timedelta(days=7)
UNSUBSCRIBE_KIND = "catalog.star"


def star_for_user(user: User, program: Program) -> Star:
    existing = Star.objects.filter(user=user, program=program, unsubscribed_at__isnull=True).first()
    if existing:
        return existing
    now = timezone.now()
    return Star.objects.create(user=user, email=user.email, program=program, confirmed_at=now, created=now)


def star_by_email(email: str, program: Program) -> Star:
    """Double opt-in, like a saved search: a reminder goes only after the address owner confirms."""
    email = email.strip().lower()
    with transaction.atomic():
        star = Star.objects.filter(email=email, program=program, user__isnull=True, unsubscribed_at__isnull=True).first()
        if star is None:
            star = Star.objects.create(email=email, program=program)
        if star.confirmed_at is None:
            subject = _("【madoguchi】締切のお知らせの登録の確認")
            body = _(
                "「%(name)s」の締切 7 日前のお知らせのお申し込みを受け付けました。\n"
                "次のページで「配信を開始する」を押すと、登録されます（リンクの有効期限は%(days)d日です）。\n\n%(url)s\n\n"
                "お心当たりがない場合は、このメールを破棄してください。\n"
            ) % {"name": program.name, "url": confirmations.url("star", star.uuid), "days": confirmations.DAYS}
        else:
            subject = _("【madoguchi】この制度はすでに登録されています")
            body = _("「%(name)s」の締切のお知らせは、すでに登録されています。\n") % {"name": program.name}
        enqueue_email(deliverable(email), subject, body)
    return star


def confirm(star: Star) -> None:
    Star.objects.filter(pk=star.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())


def reminder_body(star: Star, round_: CallRound) -> str:
    closes = timezone.localtime(round_.closes_at)
    program = star.program
    return "\n".join([
        _("お気に入りに登録した制度の締切が近づいています。"), "",
        f"■ {program.name}（{program.organization.display_name}）",
        "  " + _("締切: %(d)s") % {"d": f"{closes:%Y年%m月%d日 %H:%M}"},
        f"  {settings.SITE_URL}{program.get_absolute_url()}", "",
        _("ワンクリックでお知らせを停止:"), unsubscribe_links.url(UNSUBSCRIBE_KIND, str(star.uuid)), "",
    ])


def send_deadline_reminders(now: dt.datetime | None = None) -> int:
    """Queue a reminder for each active star whose program has a round closing within 7 days."""
    now = now or timezone.now()
    rounds = CallRound.objects.filter(year_round=False, closes_at__gt=now, closes_at__lte=now + REMIND_BEFORE)
    queued = 0
    for round_ in rounds.select_related("entry").order_by("closes_at", "pk"):
        stars = (
            Star.objects.active().filter(program_id=round_.entry.program_id)
            .exclude(reminders__round=round_).select_related("program", "program__organization")
        )
        for star in stars:
            try:
                with transaction.atomic():
                    DeadlineReminder.objects.create(star=star, round=round_)
                    days = (timezone.localdate(round_.closes_at) - timezone.localdate(now)).days
                    subject = _("【madoguchi】締切まであと %(n)d 日: %(name)s") % {"n": days, "name": star.program.name}
                    enqueue_email(deliverable(star.email), subject, reminder_body(star, round_),
                                  headers=unsubscribe_links.headers(UNSUBSCRIBE_KIND, str(star.uuid)))
            except IntegrityError:
                continue
            queued += 1
    return queued


def _describe_for_unsubscribe(ref: str) -> str | None:
    star = Star.objects.filter(uuid=ref, unsubscribed_at__isnull=True).select_related("program").first()
    return _("「%(name)s」の締切のお知らせ（%(email)s）") % {"name": star.program.name, "email": star.email} if star else None


def unsubscribe(ref: str) -> None:
    Star.objects.filter(uuid=ref, unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())


def register_unsubscribe() -> None:
    unsubscribe_links.register(UNSUBSCRIBE_KIND, _describe_for_unsubscribe, unsubscribe)
