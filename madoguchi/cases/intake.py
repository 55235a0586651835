"""Taking in a consultation: one function behind the public form and POST /api/consultations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from madoguchi.cases import notify
from madoguchi.cases.models import Activity, Case, Client
from madoguchi.directory.models import Organization


def core_institution() -> Organization:
    """The core institution (みやぎ産業振興機構) that receives public consultations."""
    core = Organization.objects.filter(kind=Organization.Kind.CORE).order_by("pk").first()
    if core is None:
        raise ValidationError(_("中核的支援機関が登録されていないため、相談を受け付けられません。管理者にお知らせください。"))
    return core


def _client_for(data: dict[str, Any]) -> Client:
    """A new Client; one who applied before with the same email keeps their account and record."""
    email = (data.get("email") or "").strip().lower()
    if email:
        existing = Client.objects.filter(email__iexact=email, user__isnull=False, anonymised_at__isnull=True).first()
        if existing is not None:
            return existing
    client = Client.objects.create(
        kind=data["kind"], name=data["name"], corporate_number=data.get("corporate_number", ""),
        contact_name=data.get("contact_name", ""), email=email, phone=data.get("phone", ""),
    )
    if email:
        # The account has no password until the client sets one through the emailed link.
        User = get_user_model()
        # The email is the user name clients log in with; should it be taken, a unique stand-in.
        taken = User.objects.filter(username__iexact=email).exists() or len(email) > 150
        username = f"client-{client.uuid}" if taken else email
        user = User.objects.create_user(username=username, email=email, password=None)
        client.user = user
        client.save(update_fields=["user"])
    return client


@transaction.atomic
def create_consultation(
    data: dict[str, Any], *, owner: Organization | None = None, by: Any = None, idempotency_key: str = "",
) -> Case:
    """Store a validated IntakeForm's cleaned_data as a new case; all or nothing. Returns the case.

    An idempotency key the same institution used before makes the insert fail with IntegrityError
    (the unique constraint decides, so two racing requests cannot both create a case); the API
    catches it and answers with the stored case (api.py `_create_once`).
    """
    owner = owner or core_institution()
    client = _client_for(data)
    case = Case.objects.create(
        client=client, owner=owner, municipality=data["municipality"], stage=data.get("stage"),
        need=data["need"], consent=data["consent"], idempotency_key=idempotency_key,
    )
    case.functions.set(data.get("functions") or [])
    if data["consent"] == Case.Consent.NAMED:
        case.named_organizations.set(data.get("named_organizations") or [])
    staff = by if by is not None and hasattr(by, "membership") else None
    case.add_activity(
        Activity.Kind.CREATED, by=staff, organization=owner,
        text=_("相談を受け付けました（共有の同意: %(consent)s）。") % {"consent": Case.Consent(data["consent"]).label},
    )
    if data.get("attachment"):
        case.add_activity(Activity.Kind.DOCUMENT, by=staff, organization=owner, text=_("申込時の資料"),
                          attachment=data["attachment"])
    notify.consultation_received(case)
    return case
