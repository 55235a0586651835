"""Everything held about a client, as JSON (個人情報保護法 第33条: 保有個人データの開示)."""

from __future__ import annotations

from typing import Any

from madoguchi.cases.models import Client


def _dt(value: Any) -> str | None:
    return value.isoformat() if value else None


def client_export(client: Client, *, user: Any) -> dict[str, Any]:
    """Return the client's record and every case of theirs `user` may export, with timelines."""
    cases = []
    for case in client.cases.select_related("owner", "municipality", "stage").prefetch_related(
        "functions", "named_organizations", "activities__organization", "referrals__from_org",
        "referrals__to_org", "reads__organization",
    ):
        if not user.has_perm("cases.may_export_case", case):
            continue
        cases.append({
            "code": str(case.code),
            "received_by": case.owner.display_name,
            "created": _dt(case.created),
            "status": case.get_status_display(),
            "outcome": case.get_outcome_display() if case.outcome else None,
            "municipality": case.municipality.name if case.municipality else None,
            "stage": case.stage.name if case.stage else None,
            "functions": [f.name for f in case.functions.all()],
            "need": case.need,
            "consent": {
                "scope": case.get_consent_display(),
                "named_organizations": [o.display_name for o in case.named_organizations.all()],
                "given_at": _dt(case.consent_given_at),
                "withdrawn_at": _dt(case.consent_withdrawn_at),
            },
            "timeline": [
                {"at": _dt(a.created), "kind": a.get_kind_display(),
                 "organization": a.organization.display_name if a.organization else None,
                 "text": a.text, "document": a.attachment_name or None}
                for a in case.activities.all()
            ],
            "referrals": [
                {"from": r.from_org.display_name, "to": r.to_org.display_name, "status": r.get_status_display(),
                 "sent_at": _dt(r.created), "message": r.message, "reason": r.reason,
                 "outcome": r.get_outcome_display() if r.outcome else None}
                for r in case.referrals.all()
            ],
            "read_by": [{"organization": r.organization.display_name, "at": _dt(r.at)} for r in case.reads.all()],
        })
    return {
        "client": {
            "kind": client.get_kind_display(), "name": client.name, "corporate_number": client.corporate_number,
            "contact_name": client.contact_name, "email": client.email, "phone": client.phone,
            "registered_at": _dt(client.created),
        },
        "cases": cases,
    }
