"""The admin for institution staff: every app's rows scoped to their own institution.

Every staff member of the cast is is_staff and holds every model permission of every app (a
group), so what keeps them to their own institution is the scoping, not a missing permission.
"""

from __future__ import annotations

from typing import Any

import pytest
import rules
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from madoguchi.directory.models import Facility, Membership, Program
from madoguchi.directory.recipients import coordinator_addresses
from madoguchi.lib.tests.cast import ROLES, Cast
from madoguchi.matching.models import Listing


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def test_the_admin_opens_for_staff_holding_every_cases_permission(cast: Cast) -> None:
    """It answered 500: the admin asked `cases.view_case` with obj=None, which a rule answered."""
    for role in ["staff", "readonly", "coordinator", "coord_noncore", "org_admin", "prefecture", "outsider"]:
        http = _as(cast.users[role])
        assert http.get("/admin/").status_code == 200, role
        # The prefecture's viewer reads aggregates only: no case admin at all.
        assert http.get("/admin/cases/case/").status_code == (403 if role == "prefecture" else 200), role


def test_django_model_permissions_are_never_answered_by_a_rule(cast: Cast) -> None:
    names = list(rules.permissions.permissions)
    assert names and all(name.split(".", 1)[1].startswith("may_") for name in names), names
    nobody = User.objects.create_user("nobody", "nobody@example.jp", "pw", is_staff=True)
    assert not nobody.has_perm("cases.view_case") and not nobody.has_perm("cases.change_case")
    assert cast.user("staff").has_perm("cases.view_case")  # from the group: a Django permission


