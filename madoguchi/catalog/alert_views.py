"""Pages of saved searches, starred programs and the 「内容に変更なし」 link. Thin: the work is in
alerts.py, stars.py and freshness.py."""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.catalog import alerts, confirmations, freshness, stars
from madoguchi.catalog.filters import FilterError
from madoguchi.catalog.models import SavedSearch, Star
from madoguchi.directory.models import Program
from madoguchi.platform.ratelimit import authorize_subscribe_email, authorize_subscribe_ip

TOO_MANY = gettext_lazy("短時間に多くのお申し込みがありました。しばらく時間をおいてから、もう一度お試しください。")


class AlertForm(forms.Form):
    querystring = forms.CharField(max_length=4000, required=False, widget=forms.HiddenInput)
    email = forms.EmailField(label=gettext_lazy("メールアドレス"), required=False)
    frequency = forms.ChoiceField(label=gettext_lazy("頻度"), choices=SavedSearch.Frequency.choices,
                                  initial=SavedSearch.Frequency.WEEKLY)

    def __init__(self, *args: Any, user: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_querystring(self) -> str:
        querystring = alerts.clean_querystring(self.cleaned_data.get("querystring") or "")
        try:
            alerts.parse(querystring)
        except FilterError as exc:
            raise forms.ValidationError(exc.message) from None
        if not querystring:
            raise forms.ValidationError(_("検索の質問か条件を入力してから登録してください。"))
        return querystring

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email") or ""
        if getattr(self.user, "is_authenticated", False):
            email = getattr(self.user, "email", "")
            if not email:
                raise forms.ValidationError(_("アカウントにメールアドレスが登録されていません。"))
        elif not email:
            raise forms.ValidationError(_("メールアドレスを入力してください。"))
        return email


class StarForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("メールアドレス"), required=False)


def _sent(request: HttpRequest, email: str) -> HttpResponse:
    return render(request, "catalog/alert_sent.html", {"email": email})


@require_POST
def alert_subscribe(request: HttpRequest) -> HttpResponse:
    """Save the search shown on the page: from an account at once, by email after confirming."""
    form = AlertForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "catalog/alert_form_page.html", {"form": form}, status=400)
    querystring, frequency = form.cleaned_data["querystring"], form.cleaned_data["frequency"]
    if request.user.is_authenticated:
        alerts.save_for_user(request.user, querystring, frequency)
        messages.success(request, _("検索条件を保存しました。新着があるとメールでお知らせします。"))
        return redirect("catalog:alerts")
    email = form.cleaned_data["email"]
    if not (authorize_subscribe_ip(request) and authorize_subscribe_email(email)):
        messages.error(request, TOO_MANY)
        return render(request, "catalog/alert_form_page.html", {"form": form}, status=429)
    alerts.save_by_email(email, querystring, frequency)
    return _sent(request, email.strip().lower())


@require_http_methods(["GET", "POST"])
def alert_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: GET shows a button (mail scanners open links), POST confirms."""
    found = confirmations.read(token)
    if found is None:
        message = _("このリンクは正しくないか、有効期限（%(days)d日）が切れています。もう一度お申し込みください。") % {
            "days": confirmations.DAYS}
        return render(request, "catalog/link_error.html", {"message": message}, status=400)
    kind, ref = found
    model = SavedSearch if kind == "search" else Star
    subscription = model.objects.filter(uuid=ref, unsubscribed_at__isnull=True).first()
    if subscription is None:
        return render(request, "catalog/link_error.html",
                      {"message": _("このお申し込みは配信停止済みです。もう一度お申し込みください。")}, status=404)
    what = alerts.describe(subscription) if kind == "search" else subscription.program.name
    if request.method == "POST":
        (alerts.confirm if kind == "search" else stars.confirm)(subscription)
        return render(request, "catalog/alert_confirm.html", {"done": True, "what": what, "kind": kind})
    return render(request, "catalog/alert_confirm.html", {"done": subscription.confirmed_at is not None,
                                                          "what": what, "kind": kind})


@require_GET
def alert_feed(request: HttpRequest, token: str) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, feed_token=token, unsubscribed_at__isnull=True, confirmed_at__isnull=False)
    return HttpResponse(alerts.atom_feed(saved), content_type="application/atom+xml; charset=utf-8")


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    """An account's saved searches and starred programs."""
    assert request.user.is_authenticated  # login_required; narrows the user for the lookups below
    searches = list(SavedSearch.objects.filter(user=request.user, unsubscribed_at__isnull=True))
    rows = [{"saved": s, "what": alerts.describe(s), "search_url": alerts.search_url(s), "feed_url": alerts.feed_url(s)}
            for s in searches]
    starred = Star.objects.filter(user=request.user, unsubscribed_at__isnull=True).select_related("program")
    return render(request, "catalog/alert_list.html", {"rows": rows, "stars": starred,
                                                       "frequencies": SavedSearch.Frequency.choices})


