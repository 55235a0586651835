"""Authentication for the API: an institution's token, or the browser's session.

Token auth (Authorization: Bearer …) acts as the token's staff user, so the same object rules
apply as on the pages.

Session authentication answers an anonymous request 401, not 403. ninja's `django_auth`
checks the CSRF token before it looks at the session, so an anonymous POST (no session, hence
no token) got 403 `csrf_failed`: a client was told to fix a token when what it lacks is a
login. Here an anonymous request is simply not authenticated (the next method, or 401 in the
one error shape); a logged-in request without the token still gets 403.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from madoguchi.platform.membership import staff_membership
from madoguchi.platform.models import ApiToken


class InstitutionToken(HttpBearer):
    """An institution's API token; the request then acts as the token's staff user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.authenticate(token)
        if found is None or staff_membership(found.user) is None:
            return None
        request.user = found.user
        return found.user


class SessionOrAnonymous(SessionAuth):
    def __call__(self, request: HttpRequest) -> Any | None:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


session_auth = SessionOrAnonymous()
