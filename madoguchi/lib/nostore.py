"""One rule for every page with personal data: `Cache-Control: private, no-store`.

A shared cache (a proxy, a CDN) must never keep a client's case, and a browser must not leave one on
the disk of a shared office PC. The rule is kept here, in one place, rather than on each view, so a
new view under a personal route is covered without anyone remembering a decorator:

- every response to a signed-in user (staff pages show names, contacts and unmasked listings);
- every response under a personal route, whoever asks: the client's status page reached by its
  token, a registration or subscription reached by its link, the API's case endpoints reached
  with an institution token (no session), the login and password-reset pages.

Public pages (programs, events, search) stay cacheable for anonymous visitors.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# URL routes (as Django's resolver spells them, without the leading slash) whose every page is personal.
PERSONAL_ROUTE_PREFIXES: tuple[str, ...] = (
    "cases/",  # case pages, export.json, documents, inbox, intake receipt, the client's follow page
    "reports/",  # reports and their CSV/XLSX downloads
    "accounts/",  # login, password reset
    "admin/",  # includes the registrations' roll-call download
    "api/cases",
    "api/consultations",
    "api/matching/listings/<listing_uuid>/suggestions",
    "api/matching/listings/<listing_uuid>/introductions",
    "events/registrations/",  # a registration's page and its cancellation (name, contacts)
    "events/subscriptions/",  # the subscriber's address and interests
    "unsubscribe/",
    "matching/interests/",
    "matching/i/",  # an introduction between two parties
)


def is_personal(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    match = request.resolver_match
    route = match.route if match is not None else request.path_info.lstrip("/")
    return route.startswith(PERSONAL_ROUTE_PREFIXES)


class PersonalNoStoreMiddleware:
    """After authentication in MIDDLEWARE, so `request.user` is known."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_personal(request):
            patch_cache_control(response, private=True, no_store=True)
        return response
