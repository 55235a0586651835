"""The cases API: institutions send consultations with a token; cases are read and referrals
answered under exactly the rules of the pages (access.py, rules.py).

Token auth (Authorization: Bearer …) acts as the token's staff user, so the same object
permissions apply. Header-token endpoints need no CSRF token; session-cookie calls do.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from madoguchi.cases.access import get_case_for_user, get_referral_for_user
from madoguchi.cases.forms import IntakeForm
from madoguchi.cases.intake import create_consultation
from madoguchi.cases.models import Case, Conflict, Referral
from madoguchi.cases.notify import absolute
from madoguchi.cases.rules import listed_cases
from madoguchi.directory import roles
from madoguchi.directory.models import Organization
from madoguchi.lib.http import AuthenticatedHttpRequest
from madoguchi.platform.api.auth import InstitutionToken
from madoguchi.platform.api.auth import session_auth as django_auth
from madoguchi.platform.api.errors import ApiError, ErrorOut
from madoguchi.platform.api.params import limit_param, offset_param, paginate

router = Router(tags=["cases"])

class ConsultationIn(Schema):
    # Everything optional here on purpose: the intake form validates, so the API and the
    # page give the same specific Japanese messages (e.g. a missing consent).
    kind: str = ""
    name: str = ""
    corporate_number: str = ""
    contact_name: str = ""
    email: str = ""
    phone: str = ""
    municipality: str = ""
    stage: str = ""
    functions: list[str] = []
    need: str = ""
    consent: str = ""
    named_organizations: list[str] = []


class CaseCreatedOut(Schema):
    code: uuid.UUID
    status: str
    url: str


class ActivityOut(Schema):
    at: dt.datetime
    kind: str
    organization: str | None
    text: str


class ReferralOut(Schema):
    uuid: uuid.UUID
    from_org: str
    to_org: str
    status: str
    status_label: str
    outcome: str
    reason: str
    version: int
    sent_at: dt.datetime
    overdue: bool


class CaseOut(Schema):
    code: uuid.UUID
    status: str
    status_label: str
    owner: str
    created: dt.datetime
    municipality: str | None
    stage: str | None
    functions: list[str]
    need: str
    consent: str
    consent_withdrawn_at: dt.datetime | None
    can_write: bool
    referrals: list[ReferralOut]
    timeline: list[ActivityOut]


class ReferralActionIn(Schema):
    version: int
    reason: str = ""
    outcome: str = ""


def _first_form_error(form: IntakeForm) -> ApiError:
    for field, errors in form.errors.items():
        parameter = None if field == "__all__" else field
        return ApiError(422, "invalid_parameter", str(errors[0]), parameter=parameter)
    return ApiError(422, "invalid_parameter", _("入力内容を確認してください。"))


def _referral_out(r: Referral) -> dict[str, Any]:
    return {"uuid": r.uuid, "from_org": r.from_org.display_name, "to_org": r.to_org.display_name,
            "status": r.status, "status_label": r.get_status_display(), "outcome": r.outcome, "reason": r.reason,
            "version": r.version, "sent_at": r.created,
            "overdue": r.overdue_flagged_at is not None and r.status == Referral.Status.SENT}


def _case_out(case: Case, can_write: bool) -> dict[str, Any]:
    return {
        "code": case.code, "status": case.status, "status_label": case.get_status_display(),
        "owner": case.owner.display_name, "created": case.created,
        "municipality": case.municipality.code if case.municipality else None,
        "stage": case.stage.code if case.stage else None,
        "functions": list(case.functions.values_list("code", flat=True)),
        "need": case.need, "consent": case.consent, "consent_withdrawn_at": case.consent_withdrawn_at,
        "can_write": can_write,
        "referrals": [_referral_out(r) for r in case.referrals.select_related("from_org", "to_org")],
        "timeline": [{"at": a.created, "kind": a.kind, "organization": a.organization.display_name if a.organization else None,
                      "text": a.text} for a in case.visible_activities()],
    }


@router.post("/consultations", auth=InstitutionToken(), response={200: CaseCreatedOut, 201: CaseCreatedOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
             summary="相談を登録する（機関のトークン、Idempotency-Key ヘッダーで再送しても1件）")
def create(request: HttpRequest, payload: ConsultationIn) -> Status:
    m = roles.staff_membership(request.user)
    # The rule itself: a superuser's token acts by the membership too.
    if m is None or not rules.has_perm("cases.may_register_consultation", request.user):
        raise ApiError(403, "forbidden", _("このトークンの利用者には相談を登録する権限がありません（閲覧のみ）。"))
    form = IntakeForm(data=payload.dict())
    if not form.is_valid():
        raise _first_form_error(form)
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 100:
        raise ApiError(422, "invalid_parameter", _("Idempotency-Key は100文字以内で指定してください。"),
                       parameter="Idempotency-Key")
    try:
        case, created = _create_once(form.cleaned_data, m.organization, request.user, key)
    except ValidationError as exc:
        raise ApiError(422, "invalid_parameter", exc.messages[0]) from exc
    body = {"code": case.code, "status": case.status, "url": absolute(case.get_absolute_url())}
    # A retry with the same key gets the first answer again, with 200 instead of 201.
    return Status(201 if created else 200, body)


def _create_once(data: dict[str, Any], owner: Organization, by: Any, key: str) -> tuple[Case, bool]:
    """The case for this Idempotency-Key: (new case, True), or (the stored one, False) on a replay.

    The insert decides, not a look-up before it: two retries racing each other both find nothing,
    both insert, and the unique constraint (owner, idempotency_key) lets exactly one commit; the
    other's savepoint is rolled back (its client, user and queued email with it) and it answers
    with the winner's case. Under READ COMMITTED the loser's insert waits for the winner's commit,
    so the case is visible by the time the violation is raised.
    """
    if key:
        stored = Case.objects.filter(owner=owner, idempotency_key=key).first()
        if stored is not None:  # the ordinary retry: no insert attempted
            return stored, False
    try:
        with transaction.atomic():  # the savepoint, should a caller already hold a transaction
            return create_consultation(data, owner=owner, by=by, idempotency_key=key), True
    except IntegrityError:
        stored = Case.objects.filter(owner=owner, idempotency_key=key).first() if key else None
        if stored is None:  # another constraint failed, not this key's: a real error
            raise
        return stored, False


class CaseSummaryOut(Schema):
    code: uuid.UUID
    status: str
    status_label: str
    owner: str
    created: dt.datetime
    url: str


class CaseListOut(Schema):
    count: int
    items: list[CaseSummaryOut]


@router.get("/cases", auth=[InstitutionToken(), django_auth], response={200: CaseListOut, 401: ErrorOut, 422: ErrorOut},
            summary="自機関の相談（相談者は自分の相談）の一覧")
def case_list(request: HttpRequest, limit: int = limit_param(), offset: int = offset_param()) -> dict[str, Any]:
    # The same rows as the /cases/ page: the client's own, or what the institution may open now.
    cases = listed_cases(request.user)
    count, rows = paginate(cases.select_related("owner").order_by("-created", "pk"), limit, offset)
    return {"count": count, "items": [
        {"code": c.code, "status": c.status, "status_label": c.get_status_display(), "owner": c.owner.display_name,
         "created": c.created, "url": absolute(c.get_absolute_url())} for c in rows]}


@router.get("/cases/{code}", auth=[InstitutionToken(), django_auth], response={200: CaseOut, 401: ErrorOut, 404: ErrorOut},
            summary="相談を1件取得する")
def case_detail(request: HttpRequest, code: uuid.UUID) -> dict[str, Any]:
    case, can_write = get_case_for_user(request.user, code, via="api")
    return _case_out(case, can_write)


@router.post("/cases/{code}/referrals/{referral_uuid}/{action}", auth=[InstitutionToken(), django_auth],
             response={200: ReferralOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
             summary="紹介に回答する（accept / decline / start / complete / close）")
def referral_action(request: AuthenticatedHttpRequest, code: uuid.UUID, referral_uuid: uuid.UUID, action: str,
                    payload: ReferralActionIn) -> dict[str, Any]:
    case, _can_write = get_case_for_user(request.user, code, log_read=False, via="api")
    if action not in Referral.TRANSITIONS:
        raise ApiError(404, "not_found", _("操作 %(action)s はありません。accept / decline / start / complete / close のいずれかです。")
                       % {"action": action})
    perm = "cases.may_close_referral" if action == Referral.Action.CLOSE else "cases.may_respond_referral"
    try:
        referral = get_referral_for_user(request.user, case, referral_uuid, perm)
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", _("この紹介に対してこの操作を行う権限がありません。")) from exc
    try:
        referral.transition(action, by=request.user, expected_version=payload.version,
                            outcome=payload.outcome, reason=payload.reason)
    except Conflict as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    except ValidationError as exc:
        raise ApiError(422, "invalid_parameter", exc.messages[0]) from exc
    return _referral_out(referral)
