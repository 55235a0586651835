"""Keeping programs fresh: the weekly 要確認 reminder to each institution's staff, and the signed
one-click 「内容に変更なし」 link in it that sets a program's verified date.

`madoguchi remind-stale` (weekly, from cron) calls `remind_stale()`. A StaleReminder row per
institution and week makes a second run in the same week send nothing.

The link's token is signed (django.core.signing, its own salt) over the program's uuid, and
expires after VERIFY_LINK_DAYS: the link is the authority, so the person need not log in —
whoever can read the institution's mail may confirm its programs. Opening it (GET) only shows a
button, since mail scanners open links; the button POSTs with the page's CSRF token.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.catalog.models import CatalogEntry, StaleReminder
from madoguchi.catalog.presentation import program_facts
from madoguchi.catalog.status import Status, stale_days
from madoguchi.directory.models import Organization, Program
from madoguchi.directory.recipients import Purpose, staff_addresses
from madoguchi.platform.mail import enqueue_email

SALT = "madoguchi.catalog.verify"
VERIFY_LINK_DAYS = 30
# A reminder lists at most this many programs; the admin lists them all.
REMINDER_MAX_PROGRAMS = 100


def verify_token(program: Program) -> str:
    return signing.dumps({"program": str(program.uuid)}, salt=SALT)


def verify_url(program: Program) -> str:
    """The absolute link, from SITE_URL (the mail is sent by the worker, not from a request)."""
    return settings.SITE_URL + reverse("catalog:verify", args=[verify_token(program)])


class LinkError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def read_verify_token(token: str) -> Program:
    """Return the program a link is for; LinkError with the reason in Japanese otherwise."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=VERIFY_LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkError(_(
            "このリンクの有効期限（%(days)d日）が切れています。次回のお知らせのリンクを使うか、"
            "管理画面で確認日を更新してください。"
        ) % {"days": VERIFY_LINK_DAYS}) from None
    except signing.BadSignature:
        raise LinkError(_(
            "このリンクは正しくありません。メールのリンクが途中で切れているか、書き換えられています。"
            "メールのリンクをそのまま開いてください。"
        )) from None
    program_uuid = payload.get("program") if isinstance(payload, dict) else None
    program = Program.objects.filter(uuid=program_uuid).first() if program_uuid else None
    if program is None:
        raise LinkError(_("この制度は削除されたため、確認できません。"), status=404)
    return program


def mark_verified(program: Program, today: dt.date | None = None) -> dt.date:
    """Set the verified date to today (「内容に変更なし」) and return it."""
    today = today or timezone.localdate()
    Program.objects.filter(pk=program.pk).update(verified_at=today)
    program.verified_at = today
    return today


def week_of(day: dt.date) -> dt.date:
    """The Monday of the week, the key of a weekly reminder."""
    return day - dt.timedelta(days=day.weekday())


@dataclass
class StaleLine:
    program: Program
    reason: str
    closed: bool


def stale_by_organization(now: dt.datetime) -> dict[int, list[StaleLine]]:
    """The stale (要確認) catalog programs of each institution, by organization pk."""
    entries = (
        CatalogEntry.objects.stale(timezone.localdate(now))
        .select_related("program", "source")
        .prefetch_related("rounds")
        .order_by("program__organization_id", "program__name")
    )
    found: dict[int, list[StaleLine]] = defaultdict(list)
    for entry in entries:
        facts = program_facts(entry.program, entry, now)
        found[entry.program.organization_id].append(
            StaleLine(entry.program, facts.stale_reason, facts.status == Status.CLOSED)
        )
    return found


def reminder_body(organization: Organization, lines: list[StaleLine]) -> str:
    text = [
        _("%(org)s ご担当者さま") % {"org": organization.display_name}, "",
        _("madoguchi に掲載している次の制度が「要確認」になっています（最後の確認から%(days)d日を超えたか、"
          "公募が終了しています）。") % {"days": stale_days()},
        _("内容に変更がなければ「内容に変更なし」のリンクを開き、ボタンを押してください。確認日が今日になります。"
          "変更がある場合は管理画面で修正してください。"), "",
    ]
    for line in lines[:REMINDER_MAX_PROGRAMS]:
        text += [f"■ {line.program.name}", f"  {line.reason}",
                 f"  {_('ページ')}: {settings.SITE_URL}{line.program.get_absolute_url()}"]
        if line.closed:
            text.append("  " + _("次の公募回を登録するか、掲載を終えてください（確認日の更新では解消しません）。"))
        else:
            text.append(f"  {_('内容に変更なし')}: {verify_url(line.program)}")
        text.append("")
    if len(lines) > REMINDER_MAX_PROGRAMS:
        text += [_("ほか %(n)d 件は管理画面でご確認ください。") % {"n": len(lines) - REMINDER_MAX_PROGRAMS}, ""]
    text += [_("リンクの有効期限は%(days)d日です。") % {"days": VERIFY_LINK_DAYS},
             f"{settings.SITE_URL}{reverse('admin:catalog_catalogentry_changelist')}?stale=1", ""]
    return "\n".join(text)


@dataclass
class RemindResult:
    sent: int = 0  # institutions reminded
    skipped_sent: int = 0  # already reminded this week
    skipped_nobody: int = 0  # no staff with an address


def remind_stale(now: dt.datetime | None = None) -> RemindResult:
    """Queue this week's reminder for each institution with stale programs; see module docstring."""
    now = now or timezone.now()
    week = week_of(timezone.localdate(now))
    result = RemindResult()
    stale = stale_by_organization(now)
    done = set(StaleReminder.objects.filter(week=week, organization_id__in=list(stale)).values_list("organization_id", flat=True))
    for organization in Organization.objects.filter(pk__in=list(stale)).order_by("pk"):
        if organization.pk in done:
            result.skipped_sent += 1
            continue
        recipients = staff_addresses(organization, Purpose.PROGRAMS_TO_VERIFY)
        if not recipients:
            result.skipped_nobody += 1
            continue
        lines = stale[organization.pk]
        try:
            with transaction.atomic():
                # The row and the mail commit together; a concurrent run loses on the constraint.
                StaleReminder.objects.create(organization=organization, week=week, program_count=len(lines),
                                             recipients=recipients)
                subject = _("【madoguchi】要確認の制度が %(n)d 件あります") % {"n": len(lines)}
                enqueue_email(recipients, subject, reminder_body(organization, lines))
        except IntegrityError:
            result.skipped_sent += 1
            continue
        result.sent += 1
    return result
