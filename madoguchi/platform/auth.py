"""Login lockout (django-axes) that tolerates callers without a request, capped per address too.

Axes needs the request to know who is knocking; Django's test client `login()` and
`manage.py` scripts call authenticate() without one. Those paths are not reachable from the
network: every login page and API auth in this project passes the request, so lockout
applies to everything an attacker can reach.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class LoginLockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class AddressCappedHandler(AxesDatabaseHandler):
    """Axes' database handler that also caps failures per address across user names.

    The pair (user name, address) locks after AXES_FAILURE_LIMIT failures, so one attacker cannot
    lock a user out from everywhere. On top, an address locks once its failures against all names
    reach AXES_ADDRESS_FAILURE_LIMIT (higher: colleagues share an office's address), so it can no
    longer try four passwords on every account. Not done by adding "ip_address" to
    AXES_LOCKOUT_PARAMETERS: axes would then apply the per-user limit to the whole address, and a
    successful login would erase the address's failures against every other account (axes 8
    resets every attempt matching any lockout parameter), so an attacker with an account of their
    own could log in between guesses to reset the count.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        per_account = super().get_failures(request, credentials)
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(per_account, get_failure_limit(request, credentials))
        return per_account


def address_failures(request: HttpRequest) -> int:
    """Failed logins from the request's address within the cool-off time, whatever the user name."""
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]  # set on the request by axes' middleware
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