def _get_saved_search_for_user(request: HttpRequest, uuid: uuidlib.UUID) -> SavedSearch:
    """Another person's saved search is a 404, so nothing tells it exists."""
    return get_object_or_404(SavedSearch, uuid=uuid, user=request.user, unsubscribed_at__isnull=True)


@login_required
@require_POST
def alert_update(request: HttpRequest, uuid: uuidlib.UUID) -> HttpResponse:
    saved = _get_saved_search_for_user(request, uuid)
    frequency = request.POST.get("frequency", "")
    if frequency not in SavedSearch.Frequency.values:
        messages.error(request, _("頻度は「毎日」か「毎週」を選んでください。"))
    else:
        SavedSearch.objects.filter(pk=saved.pk).update(frequency=frequency)
        messages.success(request, _("頻度を変更しました。"))
    return redirect("catalog:alerts")


@login_required
@require_POST
def alert_delete(request: HttpRequest, uuid: uuidlib.UUID) -> HttpResponse:
    saved = _get_saved_search_for_user(request, uuid)
    SavedSearch.objects.filter(pk=saved.pk).update(unsubscribed_at=timezone.now())
    messages.success(request, _("検索条件を削除しました。"))
    return redirect("catalog:alerts")


@require_POST
def star(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=slug, catalog__isnull=False)
    if request.user.is_authenticated:
        if not request.user.email:
            messages.error(request, _("アカウントにメールアドレスが登録されていません。"))
        else:
            stars.star_for_user(request.user, program)
            messages.success(request, _("お気に入りに登録しました。締切の 7 日前にメールでお知らせします。"))
        return redirect(program)
    form = StarForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["email"]:
        messages.error(request, _("正しいメールアドレスを入力してください。"))
        return redirect(program)
    email = form.cleaned_data["email"]
    if not (authorize_subscribe_ip(request) and authorize_subscribe_email(email)):
        messages.error(request, TOO_MANY)
        return redirect(program)
    stars.star_by_email(email, program)
    return _sent(request, email.strip().lower())


@login_required
@require_POST
def star_delete(request: HttpRequest, uuid: uuidlib.UUID) -> HttpResponse:
    found = get_object_or_404(Star, uuid=uuid, user=request.user, unsubscribed_at__isnull=True)
    Star.objects.filter(pk=found.pk).update(unsubscribed_at=timezone.now())
    messages.success(request, _("お気に入りから外しました。"))
    return redirect("catalog:alerts")


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """「内容に変更なし」 from the stale reminder: GET shows the button, POST sets the verified date."""
    try:
        program = freshness.read_verify_token(token)
    except freshness.LinkError as exc:
        return render(request, "catalog/link_error.html", {"message": exc.message}, status=exc.status)
    done = False
    if request.method == "POST":
        freshness.mark_verified(program)
        done = True
    return render(request, "catalog/verify.html", {"program": program, "done": done})
