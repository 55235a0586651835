"""The shared cast of users for the role tables: one platform, one case, one listing, one event.

Every app's role × action table (each app's tests/test_access_table.py) and the cross-app
tests here use this one cast: the `cast` fixture of the top conftest.py builds it.

Institutions
  core    みやぎ産業振興機構, the core institution (中核的支援機関)
  owner   仙台市産業振興事業団, which owns the case and the event
  target  東北テック研究所, which receives the referral and owns an anonymous listing
  outside 東北経済産業局, uninvolved
  former  an institution that was core when its coordinator and administrator were appointed
          and is not any more (its kind changed by a bulk update, which skips every check):
          the rows the database and validation would refuse today, as old data may hold them

Users (every staff member is_staff, in a group holding every model permission of every app and
of the accounts and login records, so the admin's row scoping is what stands between them and
other institutions' rows)
  client, other_client   相談者 with a case each (the other's taken in by the core institution)
  staff, readonly        担当者 and 閲覧のみ at owner
  receiver               担当者 at target, which the case is referred to and which owns the listing
  coordinator            coordinator at core
  coord_noncore          coordinator role at former (not core)
  admin_noncore          admin role at former (not core)
  org_admin              the institution administrator (機関の管理者) at outside
  prefecture             the prefecture's viewer, placed at the core institution (the worst place)
  outsider               担当者 at outside
  anonymous              nobody logged in
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.db import transaction
from django.test import Client as HttpClient
from django.utils import timezone

from madoguchi.cases.models import Case, Client, Referral
from madoguchi.cases.tests.conftest import make_case, make_client
from madoguchi.directory.models import Membership, Municipality, Organization, Program
from madoguchi.events.models import Event, Registration
from madoguchi.matching.models import Listing

ROLES = ["client", "other_client", "staff", "readonly", "receiver", "coordinator", "coord_noncore", "admin_noncore",
         "org_admin", "prefecture", "outsider", "anonymous"]
STATES = ["new", "referred", "withdrawn"]
TARGET_NAME = "東北テック研究所"
REGISTRANT = "鈴木一郎"
APPS = ["directory", "catalog", "cases", "matching", "events", "search", "reports", "interop", "auth", "axes"]


@dataclass
class Cast:
    users: dict[str, User | None]
    orgs: dict[str, Organization]
    case: Case
    other_case: Case
    listing: Listing
    event: Event
    referral: Referral | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> User:
        """The user playing `role`; every role but "anonymous" is somebody."""
        user = self.users[role]
        if user is None:
            raise LookupError(f"{role} is nobody: there is no user to act as")
        return user


def _org(slug: str, name: str, kind: str) -> Organization:
    return Organization.objects.create(slug=slug, name=name, kind=kind)


def _staff(username: str, org: Organization, role: str, group: Group) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@example.jp", password="correct horse 1",
                                    is_staff=True)
    user.groups.add(group)
    Membership.objects.create(user=user, organization=org, role=role)
    return user


def build_cast(state: str = "referred") -> Cast:
    group = Group.objects.create(name="institution staff")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=APPS))
    orgs = {
        "core": _org("miyagi-ip", "みやぎ産業振興機構", Organization.Kind.CORE),
        "owner": _org("sendai-sangyo", "仙台市産業振興事業団", Organization.Kind.SUPPORT),
        "target": _org("tohoku-tech", TARGET_NAME, Organization.Kind.SUPPORT),
        "outside": _org("tohoku-bureau", "東北経済産業局", Organization.Kind.SUPPORT),
        "former": _org("former-core", "旧・中核扱いの機関", Organization.Kind.CORE),
    }
    R = Membership.Role
    staff = _staff("staff", orgs["owner"], R.STAFF, group)
    users: dict[str, User | None] = {
        "staff": staff,
        "readonly": _staff("readonly", orgs["owner"], R.READONLY, group),
        "receiver": _staff("receiver", orgs["target"], R.STAFF, group),
        "coordinator": _staff("coordinator", orgs["core"], R.COORDINATOR, group),
        "coord_noncore": _staff("coord_noncore", orgs["former"], R.COORDINATOR, group),
        "admin_noncore": _staff("admin_noncore", orgs["former"], R.ADMIN, group),
        "org_admin": _staff("org_admin", orgs["outside"], R.ORG_ADMIN, group),
        "prefecture": _staff("prefecture", orgs["core"], R.PREFECTURE, group),
        "outsider": _staff("outsider", orgs["outside"], R.STAFF, group),
        "anonymous": None,
    }
    Organization.objects.filter(pk=orgs["former"].pk).update(kind=Organization.Kind.SUPPORT)
    orgs["former"].refresh_from_db()

    sendai = Municipality.objects.create(code="041009", name="仙台市", kind=Municipality.Kind.DESIGNATED_CITY)
    client: Client = make_client("山田太郎", "yamada@example.jp")
    other: Client = make_client("佐藤花子", "sato@example.jp")
    users["client"], users["other_client"] = client.user, other.user
    case = make_case(client, orgs["owner"], sendai)
    other_case = make_case(other, orgs["core"], sendai)  # intake at the core institution
    referral = None
    if state in ("referred", "withdrawn"):
        referral = case.refer(by=staff, to_org=orgs["target"], message="技術相談をお願いします")
    if state == "withdrawn":
        case.withdraw_consent(by=client.user)
    case.refresh_from_db()

    listing = Listing.objects.create(
        kind=Listing.Kind.PATENT, title="非公開の特許ライセンス", description="表面処理の特許",
        owner_organization=orgs["target"], status=Listing.Status.PUBLISHED, visibility=Listing.Visibility.ANONYMOUS,
    )
    start = timezone.now() + dt.timedelta(days=5)
    event = Event.objects.create(organization=orgs["owner"], title="創業セミナー", status=Event.Status.PUBLISHED,
                                 starts_at=start, ends_at=start + dt.timedelta(hours=2))
    Registration.objects.create(event=event, name=REGISTRANT, email="suzuki@example.jp")
    Program.objects.create(slug="sogyo-shien", name="創業支援資金", organization=orgs["owner"])
    return Cast(users=users, orgs=orgs, case=case, other_case=other_case, listing=listing, event=event,
                referral=referral)


# -- for the role × action tables ---------------------------------------------------------------
def user_of(cast: Cast, role: str) -> Any:
    """The cast member as `has_perm` sees them (AnonymousUser for "anonymous")."""
    return cast.users[role] or AnonymousUser()


def http_as(cast: Cast, role: str) -> HttpClient:
    http = HttpClient()
    user = cast.users[role]
    if user is not None:
        http.force_login(user)
    return http


def outcome(response: Any) -> str:
    """A response as a table cell: its status, or "login" when sent to a login page."""
    if response.status_code == 302 and "login" in response["Location"]:
        return "login"
    return str(response.status_code)


def allowed(cast: Cast, role: str, perm: str, obj: Any = None) -> str:
    """A rule as a table cell: "yes" or "no" (asked as the pages ask it, user.has_perm)."""
    return "yes" if user_of(cast, role).has_perm(perm, obj) else "no"


def undone(act: Any) -> Any:
    """Run `act()` (a request that may change rows) and roll its changes back, so every cell of
    a row starts from the same data; returns what `act` returned."""
    savepoint = transaction.savepoint()
    try:
        return act()
    finally:
        transaction.savepoint_rollback(savepoint)


def table_row(columns: list[str], line: str) -> dict[str, str]:
    return dict(zip(columns, line.split(), strict=True))
