"""The staff workspace (/staff/): an institution's own records and referrals, without the admin.

Every view starts with an access helper. Another institution's record answers 404 (its
existence does not leak, and the lookup itself is limited to the user's institution); a
read-only member who tries to change something gets 403. The rules are directory.rules and
events.rules; listings reuse matching's own pages and rules.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.directory import roles
from madoguchi.directory.models import Facility, Membership, Program
from madoguchi.events.models import Event
from madoguchi.matching.models import Listing
from madoguchi.staff import workspace
from madoguchi.staff.forms import EventForm, FacilityForm, ProgramForm

STAFF_SOURCE = "担当者による登録"  # Provenance.source of records staff create here


def _membership(request: HttpRequest) -> Membership:
    """The user's membership if they have a workspace; 403 for clients, the prefecture, and a
    superuser without an institution (the rule itself: user.has_perm would let them through)."""
    if not rules.has_perm("directory.may_use_workspace", request.user):
        raise PermissionDenied
    m = roles.staff_membership(request.user)
    assert m is not None  # the rule above guarantees it
    return m


def _own(request: HttpRequest, model: type[Model], owner_field: str, perm: str, **lookup: Any) -> Any:
    """The user's own institution's record (404 for anyone else's), and 403 without `perm`."""
    m = _membership(request)
    record = model._default_manager.filter(**{owner_field: m.organization}, **lookup).first()
    if record is None:
        raise Http404
    if not request.user.has_perm(perm, record):
        raise PermissionDenied
    return record


def _require_writer(request: HttpRequest) -> Membership:
    m = _membership(request)
    if not request.user.has_perm("directory.may_add_records"):
        raise PermissionDenied
    return m


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    m = _membership(request)
    organization = m.organization
    context = {
        "organization": organization,
        "can_write": m.can_write,
        "inbox": workspace.referral_inbox(organization),
        "programs": workspace.programs_of(organization),
        "facilities": workspace.facilities_of(organization),
        "events": workspace.events_of(organization),
        "listings": workspace.listings_of(organization),
    }
    return render(request, "staff/home.html", context)


def _form_page(request: HttpRequest, form: ModelForm, *, title: str, record: Any = None,
               saved: str, after_save: Any = None) -> HttpResponse:
    """Show the form; on a valid POST save it in one transaction and go back to the workspace."""
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            obj = form.save(commit=False)
            obj._history_user = request.user
            obj.save()
            form.save_m2m()
            notes = after_save(obj) if after_save else []
        messages.success(request, saved)
        for note in notes:
            messages.info(request, note)
        return redirect("staff:home")
    status = 400 if form.is_bound else 200
    return render(request, "staff/record_form.html", {"form": form, "title": title, "record": record}, status=status)


def _stamped(record: Program | Facility) -> Program | Facility:
    """Staff saving a record confirm it is true today (DESIGN: data says when it was verified)."""
    record.verified_at = timezone.localdate()
    return record


@login_required
@require_http_methods(["GET", "POST"])
def program_new(request: HttpRequest) -> HttpResponse:
    m = _require_writer(request)
    today = timezone.localdate()
    program = Program(organization=m.organization, slug=workspace.slug_for(m.organization, Program),
                      source=STAFF_SOURCE, as_of=today, verified_at=today)
    form = ProgramForm(request.POST or None, instance=program)
    return _form_page(request, form, title=_("支援事業を登録する"), saved=_("支援事業を登録しました。"))


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, slug: str) -> HttpResponse:
    program = _own(request, Program, "organization", "directory.may_change_program", slug=slug)
    form = ProgramForm(request.POST or None, instance=_stamped(program))
    return _form_page(request, form, title=_("支援事業を編集する"), record=program, saved=_("支援事業を更新しました。"))


@login_required
@require_POST
def program_retire(request: HttpRequest, slug: str) -> HttpResponse:
    program = _own(request, Program, "organization", "directory.may_change_program", slug=slug)
    return _retire(request, program)


@login_required
@require_http_methods(["GET", "POST"])
def facility_new(request: HttpRequest) -> HttpResponse:
    m = _require_writer(request)
    today = timezone.localdate()
    facility = Facility(operator=m.organization, slug=workspace.slug_for(m.organization, Facility),
                        source=STAFF_SOURCE, as_of=today, verified_at=today)
    form = FacilityForm(request.POST or None, instance=facility)
    return _form_page(request, form, title=_("施設を登録する"), saved=_("施設を登録しました。"))


@login_required
@require_http_methods(["GET", "POST"])
def facility_edit(request: HttpRequest, slug: str) -> HttpResponse:
    facility = _own(request, Facility, "operator", "directory.may_change_facility", slug=slug)
    form = FacilityForm(request.POST or None, instance=_stamped(facility))
    return _form_page(request, form, title=_("施設を編集する"), record=facility, saved=_("施設を更新しました。"))


@login_required
@require_POST
def facility_retire(request: HttpRequest, slug: str) -> HttpResponse:
    facility = _own(request, Facility, "operator", "directory.may_change_facility", slug=slug)
    return _retire(request, facility)


def _retire(request: HttpRequest, record: Program | Facility) -> HttpResponse:
    """POST retires the record; POST with undo=1 puts it back on the public pages."""
    if request.POST.get("undo"):
        workspace.reinstate(record, request.user)
        messages.success(request, _("「%(name)s」の掲載を再開しました。") % {"name": record.name})
    else:
        workspace.retire(record, request.user)
        messages.success(request, _("「%(name)s」の掲載を終了しました。公開の一覧と検索には表示されません。") % {"name": record.name})
    return redirect("staff:home")


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    m = _require_writer(request)
    form = EventForm(request.POST or None, instance=Event(organization=m.organization))
    return _form_page(request, form, title=_("イベントを登録する"), saved=_("イベントを登録しました。"),
                      after_save=lambda e: workspace.after_event_saved(e, status_changed=False))


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = _own(request, Event, "organization", "events.may_change_event", slug=slug)
    status_before = event.status
    form = EventForm(request.POST or None, instance=event)
    return _form_page(request, form, title=_("イベントを編集する"), record=event, saved=_("イベントを更新しました。"),
                      after_save=lambda e: workspace.after_event_saved(e, status_changed=e.status != status_before))


@login_required
@require_POST
def event_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    event = _own(request, Event, "organization", "events.may_change_event", slug=slug)
    if event.status == Event.Status.CANCELLED:
        messages.info(request, _("このイベントはすでに中止になっています。"))
        return redirect("staff:home")
    with transaction.atomic():
        event.status = Event.Status.CANCELLED
        event._history_user = request.user
        event.save()
        notes = workspace.after_event_saved(event, status_changed=True)
    messages.success(request, _("「%(title)s」を中止にしました。") % {"title": event.title})
    for note in notes:
        messages.info(request, note)
    return redirect("staff:home")


@login_required
@require_POST
def listing_retire(request: HttpRequest, listing_uuid: str) -> HttpResponse:
    listing = _own(request, Listing, "owner_organization", "matching.may_change_listing", uuid=listing_uuid)
    workspace.retire_listing(listing, request.user)
    messages.success(request, _("「%(title)s」の掲載を終了しました。") % {"title": listing.title})
    return redirect("staff:home")
