"""The access helpers every case view (and API endpoint) starts with.

Outsiders get 404, never 403, so a case's existence does not leak; a user who may see the
case but not change it gets 403 when they try. Reads by another institution are logged here,
because this is the one place every read passes through.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from madoguchi.cases.models import Case, CaseRead, Referral
from madoguchi.directory import roles


def _parse_code(code: Any) -> uuid.UUID:
    try:
        return code if isinstance(code, uuid.UUID) else uuid.UUID(str(code))
    except ValueError:
        raise Http404 from None


def get_case_for_user(
    user: Any, code: Any, *, log_read: bool = True, via: str = "web", what: str = CaseRead.What.CASE,
) -> tuple[Case, bool]:
    """Return (case, can_write) for `user`; raise Http404 when the user may not see the case.

    A read by another institution is logged as `what` (CaseRead.What) on the reader's line for today."""
    case = Case.objects.select_related("client", "owner", "municipality", "stage").filter(code=_parse_code(code)).first()
    if case is None or not user.has_perm("cases.may_view_case", case):
        raise Http404
    m = roles.staff_membership(user)
    if log_read and m is not None and m.organization_id != case.owner_id:
        CaseRead.record(case=case, user=user, organization=m.organization, via=via, what=what)
    return case, user.has_perm("cases.may_change_case", case)


def get_referral_for_user(user: Any, case: Case, referral_uuid: Any, perm: str) -> Referral:
    """Return the case's referral if `user` holds `perm` on it: 404 if not this case's, 403 if not allowed."""
    referral = case.referrals.select_related("from_org", "to_org").filter(uuid=_parse_code(referral_uuid)).first()
    if referral is None:
        raise Http404
    if not user.has_perm(perm, referral):
        raise PermissionDenied
    return referral


def require(user: Any, perm: str, obj: Any) -> None:
    """403 unless `user` holds `perm` on `obj` (the caller has already made sure they may see it)."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied
