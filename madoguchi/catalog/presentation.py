"""What a page or the API shows of a program's catalog facts: status, deadline, 要確認, amounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from madoguchi.catalog import areas
from madoguchi.catalog.models import CatalogEntry
from madoguchi.catalog.status import Status, Window, derive_status, is_stale, next_deadline, stale_days
from madoguchi.directory.models import Program


@dataclass
class Facts:
    status: Status
    deadline: dt.datetime | None
    days_left: int | None
    stale: bool
    stale_reason: str
    verified_at: dt.date | None
    as_of: dt.date
    area_codes: list[str] = field(default_factory=list)
    area_text: str = ""
    amount_text: str = ""
    rate_text: str = ""
    industries: list[str] = field(default_factory=list)
    attribution: str = ""

    @property
    def status_label(self) -> str:
        return str(self.status.label)


def yen(amount: int) -> str:
    """1,000万円 / 1億5,000万円 / 500円: how amounts are written in calls for proposals (¥10,000,000 in English)."""
    if (get_language() or "ja").startswith("en"):
        return f"¥{amount:,}"
    if amount >= 10_000 and amount % 10_000 == 0:
        oku, man = divmod(amount // 10_000, 10_000)
        return (f"{oku:,}億" if oku else "") + (f"{man:,}万" if man else "") + "円"
    return f"{amount:,}円"


def _windows(entry: CatalogEntry) -> list[Window]:
    return [Window(r.opens_at, r.closes_at, r.year_round) for r in entry.rounds.all()]


def _amount_text(entry: CatalogEntry) -> str:
    if entry.amount_min is not None and entry.amount_max is not None:
        return f"{yen(entry.amount_min)}〜{yen(entry.amount_max)}"
    if entry.amount_max is not None:
        return _("上限 %(amount)s") % {"amount": yen(entry.amount_max)}
    if entry.amount_min is not None:
        return _("下限 %(amount)s") % {"amount": yen(entry.amount_min)}
    return ""


def program_facts(program: Program, entry: CatalogEntry | None, now: dt.datetime | None = None) -> Facts:
    """The facts of any program; one without a catalog entry (the plan's) has status 不明."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    status = derive_status(_windows(entry), now) if entry else Status.UNKNOWN
    stale = is_stale(program.verified_at, status, today)
    if status == Status.CLOSED:
        reason = _("最後の公募回は締め切られています。次の公募があるか実施機関に確認してください。")
    elif program.verified_at is None:
        reason = _("内容がまだ確認されていません。")
    else:
        reason = _("最後の確認から%(days)d日以上たっています。") % {"days": stale_days()}
    deadline = next_deadline(_windows(entry), now) if entry else None
    days_left = None
    if deadline and deadline > now:
        days_left = (timezone.localdate(deadline) - today).days
    facts = Facts(
        status=status, deadline=deadline, days_left=days_left, stale=stale, stale_reason=reason if stale else "",
        verified_at=program.verified_at, as_of=program.as_of,
    )
    if entry:
        facts.area_codes = entry.area_code_list
        facts.area_text = areas.describe(entry.area_code_list)
        facts.amount_text = _amount_text(entry)
        facts.rate_text = entry.rate_text
        facts.industries = entry.industry_labels
        facts.attribution = entry.source.attribution_text
    return facts


def entry_facts(entry: CatalogEntry, now: dt.datetime | None = None) -> Facts:
    return program_facts(entry.program, entry, now)
