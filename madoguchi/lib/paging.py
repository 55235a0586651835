"""Pages of a long list, with links that work without JavaScript, several lists to a page.

`paginate(request, items, param="programs")` reads its own query parameter, so an institution's
page can page its programs and its facilities separately; each link keeps every other parameter
(several values of a filter included) and jumps back to the list's heading.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def _url(request: HttpRequest, param: str, number: int, anchor: str) -> str:
    query = request.GET.copy()
    if number == 1:
        query.pop(param, None)  # page 1 is the page itself: one address for it
    else:
        query[param] = str(number)
    encoded = query.urlencode()
    return f"{request.path}{'?' + encoded if encoded else ''}{'#' + anchor if anchor else ''}"


def paginate(request: HttpRequest, items: Any, *, per_page: int, param: str = "page", anchor: str = "") -> Page:
    """The requested page of `items` (the first for a missing or bad number, the last past the end),
    with `prev_url` and `next_url` set for templates/paging/nav.html."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    page.prev_url = _url(request, param, page.previous_page_number(), anchor) if page.has_previous() else ""  # type: ignore[attr-defined]  # ours, for the template
    page.next_url = _url(request, param, page.next_page_number(), anchor) if page.has_next() else ""  # type: ignore[attr-defined]  # ours, for the template
    return page
