"""One-click unsubscribe for every bulk mail (RFC 8058), behind one signed link.

A bulk mail (the events digest, matching alerts) carries

    List-Unsubscribe: <SITE_URL/unsubscribe/TOKEN/>
    List-Unsubscribe-Post: List-Unsubscribe=One-Click

and the same link in its body. TOKEN is signed (django.core.signing) over what to stop, so it cannot
be guessed or altered; that signature is what lets this one view do without a session and be
exempt from CSRF: a mail client's POST carries no cookie and no CSRF token, and a forged POST from
another site would need the recipient's own token. A GET only shows a page with a button, because
mail scanners open links and must not unsubscribe anyone.

Apps say what their kinds of subscription are with `register()` in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

SALT = "madoguchi.unsubscribe"


@dataclass(frozen=True)
class Kind:
    """describe(ref) says what the link stops (None when it no longer exists or is already stopped);
    stop(ref) stops it."""

    describe: Callable[[str], str | None]
    stop: Callable[[str], None]


_KINDS: dict[str, Kind] = {}


def register(name: str, describe: Callable[[str], str | None], stop: Callable[[str], None]) -> None:
    _KINDS[name] = Kind(describe, stop)


def token(kind: str, ref: str) -> str:
    if kind not in _KINDS:
        raise KeyError(f"unknown unsubscribe kind {kind!r}; register it in the app's ready()")
    return signing.dumps([kind, ref], salt=SALT)


def url(kind: str, ref: str) -> str:
    """The absolute link, from SITE_URL (never the request's host: mail is sent by the worker)."""
    return settings.SITE_URL + reverse("unsubscribe", args=[token(kind, ref)])


def headers(kind: str, ref: str) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers for a bulk mail."""
    return {"List-Unsubscribe": f"<{url(kind, ref)}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _read(raw: str) -> tuple[Kind, str] | None:
    # No max_age: an unsubscribe link must keep working in an old mail as long as mail is sent.
    try:
        name, ref = signing.loads(raw, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    kind = _KINDS.get(name) if isinstance(name, str) else None
    return (kind, str(ref)) if kind is not None else None


@csrf_exempt  # the only exempt view: the signed token stands in for the CSRF token (module docstring)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = _read(token)
    if found is None:
        return render(request, "unsubscribe.html", {"state": "invalid"}, status=400)
    kind, ref = found
    what = kind.describe(ref)
    if what is None:
        return render(request, "unsubscribe.html", {"state": "already"})
    if request.method == "POST":  # the page's button, or a mail client's one-click POST
        kind.stop(ref)
        return render(request, "unsubscribe.html", {"state": "done", "what": what})
    return render(request, "unsubscribe.html", {"state": "confirm", "what": what})