@pytest.mark.parametrize("role", ROLES)
def test_every_rule_answers_the_list_level_without_error_and_grants_no_object_rule(cast: Cast, role: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = cast.users[role] or AnonymousUser()
    user_level = {"cases.may_triage", "cases.may_register_consultation", "reports.may_view_reports",
                  "matching.may_moderate", "matching.may_create_listing", "matching.may_list_for_others",
                  "directory.may_use_workspace", "directory.may_add_records", "directory.may_manage_memberships",
                  "catalog.may_import_programs"}
    for name in rules.permissions.permissions:
        granted = rules.has_perm(name, user, None)
        if name not in user_level:
            assert granted is False, (role, name)
    assert rules.has_perm("cases.may_triage", user) is (role == "coordinator")
    assert rules.has_perm("reports.may_view_reports", user) is (role in ("coordinator", "prefecture"))
    assert rules.has_perm("matching.may_moderate", user) is (role == "coordinator")
    # The /staff/ workspace: every institution role but the prefecture's; adding records needs write.
    staff_roles = {"staff", "readonly", "receiver", "coordinator", "coord_noncore", "admin_noncore", "org_admin", "outsider"}
    assert rules.has_perm("directory.may_use_workspace", user) is (role in staff_roles), role
    assert rules.has_perm("directory.may_add_records", user) is (role in staff_roles - {"readonly"}), role


def _changelist(http: HttpClient, path: str) -> str:
    response = http.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_each_apps_list_shows_only_the_own_institutions_rows(cast: Cast) -> None:
    outside = cast.orgs["outside"]
    Program.objects.create(slug="kokusai", name="海外展開支援", organization=outside)
    Facility.objects.create(slug="own-lab", name="事業団の試作室", operator=cast.orgs["owner"])
    Facility.objects.create(slug="other-lab", name="経産局の会議室", operator=outside)
    own_listing = Listing.objects.create(kind=Listing.Kind.NEED, title="事業団の技術ニーズ",
                                         owner_organization=cast.orgs["owner"], status=Listing.Status.PUBLISHED)
    staff = _as(cast.users["staff"])

    programs = _changelist(staff, "/admin/directory/program/")
    facilities = _changelist(staff, "/admin/directory/facility/")
    listings = _changelist(staff, "/admin/matching/listing/")
    cases = _changelist(staff, "/admin/cases/case/")
    organizations = _changelist(staff, "/admin/directory/organization/")

    assert "創業支援資金" in programs and "海外展開支援" not in programs
    assert "事業団の試作室" in facilities and "経産局の会議室" not in facilities
    assert own_listing.title in listings and cast.listing.title not in listings
    assert cast.case.short_code in cases and cast.other_case.short_code not in cases
    assert "仙台市産業振興事業団" in organizations and "東北経済産業局" not in organizations
    other = outside.programs.get()
    assert staff.get(f"/admin/directory/program/{other.pk}/change/").status_code == 302  # "no such object"


def test_the_prefectures_viewer_has_no_case_admin(cast: Cast) -> None:
    http = _as(cast.users["prefecture"])
    for path in ["/admin/cases/case/", "/admin/cases/client/", f"/admin/cases/case/{cast.other_case.pk}/change/"]:
        assert http.get(path).status_code == 403, path


@pytest.mark.parametrize("role", ["coord_noncore", "admin_noncore"])
def test_a_platform_role_outside_the_core_sees_no_case_in_the_admin(cast: Cast, role: str) -> None:
    http = _as(cast.users[role])
    cases = _changelist(http, "/admin/cases/case/")
    clients = _changelist(http, "/admin/cases/client/")
    assert cast.case.short_code not in cases and cast.other_case.short_code not in cases
    assert "山田太郎" not in clients and "佐藤花子" not in clients
    assert http.get(f"/admin/cases/case/{cast.case.pk}/change/").status_code == 302


def test_a_foreign_key_offers_only_the_own_institution_and_refuses_another(cast: Cast) -> None:
    staff = _as(cast.users["staff"])
    form = staff.get("/admin/directory/program/add/").content.decode()
    assert "仙台市産業振興事業団" in form and "東北経済産業局" not in form

    def add(slug: str, organization: int) -> Any:
        return staff.post("/admin/directory/program/add/", {
            "name": "新しい事業", "slug": slug, "organization": organization, "category": "other", "order": 0,
            "source": "staff", "as_of": "2026-12-01",
            # the catalog facts' inline (catalog re-registers the programs' admin with it), left empty
            "catalog-TOTAL_FORMS": "0", "catalog-INITIAL_FORMS": "0",
        })

    refused = add("narisumashi", cast.orgs["outside"].pk)
    accepted = add("atarashii", cast.orgs["owner"].pk)

    assert refused.status_code == 200  # the form again, with the error on the institution
    assert list(refused.context["adminform"].form.errors) == ["organization"]
    assert not Program.objects.filter(slug="narisumashi").exists()
    assert accepted.status_code == 302
    assert Program.objects.get(slug="atarashii").organization == cast.orgs["owner"]


def test_an_institution_admin_manages_its_own_staff_and_cannot_grant_platform_roles(cast: Cast) -> None:
    org_admin = _as(cast.users["org_admin"])
    listed = org_admin.get("/admin/directory/membership/").context["cl"].queryset
    assert sorted(m.user.username for m in listed) == ["org_admin", "outsider"]
    outsider = cast.user("outsider").membership
    page = org_admin.get(f"/admin/directory/membership/{outsider.pk}/change/").content.decode()
    assert 'value="coordinator"' not in page and 'value="admin"' not in page and 'value="org_admin"' in page

    response = org_admin.post(f"/admin/directory/membership/{outsider.pk}/change/", {
        "user": cast.user("outsider").pk, "organization": outsider.organization_id, "role": "coordinator"})

    assert response.status_code == 200
    outsider.refresh_from_db()
    assert outsider.role == Membership.Role.STAFF
    staff_membership = cast.user("staff").membership
    assert org_admin.get(f"/admin/directory/membership/{staff_membership.pk}/change/").status_code == 302


def test_staff_who_are_not_their_institutions_admin_do_not_manage_memberships(cast: Cast) -> None:
    assert _as(cast.users["outsider"]).get("/admin/directory/membership/").status_code == 403
    assert _as(cast.users["coord_noncore"]).get("/admin/directory/membership/").status_code == 403


def test_new_consultations_are_mailed_to_the_core_institutions_coordinators_only(cast: Cast) -> None:
    assert coordinator_addresses() == ["coordinator@example.jp"]


def test_every_registered_admin_is_scoped_through_the_one_mixin() -> None:
    """Every model in the admin (ours, auth's and axes') goes through directory/admin_scope.py:
    rows of one institution (or the platform's only), or shared reference tables — except the
    plumbing's rows (every institution's mail, every token), which sit below directory and are
    superusers' only (platform/admin.py)."""
    from django.contrib import admin

    from madoguchi.directory.admin_scope import InstitutionScopedAdmin, ReferenceDataAdmin
    from madoguchi.platform.admin import SuperuserOnlyAdmin

    unscoped = [model._meta.label for model, model_admin in admin.site._registry.items()
                if not isinstance(model_admin, (InstitutionScopedAdmin, ReferenceDataAdmin, SuperuserOnlyAdmin))]
    assert unscoped == []


def test_accounts_in_the_admin_are_the_own_institutions_and_grant_nothing_more(cast: Cast) -> None:
    http = _as(cast.users["org_admin"])
    listed = http.get("/admin/auth/user/").context["cl"].queryset
    assert sorted(u.username for u in listed) == ["org_admin", "outsider"]
    outsider = cast.user("outsider")
    page = http.get(f"/admin/auth/user/{outsider.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page
    assert http.get(f"/admin/auth/user/{cast.user('staff').pk}/change/").status_code == 302
    for path in ["/admin/auth/group/", "/admin/axes/accesslog/", "/admin/catalog/source/", "/admin/catalog/source/import/"]:
        assert http.get(path).status_code == 403, path


def test_a_read_only_member_with_change_permissions_views_but_cannot_write(cast: Cast) -> None:
    """The group grants every model permission; being read-only is what must stop the writes."""
    program = Program.objects.get(slug="sogyo-shien")  # 仙台市産業振興事業団's, the reader's own
    reader = _as(cast.users["readonly"])
    change = f"/admin/directory/program/{program.pk}/change/"

    assert reader.get(change).status_code == 200  # viewing stays
    assert reader.get("/admin/directory/program/").status_code == 200
    assert reader.post(change, {"name": "書き換え", "slug": program.slug, "organization": program.organization_id,
                                "category": "other", "order": 0, "source": "staff", "as_of": "2026-12-01",
                                "catalog-TOTAL_FORMS": "0", "catalog-INITIAL_FORMS": "0"}).status_code == 403
    assert reader.post("/admin/directory/program/add/", {
        "name": "新しい事業", "slug": "yomitori", "organization": program.organization_id, "category": "other",
        "order": 0, "source": "staff", "as_of": "2026-12-01",
        "catalog-TOTAL_FORMS": "0", "catalog-INITIAL_FORMS": "0"}).status_code == 403
    assert reader.post(f"/admin/directory/program/{program.pk}/delete/", {"post": "yes"}).status_code == 403
    assert reader.post(f"/admin/events/event/{cast.event.pk}/change/", {"title": "書き換え"}).status_code == 403
    program.refresh_from_db()
    assert program.name == "創業支援資金" and not Program.objects.filter(slug="yomitori").exists()
    assert Program.objects.filter(pk=program.pk).exists()


def test_the_prefectures_viewer_sees_no_registrations_or_listing_contacts_in_the_admin(cast: Cast) -> None:
    """Placed at the core institution and holding every view permission, the viewer still gets
    no institution scope in the admin: its events' roll call and its listings' contacts stay hidden."""
    from django.utils import timezone

    from madoguchi.directory import roles
    from madoguchi.events.models import Event, Registration

    core = cast.orgs["core"]
    start = timezone.now()
    event = Event.objects.create(organization=core, title="機構の交流会", status=Event.Status.PUBLISHED,
                                 starts_at=start, ends_at=start)
    Registration.objects.create(event=event, name="高橋次郎", email="takahashi@example.jp")
    listing = Listing.objects.create(kind=Listing.Kind.SEED, title="機構の技術シーズ", owner_organization=core,
                                     status=Listing.Status.PUBLISHED, contact_email="seeds@miyagi-ip.example.jp")
    viewer = cast.users["prefecture"]
    assert viewer is not None and viewer.has_perm("events.view_registration") and viewer.has_perm("matching.view_listing")
    assert roles.admin_scope(viewer) is None

    http = _as(viewer)
    for path in ["/admin/events/event/", f"/admin/events/event/{event.pk}/change/", "/admin/matching/listing/",
                 f"/admin/matching/listing/{listing.pk}/change/"]:
        response = http.get(path)
        assert response.status_code in (302, 403), path
        page = response.content.decode()
        assert "高橋次郎" not in page and "takahashi@example.jp" not in page and "seeds@miyagi-ip" not in page, path
    index = http.get("/admin/").content.decode()
    assert "/admin/events/event/" not in index and "/admin/matching/listing/" not in index
