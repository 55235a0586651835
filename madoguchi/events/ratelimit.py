"""Named rate-limit policies for the public event forms (buckets in cases.TokenBucket).

Without them a script could fill every seat with invented names, or use the subscribe form
to send confirmation emails to someone else's mailbox over and over.
"""

from __future__ import annotations

from django.http import HttpRequest

from madoguchi.cases.models import TokenBucket
from madoguchi.cases.ratelimit import client_ip

# TokenBucket.key is 80 characters: "<policy>:" + 60 hex digits, so policy names stay under 20.


def authorize_registration_ip(request: HttpRequest) -> bool:
    """At most 20 registrations an hour from one address (a company may register its staff)."""
    return TokenBucket.authorize("ev-register-ip", client_ip(request), capacity=20, per_seconds=3600)


def authorize_subscribe_ip(request: HttpRequest) -> bool:
    """At most 10 sign-ups an hour from one address."""
    return TokenBucket.authorize("ev-subscribe-ip", client_ip(request), capacity=10, per_seconds=3600)


def authorize_subscribe_email(email: str) -> bool:
    """At most 3 emails an hour from the subscribe form to one mailbox."""
    return TokenBucket.authorize("ev-subscribe-mail", email.strip().lower(), capacity=3, per_seconds=3600)
