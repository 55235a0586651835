"""Pages: browse and filter listings, write one, see its suggestions with reasons, give
feedback, ask for an introduction; the coordinator's moderation and introduction queues."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.directory import roles
from madoguchi.matching import access, services
from madoguchi.matching.forms import (
    FeedbackForm,
    IntroductionRequestForm,
    ListingFilterForm,
    ListingForm,
    SavedInterestForm,
)
from madoguchi.matching.models import Feedback, Introduction, Listing, SavedInterest
from madoguchi.matching.moderation import changes_against_approved, content_of, save_edit
from madoguchi.matching.rules import client_of

PAGE_SIZE = 20


def _row(user: Any, listing: Listing) -> dict[str, Any]:
    return {"listing": listing, "owner": access.owner_for(user, listing)}


@require_GET
def listing_list(request: HttpRequest) -> HttpResponse:
    form = ListingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = services.browse(request.user, **{k: v or "" for k, v in filters.items()})
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"form": form, "page": page, "rows": [_row(request.user, x) for x in page.object_list],
           "can_create": _can_create(request.user)}
    template = "matching/_listing_rows.html" if request.headers.get("HX-Request") else "matching/listing_list.html"
    return render(request, template, ctx)


def _can_create(user: Any) -> bool:
    return access.may(user, "matching.may_create_listing")


@login_required
def listing_new(request: HttpRequest) -> HttpResponse:
    if not access.may(request.user, "matching.may_create_listing"):
        raise PermissionDenied
    m = roles.staff_membership(request.user)
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        listing = form.save(commit=False)
        if m is None:  # a client (相談者) writes for themselves
            listing.owner_client = client_of(request.user)
            listing.owner_name = ""
        elif not (access.may(request.user, "matching.may_list_for_others") and form.cleaned_data["owner_name"]):
            # a coordinator may enter a listing for a company outside the directory (owner_name)
            listing.owner_organization = m.organization
        listing.created_by = request.user
        listing.status = Listing.Status.PENDING
        listing.save()
        form.save_m2m()
        messages.success(request, _("掲載を受け付けました。コーディネーターの確認後に公開されます。"))
        return redirect(listing)
    return render(request, "matching/listing_form.html", {"form": form, "listing": None})


@login_required
def listing_edit(request: HttpRequest, listing_uuid: str) -> HttpResponse:
    listing = access.get_rw_listing_for_user(request.user, listing_uuid)
    before = content_of(listing)  # validating the form already writes into the instance
    form = ListingForm(request.POST or None, instance=listing)
    if request.method == "POST" and form.is_valid():
        waits = save_edit(form.save(commit=False), before=before, fields=form.cleaned_data["fields"],
                          stages=form.cleaned_data["stages"], reviewed=access.may(request.user, "matching.may_moderate"))
        if waits:
            messages.warning(request, _("変更内容はコーディネーターの審査後に公開されます。"
                                        "審査が終わるまで、この掲載は一覧と候補に表示されません。"))
        else:
            messages.success(request, _("掲載を更新しました。"))
        return redirect(listing)
    return render(request, "matching/listing_form.html", {"form": form, "listing": listing})


@require_GET
def listing_detail(request: HttpRequest, listing_uuid: str) -> HttpResponse:
    listing, can_write = access.get_listing_for_user(request.user, listing_uuid)
    matches = services.suggestions_for(request.user, listing)
    # listings and registry institutions in one ranking; institutions are labelled as such
    rows: list[dict[str, Any]] = [{"match": m, "owner": access.owner_for(request.user, m.candidate), "rank": m.rank}
                                  for m in matches]
    rows += [{"institution": im, "rank": im.rank} for im in services.institutions_for(request.user, listing)]
    rows.sort(key=lambda r: r["rank"])
    nearest = []
    private = access.may(request.user, "matching.may_see_listing_private", listing)
    if not rows and listing.is_live and private:
        from madoguchi.matching.matches import nearest_kinds

        nearest = nearest_kinds(listing)
    ctx = {
        "listing": listing,
        "owner": access.owner_for(request.user, listing),
        "identifying": access.identifying_fields_visible(request.user, listing),
        "private": private,
        "can_write": can_write,
        "is_coordinator": access.may(request.user, "matching.may_moderate"),
        "suggestions": rows,
        "nearest_kinds": nearest,
        "feedback_reasons": Feedback.Reason.choices,
        "introductions": _introductions_of(request.user, listing),
    }
    return render(request, "matching/listing_detail.html", ctx)


def _introductions_of(user: Any, listing: Listing) -> list[Introduction]:
    if not access.may(user, "matching.may_see_listing_private", listing):
        return []
    return list(Introduction.objects.filter(listing=listing) | Introduction.objects.filter(candidate=listing))


def _candidate(user: Any, listing: Listing, candidate_uuid: Any) -> Listing:
    candidate, _w = access.get_listing_for_user(user, candidate_uuid)
    return candidate


@require_POST
@login_required
def listing_feedback(request: HttpRequest, listing_uuid: str) -> HttpResponse:
    listing = access.get_rw_listing_for_user(request.user, listing_uuid)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("合わない理由を選んでください。"))
        return redirect(listing)
    candidate = _candidate(request.user, listing, form.cleaned_data["candidate"])
    try:
        services.give_feedback(listing, candidate, by=request.user, reason=form.cleaned_data["reason"],
                               comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("ご意見を受け付けました。今後の候補に反映します。"))
    return redirect(listing)


@require_POST
@login_required
def listing_introduce(request: HttpRequest, listing_uuid: str) -> HttpResponse:
    listing = access.get_rw_listing_for_user(request.user, listing_uuid)
    form = IntroductionRequestForm(request.POST)
    if not form.is_valid():
        raise Http404
    candidate = _candidate(request.user, listing, form.cleaned_data["candidate"])
    try:
        intro = services.request_introduction(listing, candidate, by=request.user, message=form.cleaned_data["message"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(listing)
    messages.success(request, _("紹介を依頼しました。コーディネーターの承認と相手の同意のあとに案件になります。"))
    return redirect("matching:introduction", intro.uuid)


@require_POST
@login_required
def listing_renew(request: HttpRequest, listing_uuid: str) -> HttpResponse:
    listing = access.get_rw_listing_for_user(request.user, listing_uuid)
    listing.renew()
    messages.success(request, _("掲載期限を %(d)s まで延長しました。") % {"d": listing.expires_on})
    return redirect(listing)


@require_POST
@login_required
def listing_moderate(request: HttpRequest, listing_uuid: str) -> HttpResponse:
    listing, _w = access.get_listing_for_user(request.user, listing_uuid)
    try:
        listing = services.moderate(listing, by=request.user, action=request.POST.get("action", ""),
                                    seen=request.POST.get("seen"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(listing)
    messages.success(request, _("「%(t)s」を%(s)sにしました。") % {"t": listing.title, "s": listing.get_status_display()})
    return redirect("matching:moderation")


@require_GET
@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    if not access.may(request.user, "matching.may_moderate"):
        raise PermissionDenied
    pending = list(Listing.objects.filter(status=Listing.Status.PENDING)
                   .select_related("owner_organization", "owner_client").prefetch_related("fields", "stages")
                   .order_by("created")[:200])
    changes = changes_against_approved(pending)
    rows = [{"listing": x, "changes": changes.get(x.pk)} for x in pending]
    intros = Introduction.objects.filter(status=Introduction.Status.REQUESTED).select_related("listing", "candidate")
    return render(request, "matching/moderation.html", {"pending": rows, "intros": intros[:200]})


@require_GET
@login_required
def introduction_detail(request: HttpRequest, intro_uuid: str) -> HttpResponse:
    intro = access.get_introduction_for_user(request.user, intro_uuid)
    user = request.user
    ctx = {
        "intro": intro,
        "listing_owner": access.owner_for(user, intro.listing),
        "candidate_owner": access.owner_for(user, intro.candidate),
        "is_coordinator": access.may(user, "matching.may_moderate"),
        "may_consent": access.may(user, "matching.may_consent_introduction", intro),
    }
    return render(request, "matching/introduction_detail.html", ctx)


@require_POST
@login_required
def introduction_action(request: HttpRequest, intro_uuid: str, action: str) -> HttpResponse:
    intro = access.get_introduction_for_user(request.user, intro_uuid)
    try:
        if action == "approve":
            services.approve(intro, by=request.user)
        elif action == "consent":
            services.consent(intro, by=request.user, side=request.POST.get("side") or None)
        elif action == "decline":
            services.decline(intro, by=request.user)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("紹介を「%(s)s」にしました。") % {"s": intro.get_status_display()})
    return redirect("matching:introduction", intro.uuid)


MAX_INTERESTS_PER_USER = 20


@login_required
def interests(request: HttpRequest) -> HttpResponse:
    """Saved interests: "mail me new 技術シーズ about センサ". A user sees and edits only their own."""
    user = request.user
    assert user.is_authenticated  # login_required; tells the type checker too
    mine = SavedInterest.objects.filter(user=user).select_related("field").order_by("-created")
    form = SavedInterestForm(request.POST or None, initial={"email": user.email})
    if request.method == "POST":
        if mine.count() >= MAX_INTERESTS_PER_USER:
            messages.error(request, _("関心の登録は %(n)d 件までです。不要なものを削除してください。") % {"n": MAX_INTERESTS_PER_USER})
        elif form.is_valid():
            interest = form.save(commit=False)
            interest.user = user
            interest.save()
            messages.success(request, _("関心を登録しました。合う掲載が公開されたらメールでお知らせします。"))
            return redirect("matching:interests")
    return render(request, "matching/interests.html", {"form": form, "interests": mine})


@require_POST
@login_required
def interest_delete(request: HttpRequest, interest_uuid: str) -> HttpResponse:
    user = request.user
    assert user.is_authenticated  # login_required; tells the type checker too
    deleted, _d = SavedInterest.objects.filter(uuid=interest_uuid, user=user).delete()
    if not deleted:
        raise Http404
    messages.success(request, _("関心の登録を削除しました。"))
    return redirect("matching:interests")
