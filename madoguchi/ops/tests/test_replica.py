"""The router on a real primary + streaming replica pair (.ci/replica.sh; .ci/run starts it).

To tell the two apart by behaviour, the replica's replay is paused (pg_wal_replay_pause): a row
written then exists on the primary only, so a page that finds it read the primary, and one that
answers 404 read the replica.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from madoguchi.directory.models import Organization
from madoguchi.ops.router import forget_replica_health
from madoguchi.ops.tests.conftest import closed_port

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.replica,
    # Committed writes (the replica only sees what the primary committed); the replica is a test mirror.
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


def _write(request: HttpRequest) -> HttpResponse:
    """A visitor's form post: saves, then shows what it saved (within the same request)."""
    slug = request.POST["slug"]
    Organization.objects.create(slug=slug, name="書いたばかりの機関", kind=Organization.Kind.SUPPORT)
    return HttpResponse(Organization.objects.get(slug=slug).name)


urlpatterns = [path("write/", _write), path("", include("madoguchi.urls"))]


def _in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return bool(cursor.fetchone()[0])


def _on_replica(slug: str, present: bool = True, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while Organization.objects.using("replica").filter(slug=slug).exists() != present:
        assert time.monotonic() < deadline, f"{slug} did not reach the replica within {timeout} s"
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _fresh_health() -> Iterator[None]:
    forget_replica_health()
    yield
    forget_replica_health()


@pytest.fixture
def paused_replay() -> Iterator[None]:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


def _org(slug: str) -> Organization:
    return Organization.objects.create(slug=slug, name=f"機関 {slug}", kind=Organization.Kind.SUPPORT)


def test_the_pair_is_a_primary_and_a_standby() -> None:
    assert not _in_recovery("default")
    assert _in_recovery("replica")


def test_public_pages_and_search_read_the_replica() -> None:
    # A process's first search may build the main index under a lock row on the primary
    # (search.live), which pins that visitor to the primary; warm it with another visitor first:
    # what is measured below is an ordinary visit.
    assert Client().get("/api/search", {"q": "機関"}).status_code == 200
    _org("public")
    _on_replica("public")
    client = Client()
    with CaptureQueriesContext(connections["replica"]) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        assert client.get("/organizations/public/").status_code == 200
        assert client.get("/api/search", {"q": "機関"}).status_code == 200
    assert any("directory_organization" in q["sql"] for q in on_replica.captured_queries)
    assert any("search_" in q["sql"] for q in on_replica.captured_queries)
    assert [q["sql"] for q in on_primary.captured_queries] == []


@override_settings(ROOT_URLCONF=__name__)
def test_a_visitor_reads_what_they_just_wrote_from_the_primary(paused_replay: None) -> None:
    visitor = Client()
    # Same request: the write pins its reads to the primary (the replica has not got the row).
    response = visitor.post("/write/", {"slug": "mine"})
    assert response.status_code == 200 and response.content.decode() == "書いたばかりの機関"
    assert response.cookies["madoguchi_primary"]["max-age"] == settings.REPLICA_PIN_SECONDS

    # Next requests of the same visitor: the cookie sends them to the primary, which has it.
    assert visitor.get("/organizations/mine/").status_code == 200
    # Anyone else reads the replica, which (replay paused) has not seen it yet: proof of where reads go.
    assert Client().get("/organizations/mine/").status_code == 404


def test_replay_resumed_the_public_sees_the_row() -> None:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        _org("later")
        assert Client().get("/organizations/later/").status_code == 404
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    _on_replica("later")
    assert Client().get("/organizations/later/").status_code == 200


def test_a_replica_that_is_down_sends_reads_to_the_primary(paused_replay: None) -> None:
    _org("fallback")  # on the primary only (replay paused): a 200 below proves the primary answered
    replica = settings.DATABASES["replica"]
    real_port = replica["PORT"]
    connections["replica"].close()
    replica["PORT"] = closed_port()  # as if the replica's machine were gone
    try:
        started = time.monotonic()
        with CaptureQueriesContext(connections["default"]) as on_primary:
            assert Client().get("/organizations/fallback/").status_code == 200
            assert Client().get("/api/search", {"q": "機関"}).status_code == 200
        assert time.monotonic() - started < 5  # one short connect attempt, then remembered as down
        assert any("directory_organization" in q["sql"] for q in on_primary.captured_queries)
    finally:
        connections["replica"].close()
        replica["PORT"] = real_port
    forget_replica_health()
    assert Client().get("/organizations/fallback/").status_code == 404  # back on the (paused) replica
