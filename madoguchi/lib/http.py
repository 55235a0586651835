"""The request type of a view that only a signed-in user reaches.

Django types `request.user` as a user or AnonymousUser; behind `login_required` (or an API route
whose auth let the request in) it is always a User, and the model methods that record who acted
(`case.refer(by=…)`) need one. Only an annotation: Django still builds plain HttpRequests.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    user: User
