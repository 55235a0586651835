"""The signed link of a double opt-in (a saved search or a starred program subscribed by email).

The token is signed (django.core.signing, its own salt) over what it confirms and expires after
DAYS; a link cannot be guessed, altered or pointed at another subscription.
"""

from __future__ import annotations

import uuid as uuidlib

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "madoguchi.catalog.confirm"
DAYS = 7
KINDS = ("search", "star")


def token(kind: str, ref: uuidlib.UUID | str) -> str:
    assert kind in KINDS
    return signing.dumps([kind, str(ref)], salt=SALT)


def url(kind: str, ref: uuidlib.UUID | str) -> str:
    return settings.SITE_URL + reverse("catalog:alert_confirm", args=[token(kind, ref)])


def read(raw: str) -> tuple[str, str] | None:
    """(kind, uuid) of a valid, unexpired token; None otherwise."""
    try:
        kind, ref = signing.loads(raw, salt=SALT, max_age=DAYS * 24 * 3600)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (kind, str(ref)) if kind in KINDS else None
