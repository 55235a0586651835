"""Case views: thin functions that start with the access helper (access.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ModelChoiceField
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.cases import referral_search
from madoguchi.cases.access import get_case_for_user, get_referral_for_user, require
from madoguchi.cases.export import client_export
from madoguchi.cases.forms import CloseForm, DocumentForm, IntakeForm, NoteForm, ReferForm, ReferralActionForm
from madoguchi.cases.intake import create_consultation
from madoguchi.cases.models import Activity, Case, CaseRead, Conflict, Referral
from madoguchi.cases.notify import case_from_follow_token
from madoguchi.cases.rules import listed_cases
from madoguchi.directory import roles
from madoguchi.directory.models import Organization, Program
from madoguchi.lib.http import AuthenticatedHttpRequest
from madoguchi.platform.ratelimit import authorize_intake_ip

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _render_case(request: HttpRequest, case: Case, can_write: bool, *, status: int = 200,
                 errors: list[str] | None = None, **forms: Any) -> HttpResponse:
    user = request.user
    referrals = []
    for referral in case.referrals.select_related("from_org", "to_org").order_by("created", "pk"):
        actions = referral.allowed_actions()
        respond = user.has_perm("cases.may_respond_referral", referral)
        close = user.has_perm("cases.may_close_referral", referral)
        permitted = [a for a in actions if (a == Referral.Action.CLOSE and close) or (a != Referral.Action.CLOSE and respond)]
        referrals.append({"referral": referral, "actions": [(a, Referral.Action(a).label) for a in permitted]})
    m = roles.staff_membership(user)
    # "この機関に紹介する" next to a suggestion posts straight to cases:refer; ?refer_to=<slug>
    # (older links) still preselects the institution in the form.
    refer_form = forms.get("refer_form") or ReferForm(initial={"to_org": request.GET.get("refer_to", "")[:80]})
    shareable = case.shareable_organizations()
    if m is not None:
        shareable = shareable.exclude(pk=m.organization_id)
    cast(ModelChoiceField, refer_form.fields["to_org"]).queryset = shareable  # ReferForm.to_org is one
    can_manage = user.has_perm("cases.may_close_case", case)
    context = {
        "case": case,
        "can_write": can_write and case.status != Case.Status.CLOSED,
        "can_manage": can_manage and case.status != Case.Status.CLOSED,
        "is_client": user.has_perm("cases.may_withdraw_consent", case),
        "can_export": user.has_perm("cases.may_export_case", case),
        "activities": case.visible_activities(),
        "referrals": referrals,
        "reads": case.reads.select_related("organization", "user")[:200] if user.has_perm("cases.may_see_reads", case) else None,
        "note_form": forms.get("note_form") or NoteForm(),
        "refer_form": refer_form,
        "close_form": forms.get("close_form") or CloseForm(),
        "document_form": forms.get("document_form") or DocumentForm(),
        "errors": errors or [],
        # The form the user just sent, when it had mistakes: listed in the page's error summary.
        "failed_form": next((f for f in forms.values() if f is not None and f.is_bound and f.errors), None),
        # The rule itself (not user.has_perm, which a superuser passes without a membership).
        "suggestions": _referable(case, referral_search.for_case(case), m) if can_manage and rules.has_perm("cases.may_triage", user) else None,
        # The client's email and phone: for the staff who act on the case, never read-only staff.
        "show_contacts": can_write or user.has_perm("cases.may_withdraw_consent", case),
        "consented_organizations": case.named_organizations.all() if case.consent == Case.Consent.NAMED else None,
        "refer_scope_note": _REFER_SCOPE_NOTES.get(case.consent, ""),
    }
    return render(request, "cases/case.html", context, status=status)


# Shown under the referral form: why some institutions are not in its list.
_REFER_SCOPE_NOTES: dict[str, StrOrPromise] = {
    Case.Consent.CORE_ONLY: _lazy("相談者は中核的支援機関のみへの共有に同意しています。他の機関には紹介できません。"),
    Case.Consent.NAMED: _lazy("選べるのは、相談者が共有を認めた機関と中核的支援機関だけです。ほかの機関には、相談者が同意の範囲を広げるまで紹介できません。"),
}


def _referable(case: Case, hits: list[Any] | None, m: Any) -> list[dict[str, Any]] | None:
    """Each suggestion with whether the case may be referred to its institution, or why not."""
    if hits is None:
        return None
    slugs = {h.organization_id for h in hits if getattr(h, "organization_id", None)}
    organizations = {o.slug: o for o in Organization.objects.filter(slug__in=slugs)}
    open_to = set(case.referrals.filter(status__in=Referral.OPEN_STATUSES).values_list("to_org__slug", flat=True))
    items = []
    for hit in hits:
        organization = organizations.get(hit.organization_id or "")
        why_not = ""
        if organization is not None:
            if m is not None and organization.pk == m.organization_id:
                why_not = _("あなたの機関です。")
            elif organization.slug in open_to:
                why_not = _("この機関には紹介済みです。")
            else:
                why_not = case.why_not_shareable(organization)
        items.append({"hit": hit, "organization": organization, "why_not": why_not})
    return items


def _intake_initial(request: HttpRequest) -> dict[str, Any]:
    """Coming from an institution's or a program's page (?organization=…&program=…): start from it."""
    initial: dict[str, Any] = {}
    organization = Organization.objects.filter(slug=request.GET.get("organization", "")[:80]).first()
    if organization is not None:
        initial.update(consent=Case.Consent.NAMED, named_organizations=[organization.slug])
    program = Program.objects.filter(slug=request.GET.get("program", "")[:80]).select_related("organization").first()
    if program is not None:
        initial["need"] = _("「%(program)s」（%(org)s）について相談したいです。\n") % {
            "program": program.name, "org": program.organization.display_name}
    # 「相談する」 on a search result carries the question the person typed (?q=…).
    lines = (" ".join(line.split()) for line in request.GET.get("q", "")[:2000].splitlines())
    question = "\n".join(line for line in lines if line)[:1000]
    if question:
        initial["need"] = initial.get("need", "") + question + "\n"
    return initial


@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST or None, request.FILES or None, initial=_intake_initial(request))
    if request.method == "POST" and not authorize_intake_ip(request):
        form.is_valid()  # keep what the person typed on the page
        form.add_error(None, _("短時間に多くの相談が送信されました。しばらく待ってから、もう一度お試しください。"))
        return render(request, "cases/intake.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            case = create_consultation(form.cleaned_data)
        except ValidationError as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            request.session["intake_code"] = str(case.code)
            return redirect("cases:received")
    status = 400 if form.is_bound else 200
    return render(request, "cases/intake.html", {"form": form}, status=status)


@require_GET
def received(request: HttpRequest) -> HttpResponse:
    code = request.session.get("intake_code")
    case = Case.objects.filter(code=code).select_related("client").first() if code else None
    if case is None:
        return redirect("cases:intake")
    return render(request, "cases/received.html", {"case": case})


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    cases = listed_cases(request.user).select_related("owner")[:500]
    is_staff_user = roles.staff_membership(request.user) is not None
    return render(request, "cases/list.html", {"cases": cases, "is_staff_user": is_staff_user})


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    # The rule itself: user.has_perm lets a superuser through, who may have no institution's inbox.
    if not rules.has_perm("cases.may_triage", request.user):
        raise PermissionDenied
    org = roles.staff_membership(request.user).organization  # type: ignore[union-attr]  # triage implies a membership
    new_cases = Case.objects.awaiting_triage().shared_with(org).select_related("client", "owner", "municipality")[:200]
    overdue = Referral.objects.filter(status=Referral.Status.SENT, overdue_flagged_at__isnull=False,
                                      case__in=Case.objects.shared_with(org)).select_related(
        "case", "from_org", "to_org")[:200]
    return render(request, "cases/inbox.html", {"new_cases": new_cases, "overdue": overdue})


def _apply_form(
    request: HttpRequest, case: Case, can_write: bool, form_name: str, form: forms.Form,
    act: Callable[[dict[str, Any]], object], success: str,
) -> HttpResponse:
    """Run `act` with a valid form's data and go back to the case; on a bad form or a refused
    action, show the case again (400) with the form and the model's own message."""
    bound: dict[str, Any] = {form_name: form}  # one of _render_case's **forms; mypy cannot tell which key
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as exc:
            return _render_case(request, case, can_write, status=400, errors=_messages_of(exc), **bound)
        messages.success(request, success)
        return redirect(case)
    return _render_case(request, case, can_write, status=400, **bound)


