"""Roles per kind of institution: where the platform-wide roles may be held, and how it is kept.

Coordinator and platform administrator exist only at the core institution (中核的支援機関):
the model's validation says so in Japanese, the database refuses it (CHECK on at_core, which
follows the organization's kind), a system check reports old rows that break it, and
migration 0006 downgrades them, logging each.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from madoguchi.directory.checks import check_core_only_roles
from madoguchi.directory.models import Membership, Organization

R = Membership.Role


@pytest.fixture
def core(db: Any) -> Organization:
    return Organization.objects.create(slug="miyagi-ip", name="みやぎ産業振興機構", kind=Organization.Kind.CORE)


@pytest.fixture
def support(db: Any) -> Organization:
    return Organization.objects.create(slug="sendai-sangyo", name="仙台市産業振興事業団", kind=Organization.Kind.SUPPORT)


def _user(name: str) -> User:
    return User.objects.create_user(name, f"{name}@example.jp", "pw-for-tests-only")


@pytest.mark.parametrize("role", [R.COORDINATOR, R.ADMIN])
def test_platform_roles_outside_the_core_institution_are_refused_in_japanese(support: Organization, role: str) -> None:
    membership = Membership(user=_user("kato"), organization=support, role=role)

    with pytest.raises(ValidationError) as refused:
        membership.full_clean()

    assert "中核的支援機関の所属にだけ付けられます" in refused.value.message_dict["role"][0]


@pytest.mark.parametrize("role", [R.STAFF, R.READONLY, R.ORG_ADMIN, R.PREFECTURE])
def test_every_other_role_is_accepted_at_any_institution(support: Organization, role: str) -> None:
    Membership(user=_user("kato"), organization=support, role=role).full_clean()


@pytest.mark.parametrize("role", [R.COORDINATOR, R.ADMIN])
def test_the_database_refuses_a_platform_role_outside_the_core_even_past_validation(support: Organization, role: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=_user("kato"), organization=support, role=role)
    assert not Membership.objects.exists()


def test_at_core_follows_the_organization_and_a_core_coordinator_is_saved(core: Organization) -> None:
    m = Membership.objects.create(user=_user("cora"), organization=core, role=R.COORDINATOR)
    assert m.at_core and m.is_coordinator


def test_changing_the_core_institutions_kind_is_refused_while_it_has_coordinators(core: Organization) -> None:
    Membership.objects.create(user=_user("cora"), organization=core, role=R.COORDINATOR)
    core.kind = Organization.Kind.SUPPORT

    with pytest.raises(ValidationError) as refused:
        core.full_clean()
    assert "コーディネーターまたは管理者の所属が 1 件" in refused.value.message_dict["kind"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        core.save()  # past validation, the database still refuses (at_core would turn False)


def test_a_staff_member_follows_the_kind_when_it_changes(core: Organization) -> None:
    m = Membership.objects.create(user=_user("alice"), organization=core, role=R.STAFF)
    core.kind = Organization.Kind.SUPPORT
    core.save()
    m.refresh_from_db()
    assert m.at_core is False


def _legacy_rows(core: Organization) -> tuple[Membership, Membership, Membership]:
    """Rows made when the institution was core, then its kind changed by a bulk update
    (which runs no validation and no save): what old data may hold."""
    cora = Membership.objects.create(user=_user("cora"), organization=core, role=R.COORDINATOR)
    adam = Membership.objects.create(user=_user("adam"), organization=core, role=R.ADMIN)
    alice = Membership.objects.create(user=_user("alice"), organization=core, role=R.STAFF)
    Organization.objects.filter(pk=core.pk).update(kind=Organization.Kind.SUPPORT)
    return cora, adam, alice


def test_a_platform_role_at_an_institution_that_is_no_longer_core_reaches_nothing(core: Organization) -> None:
    cora, adam, _alice = _legacy_rows(core)
    cora.refresh_from_db()
    adam.refresh_from_db()
    assert cora.is_coordinator is False and adam.is_coordinator is False


def test_the_system_check_reports_each_row_that_breaks_the_rule(core: Organization) -> None:
    assert check_core_only_roles() == []
    cora, adam, _alice = _legacy_rows(core)

    warnings = check_core_only_roles()

    assert [w.id for w in warnings] == ["madoguchi.W010", "madoguchi.W010"]
    assert [w.obj for w in warnings] == [f"directory.Membership:{cora.pk}", f"directory.Membership:{adam.pk}"]
    assert "cora at miyagi-ip" in warnings[0].msg


def test_the_migration_downgrades_each_row_and_logs_it(core: Organization, caplog: pytest.LogCaptureFixture) -> None:
    migration = importlib.import_module("madoguchi.directory.migrations.0006_membership_core_only_roles_downgraded_elsewhere")
    cora, adam, alice = _legacy_rows(core)

    with caplog.at_level(logging.WARNING, logger="madoguchi.migrations"):
        migration.sync_and_downgrade(apps, None)

    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"cora": R.STAFF, "adam": R.ORG_ADMIN, "alice": R.STAFF}
    assert set(Membership.objects.values_list("at_core", flat=True)) == {False}
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2
    assert "user cora at miyagi-ip (support) downgraded from coordinator to staff" in logged[0]
    assert "user adam at miyagi-ip (support) downgraded from admin to org_admin" in logged[1]
    assert check_core_only_roles() == []
