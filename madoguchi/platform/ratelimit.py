"""Named rate-limit policies, all in one place (buckets in platform.TokenBucket).

Each public door that a script could abuse has a policy here: without them a script could
send consultations in bulk, fill every seat of an event with invented names, or use a form to
send email to someone else's mailbox over and over. Tests empty a bucket first
(`TokenBucket.objects.create(key=TokenBucket.hashed(policy, value), tokens=0.0)`).

TokenBucket.key is 80 characters: "<policy>:" + 60 hex digits, so policy names stay under 20.
"""

from __future__ import annotations

from django.http import HttpRequest

from madoguchi.platform.models import TokenBucket


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the sender wants it to be unless a trusted
    # proxy set it, and the same rule is used for the login lockout (AXES_IPWARE_META_PRECEDENCE_ORDER).
    return request.META.get("REMOTE_ADDR", "")


# --- cases: the public consultation form, password reset ----------------------------------

def authorize_intake_ip(request: HttpRequest) -> bool:
    """At most 10 consultations an hour from one address: people, not scripts."""
    return TokenBucket.authorize("intake-ip", client_ip(request), capacity=10, per_seconds=3600)


def authorize_password_reset_email(email: str) -> bool:
    """At most 3 reset emails an hour to one address, so the form cannot be used to flood a mailbox."""
    return TokenBucket.authorize("reset-email", email.strip().lower(), capacity=3, per_seconds=3600)


# --- events (and catalog's saved-search alerts, which share the subscribe policies) -------

def authorize_registration_ip(request: HttpRequest) -> bool:
    """At most 20 registrations an hour from one address (a company may register its staff)."""
    return TokenBucket.authorize("ev-register-ip", client_ip(request), capacity=20, per_seconds=3600)


def authorize_subscribe_ip(request: HttpRequest) -> bool:
    """At most 10 sign-ups an hour from one address."""
    return TokenBucket.authorize("ev-subscribe-ip", client_ip(request), capacity=10, per_seconds=3600)


def authorize_subscribe_email(email: str) -> bool:
    """At most 3 emails an hour from the subscribe form to one mailbox."""
    return TokenBucket.authorize("ev-subscribe-mail", email.strip().lower(), capacity=3, per_seconds=3600)
