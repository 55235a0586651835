"""What is told, by email, when something happens to a case. All mail is queued (platform/mail.py);
which institution staff receive it is directory/recipients.py's table.

The models never call this module: they send the signals of signals.py, heard here (`connect`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from madoguchi.cases import signals
from madoguchi.directory.models import Organization
from madoguchi.directory.recipients import Purpose, staff_addresses
from madoguchi.lib.addresses import deliverable
from madoguchi.platform.mail import enqueue_email
from madoguchi.platform.redaction import reference

if TYPE_CHECKING:
    from madoguchi.cases.models import Case, Referral

FOLLOW_SALT = "madoguchi.cases.follow"
FOLLOW_MAX_AGE = 60 * 60 * 24 * 180  # the link in the confirmation email works for 180 days


def follow_token(case: Case) -> str:
    return signing.dumps(str(case.code), salt=FOLLOW_SALT)


def case_from_follow_token(token: str) -> str | None:
    """Return the case code the token was made for, or None when it is forged or expired."""
    try:
        return str(signing.loads(token, salt=FOLLOW_SALT, max_age=FOLLOW_MAX_AGE))
    except signing.BadSignature:
        return None


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def consultation_received(case: Case) -> None:
    client = deliverable(case.client.email)
    if not client:
        return
    link = absolute(reverse("cases:follow", args=[follow_token(case)]))
    body = _(
        "%(name)s 様\n\nご相談を受け付けました。受付番号: %(code)s\n\n"
        "相談の状況は次のリンクから確認できます（パスワードを設定すると、ログインしていつでも確認できます）。\n"
        "%(link)s\n\n"
        "このメールに心当たりがない場合は破棄してください。\n"
    ) % {"name": case.client.name, "code": case.short_code, "link": link}
    enqueue_email(client, _("【madoguchi】ご相談を受け付けました（受付番号 %(code)s）") % {"code": case.short_code}, body,
                  reference=reference(case))
    new_case = _("新しい相談が届きました。受付番号: %(code)s\n%(link)s\n") % {
        "code": case.short_code, "link": absolute(case.get_absolute_url())}
    enqueue_email(staff_addresses(None, Purpose.NEW_CONSULTATION), _("【madoguchi】新しい相談 %(code)s") % {"code": case.short_code}, new_case)


def referral_sent(referral: Referral) -> None:
    body = _("%(from)s から相談の紹介が届きました。\n受付番号: %(code)s\n内容を確認し、受諾または辞退してください。\n%(link)s\n") % {
        "from": referral.from_org.display_name, "code": referral.case.short_code,
        "link": absolute(referral.case.get_absolute_url())}
    enqueue_email(staff_addresses(referral.to_org, Purpose.REFERRAL_RECEIVED), _("【madoguchi】相談の紹介が届きました（%(code)s）") % {
        "code": referral.case.short_code}, body)


def referral_declined(referral: Referral) -> None:
    body = _("%(to)s が紹介を辞退しました。\n理由: %(reason)s\n受付番号: %(code)s\n次の紹介先を検討してください。\n%(link)s\n") % {
        "to": referral.to_org.display_name, "reason": referral.reason, "code": referral.case.short_code,
        "link": absolute(referral.case.get_absolute_url())}
    recipients = staff_addresses(referral.from_org, Purpose.REFERRAL_DECLINED)
    enqueue_email(recipients, _("【madoguchi】紹介が辞退されました（%(code)s）") % {"code": referral.case.short_code}, body,
                  reference=reference(referral.case))  # the reason may name the client


def referral_overdue(referral: Referral, business_days: int) -> None:
    body = _("%(from)s から %(to)s への紹介に、%(days)s 営業日を過ぎても回答がありません。\n受付番号: %(code)s\n%(link)s\n") % {
        "from": referral.from_org.display_name, "to": referral.to_org.display_name, "days": business_days,
        "code": referral.case.short_code, "link": absolute(referral.case.get_absolute_url())}
    recipients = staff_addresses(referral.to_org, Purpose.REFERRAL_OVERDUE)
    enqueue_email(recipients, _("【madoguchi】紹介への回答が期限を過ぎています（%(code)s）") % {
        "code": referral.case.short_code}, body)


def consent_withdrawn(case: Case, organizations: list[Organization]) -> None:
    """Tell the other institutions holding the case that they can no longer see it."""
    body = _("相談者が情報共有への同意を撤回しました（受付番号: %(code)s）。\n"
             "以後、この相談は貴機関から閲覧できません。必要な場合は受付機関（%(owner)s）にお問い合わせください。\n") % {
        "code": case.short_code, "owner": case.owner.display_name}
    recipients = [address for org in organizations for address in staff_addresses(org, Purpose.CONSENT_WITHDRAWN)]
    enqueue_email(recipients, _("【madoguchi】情報共有の同意が撤回されました（%(code)s）") % {"code": case.short_code}, body)


# --- receivers of the models' signals (signals.py), connected by CasesConfig.ready ----------

def _on_referral_sent(sender: object, *, referral: Referral, **kwargs: object) -> None:
    referral_sent(referral)


def _on_referral_declined(sender: object, *, referral: Referral, **kwargs: object) -> None:
    referral_declined(referral)


def _on_consent_withdrawn(sender: object, *, case: Case, organizations: list[Organization], **kwargs: object) -> None:
    consent_withdrawn(case, organizations)


def connect() -> None:
    """Listen to the models' signals; dispatch_uid keeps one receiver each if ready() runs twice."""
    signals.referral_sent.connect(_on_referral_sent, dispatch_uid="madoguchi.cases.notify.referral_sent")
    signals.referral_declined.connect(_on_referral_declined, dispatch_uid="madoguchi.cases.notify.referral_declined")
    signals.consent_withdrawn.connect(_on_consent_withdrawn, dispatch_uid="madoguchi.cases.notify.consent_withdrawn")
