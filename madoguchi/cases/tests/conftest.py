"""The cast for every cases test, built inline (no loaded plan needed).

alice   staff of the core institution (A), which owns the case
cora    coordinator at the core institution
bob     staff of institution B, which receives a referral
dora    read-only member of B
charlie staff of institution C, uninvolved
client  the 相談者 whose case it is; other_client has a case of their own
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from madoguchi.cases.models import Activity, Case, Client, Referral
from madoguchi.directory.models import BusinessStage, Membership, Municipality, Organization, SupportFunction


@pytest.fixture(autouse=True)
def _japanese() -> Any:
    """Messages are asserted in Japanese; another test module may have left English active."""
    from django.utils import translation

    with translation.override("ja"):
        yield


@pytest.fixture(autouse=True)
def _no_search_index_left_behind() -> Any:
    """The coordinator's page runs the one-stop search, which caches its index per process;
    drop it after each test so no later test sees this test's rolled-back documents."""
    yield
    import sys

    service = sys.modules.get("madoguchi.search.service")
    if service is not None:
        service._corpus = None  # type: ignore[attr-defined]  # found in sys.modules: typed as a bare ModuleType


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any, tmp_path: Path) -> None:
    # MD5 only for speed; test_accounts proves argon2 is what production settings use.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"


def _org(slug: str, name: str, kind: str, email: str = "") -> Organization:
    return Organization.objects.create(slug=slug, name=name, kind=kind, email=email)


@pytest.fixture
def org_a(db: None) -> Organization:
    return _org("miyagi-ip", "みやぎ産業振興機構", Organization.Kind.CORE)


@pytest.fixture
def org_b(db: None) -> Organization:
    return _org("sendai-sangyo", "仙台市産業振興事業団", Organization.Kind.SUPPORT)


@pytest.fixture
def org_c(db: None) -> Organization:
    return _org("tohoku-bureau", "東北経済産業局", Organization.Kind.SUPPORT)


def _user(username: str, org: Organization | None = None, role: str = Membership.Role.STAFF) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@example.jp", password="correct horse 1")
    if org is not None:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


@pytest.fixture
def alice(org_a: Organization) -> User:
    return _user("alice", org_a)


@pytest.fixture
def cora(org_a: Organization) -> User:
    return _user("cora", org_a, Membership.Role.COORDINATOR)


@pytest.fixture
def bob(org_b: Organization) -> User:
    return _user("bob", org_b)


@pytest.fixture
def dora(org_b: Organization) -> User:
    return _user("dora", org_b, Membership.Role.READONLY)


@pytest.fixture
def charlie(org_c: Organization) -> User:
    return _user("charlie", org_c)


@pytest.fixture
def sendai(db: None) -> Municipality:
    return Municipality.objects.create(code="041009", name="仙台市", kind=Municipality.Kind.DESIGNATED_CITY)


@pytest.fixture
def stage(db: None) -> BusinessStage:
    return BusinessStage.objects.create(code="startup", name="創業期", order=2)


@pytest.fixture
def function(db: None) -> SupportFunction:
    return SupportFunction.objects.create(code="finance", name="資金・設備支援", short_name="資金", order=4)


def make_client(name: str, email: str) -> Client:
    user = User.objects.create_user(username=f"client-{email}", email=email, password="correct horse 1")
    return Client.objects.create(kind=Client.Kind.PERSON, name=name, email=email, user=user)


def make_case(client: Client, owner: Organization, municipality: Municipality | None = None,
              consent: str = Case.Consent.PLATFORM, need: str = "食品の販路を広げたい") -> Case:
    case = Case.objects.create(client=client, owner=owner, municipality=municipality, need=need, consent=consent)
    case.add_activity(Activity.Kind.CREATED, by=None, organization=owner, text="受付")
    return case


@pytest.fixture
def the_client(db: None) -> Client:
    return make_client("山田太郎", "yamada@example.jp")


@pytest.fixture
def other_client(db: None) -> Client:
    return make_client("佐藤花子", "sato@example.jp")


@pytest.fixture
def case(the_client: Client, org_a: Organization, sendai: Municipality) -> Case:
    return make_case(the_client, org_a, sendai)


@pytest.fixture
def referral(case: Case, alice: User, org_b: Organization) -> Referral:
    """The case referred from A (the owner) to B; B has not answered yet."""
    return case.refer(by=alice, to_org=org_b, message="融資の相談に乗ってください")


@pytest.fixture
def csrf_client() -> HttpClient:
    return HttpClient(enforce_csrf_checks=True)


def login(client: HttpClient, user: User | None) -> HttpClient:
    if user is not None:
        client.force_login(user)
    return client


class _Inbox:
    """What the SMTP server received: envelopes, and the parsed messages."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[Any]:
        import email
        from email import policy

        return [email.message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; Django's SMTP backend is pointed at it."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()
