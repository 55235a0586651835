"""An introduction both sides consented to becomes a case of the cases app.

The requesting side is the case's client (相談者); the coordinator's institution owns the case;
each side's institution (when it is one in the directory) receives a referral, so follow-up and
the outcome (ライセンス契約, 共同研究, 出資, 受注, 採用) are tracked like any other case.
Consent is "named": exactly the two sides' institutions, which both sides agreed to.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from madoguchi.matching.models import Introduction, Listing


def _client_for(listing: Listing) -> Any:
    from madoguchi.cases.models import Client

    if listing.owner_client_id:
        return listing.owner_client
    name = listing.owner_label or listing.title
    client = Client.objects.filter(name=name, email=listing.contact_email).first()
    if client is None:
        client = Client.objects.create(kind=Client.Kind.COMPANY, name=name, email=listing.contact_email)
    return client


def case_need(intro: Introduction) -> str:
    a, b = intro.listing, intro.candidate
    lines = [
        _("マッチングからの紹介: %(a_kind)s「%(a)s」⇄ %(b_kind)s「%(b)s」") % {
            "a_kind": a.get_kind_display(), "a": a.title, "b_kind": b.get_kind_display(), "b": b.title},
    ]
    match = a.matches.filter(candidate=b).first()
    if match and match.reasons:
        lines.append(_("候補とした理由: %(r)s") % {"r": "、".join(match.reasons)})
    if intro.message:
        lines.append(_("依頼者のメッセージ: %(m)s") % {"m": intro.message})
    return "\n".join(lines)


def open_case(intro: Introduction, *, by: Any) -> str:
    """Create the case and its referrals; returns the case code (stored as Introduction.case_ref)."""
    from madoguchi.cases.models import Activity, Case

    owner = by.membership.organization
    sides = [x.owner_organization for x in (intro.listing, intro.candidate) if x.owner_organization is not None]
    case = Case.objects.create(
        client=_client_for(intro.listing), owner=owner, need=case_need(intro), consent=Case.Consent.NAMED,
        municipality=intro.listing.municipality,
    )
    case.named_organizations.set(sides)
    case.add_activity(Activity.Kind.CREATED, by=by, text=_("マッチングの紹介（双方同意済み）から案件を作成しました。"))
    for org in dict.fromkeys(sides):  # one referral per institution, in order
        if org is not None and org.pk != owner.pk:
            case.refer(by=by, to_org=org, message=_("マッチングの紹介です。相手方との面談の設定と経過の記録をお願いします。"))
    return str(case.code)


def case_for(intro: Introduction) -> Any:
    from madoguchi.cases.models import Case

    return Case.objects.filter(code=intro.case_ref).first() if intro.case_ref else None