@login_required
@require_GET
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    case, can_write = get_case_for_user(request.user, code)
    return _render_case(request, case, can_write)


@login_required
@require_POST
def add_note(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case, can_write = get_case_for_user(request.user, code, log_read=False)
    if not can_write:
        raise PermissionDenied
    return _apply_form(
        request, case, can_write, "note_form", NoteForm(request.POST),
        lambda data: case.add_note(by=request.user, text=data["text"]), _("メモを追加しました。"),
    )


@login_required
@require_POST
def refer(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case, can_write = get_case_for_user(request.user, code, log_read=False)
    if not can_write:
        raise PermissionDenied
    return _apply_form(
        request, case, can_write, "refer_form", ReferForm(request.POST),
        lambda data: case.refer(by=request.user, to_org=data["to_org"], message=data["message"]),
        _("紹介を送りました。"),
    )


@login_required
@require_POST
def referral_action(request: AuthenticatedHttpRequest, code: str, referral_uuid: str, action: str) -> HttpResponse:
    case, can_write = get_case_for_user(request.user, code, log_read=False)
    if action not in Referral.TRANSITIONS:
        raise Http404
    perm = "cases.may_close_referral" if action == Referral.Action.CLOSE else "cases.may_respond_referral"
    referral = get_referral_for_user(request.user, case, referral_uuid, perm)
    form = ReferralActionForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, can_write, status=400, errors=[str(e) for errs in form.errors.values() for e in errs])
    try:
        referral.transition(action, by=request.user, expected_version=form.cleaned_data["version"],
                            outcome=form.cleaned_data["outcome"], reason=form.cleaned_data["reason"])
    except Conflict as exc:
        return _render_case(request, case, can_write, status=409, errors=[str(exc)])
    except ValidationError as exc:
        return _render_case(request, case, can_write, status=400, errors=_messages_of(exc))
    messages.success(request, _("紹介の状態を「%(status)s」にしました。") % {"status": referral.get_status_display()})
    return redirect(case)


@login_required
@require_POST
def close_case(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case, can_write = get_case_for_user(request.user, code, log_read=False)
    require(request.user, "cases.may_close_case", case)
    return _apply_form(
        request, case, can_write, "close_form", CloseForm(request.POST),
        lambda data: case.close(by=request.user, outcome=data["outcome"]), _("相談を終了しました。"),
    )


@login_required
@require_POST
def upload_document(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case, can_write = get_case_for_user(request.user, code, log_read=False)
    if not can_write:
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        if case.status == Case.Status.CLOSED:
            return _render_case(request, case, can_write, status=400, errors=[_("この相談は終了しています。")])
        case.add_activity(Activity.Kind.DOCUMENT, by=request.user, text=form.cleaned_data["text"],
                          attachment=form.cleaned_data["attachment"])
        messages.success(request, _("書類を添付しました。"))
        return redirect(case)
    return _render_case(request, case, can_write, status=400, document_form=form)


@login_required
@require_GET
def document(request: HttpRequest, code: str, activity_uuid: str) -> FileResponse:
    case, _can_write = get_case_for_user(request.user, code, what=CaseRead.What.DOCUMENT)
    activity = case.activities.filter(uuid=activity_uuid).exclude(attachment="").first()
    if activity is None:
        raise Http404
    # Always a download, never rendered inline: an uploaded HTML file must not run on our origin.
    return FileResponse(activity.attachment.open("rb"), as_attachment=True,
                        filename=activity.attachment_name or "document", content_type="application/octet-stream")


@login_required
@require_POST
def withdraw_consent(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case, can_write = get_case_for_user(request.user, code, log_read=False)
    require(request.user, "cases.may_withdraw_consent", case)
    case.withdraw_consent(by=request.user)
    messages.success(request, _("情報共有への同意を撤回しました。以後、受付機関以外の機関には共有されません。"))
    return redirect(case)


@login_required
@require_GET
def export(request: HttpRequest, code: str) -> JsonResponse:
    case, _can_write = get_case_for_user(request.user, code, what=CaseRead.What.EXPORT)  # an export is a read
    require(request.user, "cases.may_export_case", case)
    data = client_export(case.client, user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="madoguchi-{case.client.uuid}.json"'
    return response


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email: the case's status, and a form to set a password."""
    code = case_from_follow_token(token)
    case = Case.objects.select_related("client__user").filter(code=code).first() if code else None
    if case is None or case.client.user is None or case.anonymised_at:
        return render(request, "cases/follow_invalid.html", status=404)
    user = case.client.user
    form = SetPasswordForm(user, request.POST or None) if not user.has_usable_password() else None
    if request.method == "POST":
        if form is None:
            return redirect("login")
        if form.is_valid():
            form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("パスワードを設定しました。今後はログインして相談の状況を確認できます。"))
            return redirect(case)
    return render(request, "cases/follow.html", {"case": case, "form": form,
                                                 "referrals": case.referrals.select_related("to_org")},
                  status=400 if form is not None and form.is_bound else 200)
