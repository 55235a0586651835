"""Two staff answering the same referral at the same moment, in real concurrent transactions.

Needs PostgreSQL (on SQLite the IMMEDIATE transactions serialise writers and the test
database is in memory); the single-threaded version-conflict tests run everywhere.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connections

from madoguchi.cases.models import Case, Client, Conflict, Referral
from madoguchi.directory.models import Membership, Organization


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_answers_exactly_one_wins() -> None:
    core = Organization.objects.create(slug="core", name="みやぎ産業振興機構", kind=Organization.Kind.CORE)
    receiver = Organization.objects.create(slug="b", name="仙台市産業振興事業団", kind=Organization.Kind.SUPPORT)
    sender = User.objects.create_user("alice")
    Membership.objects.create(user=sender, organization=core)
    staff = []
    for name in ("bob", "bea"):
        user = User.objects.create_user(name)
        Membership.objects.create(user=user, organization=receiver)
        staff.append(user)
    client = Client.objects.create(kind=Client.Kind.PERSON, name="山田太郎")
    case = Case.objects.create(client=client, owner=core, need="販路開拓", consent=Case.Consent.PLATFORM)
    referral = case.refer(by=sender, to_org=receiver)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(user: User, action: str) -> None:
        try:
            mine = Referral.objects.get(pk=referral.pk)  # each loaded version 1
            barrier.wait()
            mine.transition(action, by=user, expected_version=1, reason="対象外" if action == "decline" else "")
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        except BaseException as exc:  # reported below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(staff[0], "accept")),
               threading.Thread(target=answer, args=(staff[1], "decline"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["conflict", "won"]
    referral.refresh_from_db()
    assert referral.version == 2 and referral.status in (Referral.Status.ACCEPTED, Referral.Status.DECLINED)
    assert case.activities.filter(kind="status").count() == 1  # the loser left no trace on the timeline


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_racing_retries_with_one_idempotency_key_store_one_case(bob: User, sendai: object) -> None:
    from django.test import Client as HttpClient

    from madoguchi.platform.models import ApiToken, OutboundEmail

    _row, raw = ApiToken.objects.issue(user=bob, name="B の受付システム")
    # With an email the losers also collide on the client's new user name, not only on the key.
    payload = {"kind": "company", "name": "株式会社みやぎ食品", "email": "info@miyagi-foods.example.jp",
               "municipality": "041009", "need": "販路開拓の相談", "consent": "platform"}
    barrier = threading.Barrier(6)
    answers: list[tuple[int, object]] = []

    def post() -> None:
        try:
            barrier.wait()
            response = HttpClient().post("/api/consultations", payload, content_type="application/json",
                                         HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_IDEMPOTENCY_KEY="b-20261204-0001")
            answers.append((response.status_code, response.json() if response.status_code < 500 else response.content))
        except BaseException as exc:  # reported below
            answers.append((0, repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(status for status, _body in answers) == [200, 200, 200, 200, 200, 201], answers
    assert len({str(body) for _status, body in answers}) == 1  # every retry got the first answer
    assert Case.objects.count() == 1 and Client.objects.count() == 1
    assert User.objects.filter(email="info@miyagi-foods.example.jp").count() == 1
    # the losers' rolled-back savepoints took their confirmation emails with them
    assert OutboundEmail.objects.filter(to="info@miyagi-foods.example.jp").count() == 1
