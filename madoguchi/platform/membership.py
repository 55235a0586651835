"""The membership lookup every app's access rules start from: which institution a user works for.

A user's membership (directory.Membership, one per user) is reached through the reverse
one-to-one `user.membership`, so platform needs no import of directory; directory/roles.py
builds the role helpers on these two and is where the apps ask.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist


def membership(user: Any) -> Any | None:
    """The user's directory.Membership (any role), or None for anonymous users and clients."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.membership
    except ObjectDoesNotExist:
        return None


def staff_membership(user: Any) -> Any | None:
    """The membership when it lets the user work with personal data (cases, listings' owners):
    every role except the prefecture's, which reads aggregates only (Membership.sees_personal_data)."""
    m = membership(user)
    return m if m is not None and m.sees_personal_data else None
