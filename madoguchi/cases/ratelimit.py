"""Named rate-limit policies for the cases app's public doors."""

from __future__ import annotations

from django.http import HttpRequest

from madoguchi.cases.models import TokenBucket


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the sender wants it to be unless a trusted
    # proxy set it, and the same rule is used for the login lockout (AXES_IPWARE_META_PRECEDENCE_ORDER).
    return request.META.get("REMOTE_ADDR", "")


def authorize_intake_ip(request: HttpRequest) -> bool:
    """At most 10 consultations an hour from one address: people, not scripts."""
    return TokenBucket.authorize("intake-ip", client_ip(request), capacity=10, per_seconds=3600)


def authorize_password_reset_email(email: str) -> bool:
    """At most 3 reset emails an hour to one address, so the form cannot be used to flood a mailbox."""
    return TokenBucket.authorize("reset-email", email.strip().lower(), capacity=3, per_seconds=3600)
