"""Every URL pattern of the root urlconf, with every user of the cast: GET never answers 500.

The patterns are read from the resolver (not listed by hand), so a new page is walked the day
it is added; path parameters are filled with the real objects' identifiers (every candidate
of the parameter's name: a `slug` may be an organization's, a program's or an event's). The
admin is walked through its registry: the index, each app's page, and each model's list, add,
change, history and delete pages for its rows — for staff of every role, whose scoping is
exactly what could break there. An admin page answers 200, the admin's "no such object"
redirect (302; the login page for the anonymous visitor), 403 or 404: nothing else.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from madoguchi.cases.notify import follow_token
from madoguchi.events.models import Subscription
from madoguchi.lib.tests.cast import ROLES, Cast, build_cast
from madoguchi.matching.models import Introduction, Listing, SavedInterest

_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _pieces(patterns: list[Any], prefix: list[Any]) -> Iterator[list[Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern) == "admin/":
                continue  # walked through its registry below
            yield from _pieces(p.url_patterns, [*prefix, p.pattern])
        elif isinstance(p, URLPattern):
            yield [*prefix, p.pattern]


def _template(pieces: list[Any]) -> str:
    """One path template with {name} holes, from route and regex pieces alike."""
    out = ""
    for piece in pieces:
        text = str(piece)
        if isinstance(piece, RegexPattern):
            text = _GROUP.sub(lambda m: "{" + m.group("name") + "}", text.lstrip("^").rstrip("$")).replace("\\.", ".")
        else:
            text = _PARAM.sub(lambda m: "{" + m.group("name") + "}", text)
        out += text
    return "/" + out


def _candidates(cast: Cast) -> dict[str, list[str]]:
    case = cast.case
    other_listing = Listing.objects.create(kind=Listing.Kind.NEED, title="表面処理の技術を探しています",
                                           owner_organization=cast.orgs["owner"], status=Listing.Status.PUBLISHED)
    intro = Introduction.objects.create(listing=other_listing, candidate=cast.listing, requested_by=cast.users["staff"])
    interest = SavedInterest.objects.create(email="watch@example.jp", kind=Listing.Kind.PATENT, keywords="特許")
    subscription = Subscription.objects.create(email="news@example.jp")
    registration = cast.event.registrations.first()
    client_user = cast.user("client")
    program = cast.orgs["owner"].programs.first()
    assert registration is not None and program is not None  # the cast has one of each
    return {
        "code": [str(case.code), str(cast.other_case.code)],
        "referral_uuid": [str(cast.referral.uuid)] if cast.referral else [],
        "activity_uuid": [str(a) for a in case.activities.values_list("uuid", flat=True)[:2]],
        "action": ["accept", "decline", "close", "consent", "approve"],
        "token": [follow_token(case), "not-a-token", default_token_generator.make_token(client_user)],
        "uidb64": [urlsafe_base64_encode(force_bytes(client_user.pk))],
        "listing_uuid": [str(cast.listing.uuid), str(other_listing.uuid)],
        "intro_uuid": [str(intro.uuid)],
        "interest_uuid": [str(interest.uuid)],
        "uuid": [str(subscription.uuid), str(registration.uuid)],
        "slug": [cast.orgs["owner"].slug, program.slug, cast.event.slug, "no-such-slug"],
        "id": [str(cast.orgs["owner"].pk), cast.orgs["owner"].slug, str(cast.orgs["owner"].uuid), str(program.pk),
               program.slug, str(program.uuid), str(cast.event.pk), str(cast.event.uuid), cast.event.slug],
        "fmt": ["csv", "xlsx"],
        "rest": ["no/such/endpoint"],
    }


def site_paths(cast: Cast) -> list[str]:
    values = _candidates(cast)
    paths: list[str] = []
    for pieces in _pieces(get_resolver().url_patterns, []):
        template = _template(pieces)
        names = re.findall(r"{(\w+)}", template)
        for combo in itertools.product(*(values[n] for n in names)):
            paths.append(template.format(**dict(zip(names, combo, strict=True))))
    return sorted(set(paths))


def admin_paths() -> list[str]:
    paths = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        paths += [f"/admin/{meta.app_label}/", base, f"{base}add/"]
        for pk in model_admin.model._default_manager.values_list("pk", flat=True)[:3]:
            paths += [f"{base}{pk}/change/", f"{base}{pk}/history/", f"{base}{pk}/delete/"]
    return sorted(set(paths))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_page_answers_500_to_any_role(role: str, role_settings: Any) -> None:
    cast = build_cast("referred")
    paths = site_paths(cast)
    http = HttpClient(raise_request_exception=False)
    user = cast.users[role]
    if user is not None:
        http.force_login(user)
    admin_pages = admin_paths()

    failures = [(path, status) for path in paths if (status := http.get(path).status_code) >= 500]
    admin_failures = [(path, status) for path in admin_pages
                      if (status := http.get(path).status_code) not in (200, 302, 403, 404)]

    assert len(paths) > 150 and len(admin_pages) > 100  # the walk found the site, not an empty list
    assert failures == []
    assert admin_failures == []


@pytest.mark.django_db
def test_no_page_answers_500_to_a_superuser_without_a_membership(role_settings: Any) -> None:
    """Django grants a superuser every permission, rules included: pages that then read the
    user's institution must answer without one (403), not fail."""
    from django.contrib.auth.models import User

    cast = build_cast("referred")
    paths = site_paths(cast) + admin_paths()
    http = HttpClient(raise_request_exception=False)
    http.force_login(User.objects.create_superuser("root", "root@example.jp", "correct horse 1"))

    failures = [(path, status) for path in paths if (status := http.get(path).status_code) >= 500]

    assert failures == [], "\n".join(f"{p} {s}" for p, s in failures)
