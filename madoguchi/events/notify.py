"""Emails to registrants, queued in the platform's outbox (one outbox for the whole site).

The confirmation carries the registration page's address: it is the registrant's only way
back to their status and cancel button from another device.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.events.models import Event, Registration
from madoguchi.lib.addresses import deliverable
from madoguchi.platform.mail import enqueue_email
from madoguchi.platform.redaction import reference


def _facts(registration: Registration) -> str:
    event = registration.event
    starts = timezone.localtime(event.starts_at)
    lines = [
        _("イベント: %(title)s") % {"title": event.title},
        _("日時: %(when)s") % {"when": f"{starts:%Y年%m月%d日 %H:%M}〜"},
        _("会場: %(venue)s") % {"venue": " ".join(p for p in [event.venue, event.address] if p) or "-"},
        _("主催: %(org)s") % {"org": event.organization.display_name},
        "",
        _("申し込み内容の確認・キャンセルはこちら:"),
        f"{settings.SITE_URL}{registration.get_absolute_url()}",
    ]
    return "\n".join(lines)


def registration_received(registration: Registration) -> None:
    if registration.status == Registration.Status.CONFIRMED:
        subject = _("【参加確定】%(title)s") % {"title": registration.event.title}
        lead = _("%(name)s 様\n\nお申し込みを受け付けました。参加が確定しています。") % {"name": registration.name}
    else:
        subject = _("【キャンセル待ち】%(title)s") % {"title": registration.event.title}
        lead = _("%(name)s 様\n\n定員に達しているため、キャンセル待ち %(n)s 番目で受け付けました。"
                 "空きが出たら、順番に参加確定のご連絡をします。") % {
            "name": registration.name, "n": registration.waitlist_position()}
    enqueue_email(deliverable(registration.email), subject, f"{lead}\n\n{_facts(registration)}\n", reference=reference(registration))


def promoted(registration: Registration) -> None:
    subject = _("【参加確定】キャンセル待ちから繰り上がりました: %(title)s") % {"title": registration.event.title}
    lead = _("%(name)s 様\n\nキャンセルが出たため、参加が確定しました。") % {"name": registration.name}
    enqueue_email(deliverable(registration.email), subject, f"{lead}\n\n{_facts(registration)}\n", reference=reference(registration))


def event_cancelled(event: Event) -> int:
    """Tell everyone still registered that the event will not take place; returns how many."""
    people = list(event.registrations.exclude(status=Registration.Status.CANCELLED))
    for registration in people:
        subject = _("【中止のお知らせ】%(title)s") % {"title": event.title}
        lead = _("%(name)s 様\n\nお申し込みいただいたイベントは、中止になりました。ご了承ください。") % {
            "name": registration.name}
        enqueue_email(deliverable(registration.email), subject, f"{lead}\n\n{_facts(registration)}\n", reference=reference(registration))
    return len(people)
