"""Login lockout (django-axes) that tolerates callers without a request.

Axes needs the request to know who is knocking; Django's test client `login()` and
`manage.py` scripts call authenticate() without one. Those paths are not reachable from the
network: every login page and API auth in this project passes the request, so lockout
applies to everything an attacker can reach.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginLockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
