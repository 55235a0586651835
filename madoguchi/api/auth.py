"""Session authentication for the API that answers an anonymous request 401, not 403.

ninja's `django_auth` checks the CSRF token before it looks at the session, so an anonymous
POST (no session, hence no token) got 403 `csrf_failed`: a client was told to fix a token when
what it lacks is a login. Here an anonymous request is simply not authenticated (the next
method, or 401 in the one error shape); a logged-in request without the token still gets 403.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth


class SessionOrAnonymous(SessionAuth):
    def __call__(self, request: HttpRequest) -> Any | None:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


session_auth = SessionOrAnonymous()
