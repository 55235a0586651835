"""A known year of the platform, built inline, and the cast who may or may not read it.

cora    coordinator at the core institution          may read the reports
pia     県の担当者 (role prefecture) at 宮城県         may read the reports
alice   staff of the core institution                 may not
bob     staff of institution B                        may not
dora    read-only member of B                         may not
client  a 相談者 with an account                      may not

The year (2025-04-01 – 2026-03-31), in cases created in it:
  資金・設備支援 × 創業期   5 cases (one anonymised) — 1 program  → a gap (5 ≥ 3 and 1 × 5 ≤ 5)
  販路開拓支援 × 成長期     3 cases                  — 2 programs → no gap
  資金・設備支援 × 成長期   2 cases                  — 0 programs → shown 「3件未満」
  and one 資金 × 創業期 case from the year before, which must not count.
Closed in the year: 3 with 融資実行 (one of them the anonymised one), 1 with 創業.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from madoguchi.cases.anonymise import anonymise_case
from madoguchi.cases.models import Case, Client
from madoguchi.cases.tests.conftest import _user  # the same way the cases tests make staff
from madoguchi.directory.models import BusinessStage, Membership, Municipality, Organization, Program, SupportFunction
from madoguchi.reports.metrics import Period

# The browser fixtures live with the other journeys (madoguchi/ui/tests); imported here, not in the
# test modules, so that pytest finds them and the tests' parameters do not shadow an import.
from madoguchi.ui.tests.conftest import chromium, journey, live_plan, page, plan_dump  # noqa: F401  (fixtures, found by name)

YEAR = Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31))


@pytest.fixture(autouse=True)
def _japanese() -> Any:
    from django.utils import translation

    with translation.override("ja"):
        yield


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@dataclass
class Platform:
    core: Organization
    org_b: Organization
    org_c: Organization
    prefecture: Organization
    finance: SupportFunction
    market: SupportFunction
    founding: BusinessStage
    growth: BusinessStage
    sendai: Municipality
    aoba: Municipality
    ishinomaki: Municipality
    client: Client
    users: dict[str, User]

    def case(self, function: SupportFunction, stage: BusinessStage | None, created: dt.date,
             municipality: Municipality | None = None) -> Case:
        case = Case.objects.create(client=self.client, owner=self.core, municipality=municipality or self.aoba,
                                   stage=stage, need="資金繰りの相談", consent=Case.Consent.PLATFORM)
        case.functions.add(function)
        Case.objects.filter(pk=case.pk).update(created=at(created))
        case.refresh_from_db()
        return case

    def close(self, case: Case, outcome: str, on: dt.date) -> None:
        case.close(by=self.users["alice"], outcome=outcome)
        Case.objects.filter(pk=case.pk).update(closed_at=at(on, 15))
        case.refresh_from_db()


@pytest.fixture
def platform(db: None) -> Platform:
    core = Organization.objects.create(slug="miyagi-ip", name="みやぎ産業振興機構", kind=Organization.Kind.CORE)
    org_b = Organization.objects.create(slug="sendai-sangyo", name="仙台市産業振興事業団", kind=Organization.Kind.SUPPORT)
    org_c = Organization.objects.create(slug="shokokai", name="宮城県商工会連合会", kind=Organization.Kind.SUPPORT)
    prefecture = Organization.objects.create(slug="miyagi-pref", name="宮城県", kind=Organization.Kind.PARTNER)
    finance = SupportFunction.objects.create(code="finance", name="資金・設備支援", short_name="資金", order=4)
    market = SupportFunction.objects.create(code="market", name="販路開拓支援", short_name="販路", order=6)
    founding = BusinessStage.objects.create(code="startup", name="創業期", order=2)
    growth = BusinessStage.objects.create(code="growth", name="成長期", order=3)
    sendai = Municipality.objects.create(code="041009", name="仙台市", kind=Municipality.Kind.DESIGNATED_CITY)
    aoba = Municipality.objects.create(code="041017", name="青葉区", kind=Municipality.Kind.WARD, parent=sendai)
    ishinomaki = Municipality.objects.create(code="042021", name="石巻市", kind=Municipality.Kind.CITY)
    org_b.municipality = aoba
    org_b.save()

    p1 = Program.objects.create(slug="p1", organization=org_b, name="創業資金の融資あっせん")
    p1.functions.add(finance)
    p1.stages.add(founding)
    for slug, org in (("p2", org_b), ("p3", org_c)):
        program = Program.objects.create(slug=slug, organization=org, name=f"販路開拓支援 {slug}")
        program.functions.add(market)
        program.stages.add(growth)

    client_user = User.objects.create_user(username="client", email="client@example.jp", password="correct horse 1")
    client = Client.objects.create(kind=Client.Kind.COMPANY, name="株式会社みやぎ試作", email="client@example.jp",
                                   user=client_user)
    users = {
        "cora": _user("cora", core, Membership.Role.COORDINATOR),
        "pia": _user("pia", prefecture, Membership.Role.PREFECTURE),
        "alice": _user("alice", core),
        "bob": _user("bob", org_b),
        "dora": _user("dora", org_b, Membership.Role.READONLY),
        "client": client_user,
    }
    return Platform(core, org_b, org_c, prefecture, finance, market, founding, growth, sendai, aoba, ishinomaki,
                    client, users)


@pytest.fixture
def year(platform: Platform) -> Platform:
    """The known year described in the module docstring."""
    p = platform
    founding_cases = [p.case(p.finance, p.founding, dt.date(2025, 5, day)) for day in (7, 8, 9, 12, 13)]
    growth_market = [p.case(p.market, p.growth, dt.date(2025, 9, day), p.ishinomaki) for day in (1, 2, 3)]
    p.case(p.finance, p.growth, dt.date(2026, 1, 14))
    p.case(p.finance, p.growth, dt.date(2026, 3, 31))
    p.case(p.finance, p.founding, dt.date(2025, 3, 31))  # the year before

    for case in founding_cases[:3]:
        p.close(case, "loan", dt.date(2025, 11, 4))
    p.close(growth_market[0], "founded", dt.date(2025, 12, 1))
    anonymise_case(founding_cases[0])
    return p
