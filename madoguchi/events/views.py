"""Public event pages: list, detail with the registration form, the registration page, feeds."""

from __future__ import annotations

import uuid as uuidlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.directory.models import Organization
from madoguchi.events import notify, subscriptions
from madoguchi.events.feeds import atom_feed, ical_feed
from madoguchi.events.forms import EventFilterForm, InterestForm, RegistrationForm, SubscriptionForm
from madoguchi.events.models import Event, EventQuerySet, Registration, RegistrationRefused, Subscription
from madoguchi.platform.ratelimit import authorize_registration_ip, authorize_subscribe_email, authorize_subscribe_ip

PAGE_SIZE = 20
# Registrations made from this browser, so a retried or double-clicked form goes back to
# the registration page; anyone else who types the same email learns nothing more.
SESSION_KEY = "event_registrations"


def _get_public_event(slug: str) -> Event:
    """A published or cancelled event (a cancelled one still shows, with its notice); drafts 404."""
    return get_object_or_404(
        Event.objects.select_related("organization", "municipality", "municipality__parent")
        .prefetch_related("functions")
        .with_confirmed_count()
        .exclude(status=Event.Status.DRAFT),
        slug=slug,
    )


def filtered_events(form: EventFilterForm) -> EventQuerySet:
    """The listed events matching a valid filter form (all listed events when it is empty)."""
    events = Event.objects.listed().select_related("organization", "municipality").with_confirmed_count()
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("function"):
        events = events.offering(data["function"])
    if data.get("kind"):
        events = events.filter(kind=data["kind"])
    if data.get("municipality"):
        events = events.in_municipality(data["municipality"].code)
    return events


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        events: EventQuerySet = Event.objects.none()  # say what is wrong rather than ignore a filter
    else:
        events = filtered_events(form)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": form.is_bound}
    # htmx replaces only the results; without JavaScript the form submits and the full page comes back.
    template = "events/_event_list.html" if request.headers.get("HX-Request") else "events/event_list.html"
    return render(request, template, context)


def _detail(request: HttpRequest, event: Event, form: RegistrationForm, status: int = 200,
            refusal: RegistrationRefused | None = None) -> HttpResponse:
    context = {
        "event": event,
        "form": form,
        "refusal": refusal or event.refusal(),
        "seats_left": event.seats_left(),
    }
    return render(request, "events/event_detail.html", context, status=status)


@require_GET
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_public_event(slug)
    return _detail(request, event, RegistrationForm())


@require_POST
def event_register(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_public_event(slug)
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        return _detail(request, event, form, status=400)
    if not authorize_registration_ip(request):
        messages.error(request, _("短時間に多くのお申し込みがありました。しばらく時間をおいてから、もう一度お試しください。"))
        return _detail(request, event, form, status=429)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            result = event.register(
                name=data["name"], email=data["email"], organization_name=data["organization_name"],
                phone=data["phone"],
            )
            if result.created:
                notify.registration_received(result.registration)
    except RegistrationRefused as refusal:
        return _detail(request, event, form, status=409, refusal=refusal)
    registration = result.registration
    if result.created:
        mine = request.session.get(SESSION_KEY, [])
        request.session[SESSION_KEY] = ([str(registration.uuid)] + mine)[:50]
        messages.success(request, _("お申し込みを受け付けました。"))
        return redirect(registration)
    if str(registration.uuid) in request.session.get(SESSION_KEY, []):
        messages.info(request, _("このメールアドレスではすでにお申し込みいただいています。"))
        return redirect(registration)
    return render(request, "events/already_registered.html", {"event": event, "email": registration.email})


def _get_registration(uuid: uuidlib.UUID) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("event", "event__organization", "event__municipality"), uuid=uuid
    )


@require_GET
def registration_detail(request: HttpRequest, uuid: uuidlib.UUID) -> HttpResponse:
    registration = _get_registration(uuid)
    return render(request, "events/registration_detail.html", {
        "registration": registration,
        "event": registration.event,
        "position": registration.waitlist_position(),
    })


@require_POST
def registration_cancel(request: HttpRequest, uuid: uuidlib.UUID) -> HttpResponse:
    registration = _get_registration(uuid)
    if registration.status == Registration.Status.CANCELLED:
        messages.info(request, _("このお申し込みはすでにキャンセルされています。"))
        return redirect(registration)
    with transaction.atomic():
        for promoted in registration.cancel():
            notify.promoted(promoted)
    messages.success(request, _("お申し込みをキャンセルしました。"))
    return redirect(registration)


def _feed_events(request: HttpRequest) -> tuple[list[Event], Organization | None]:
    events = Event.objects.listed().select_related("organization")
    organization = None
    if slug := request.GET.get("organization"):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise Http404(_("支援機関「%(slug)s」は見つかりません。") % {"slug": slug})
        events = events.filter(organization=organization)
    # Feeds are polled; 200 upcoming events is far more than any calendar shows.
    return list(events[:200]), organization


def _feed_title(organization: Organization | None) -> str:
    if organization:
        return _("%(org)s のイベント（madoguchi）") % {"org": organization.display_name}
    return _("宮城県 新事業支援イベント（madoguchi）")


@require_GET
def feed_ics(request: HttpRequest) -> HttpResponse:
    events, organization = _feed_events(request)
    body = ical_feed(events, _feed_title(organization))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_GET
def feed_atom(request: HttpRequest) -> HttpResponse:
    events, organization = _feed_events(request)
    path = request.get_full_path()
    page = reverse("events:list")
    body = atom_feed(events, _feed_title(organization), path, page)
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


@require_GET
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """One event as a calendar file ("カレンダーに追加")."""
    event = _get_public_event(slug)
    response = HttpResponse(ical_feed([event], event.title), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def subscribe(request: HttpRequest) -> HttpResponse:
    """Sign up for event emails; the answer is the same whether or not the address is known."""
    form = SubscriptionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not (authorize_subscribe_ip(request) and authorize_subscribe_email(form.cleaned_data["email"])):
            messages.error(request, _("短時間に多くのお申し込みがありました。しばらく時間をおいてから、もう一度お試しください。"))
            return render(request, "events/subscribe.html", {"form": form}, status=429)
        with transaction.atomic():
            subscription, created = subscriptions.subscribe(
                form.cleaned_data["email"], form.cleaned_data["functions"], form.cleaned_data["kinds"]
            )
            subscriptions.send_subscribe_email(subscription, created)
        return render(request, "events/subscribe_sent.html", {"email": subscription.email})
    status = 400 if form.is_bound else 200
    return render(request, "events/subscribe.html", {"form": form}, status=status)


def _get_subscription(uuid: uuidlib.UUID) -> Subscription:
    return get_object_or_404(Subscription.objects.prefetch_related("functions"), uuid=uuid)


def subscription_detail(request: HttpRequest, uuid: uuidlib.UUID) -> HttpResponse:
    """The subscriber's own page (reached from the emails): confirm, change interests, stop."""
    subscription = _get_subscription(uuid)
    initial = {"functions": list(subscription.functions.all()), "kinds": subscription.kinds}
    form = InterestForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if subscription.unsubscribed_at is not None:
            messages.error(request, _("この配信は停止されています。もう一度お申し込みください。"))
            return redirect("events:subscribe")
        if form.is_valid():
            subscription.kinds = form.cleaned_data["kinds"]
            subscription.save(update_fields=["kinds"])
            subscription.functions.set(form.cleaned_data["functions"])
            messages.success(request, _("配信内容を変更しました。"))
            return redirect(subscription)
    return render(request, "events/subscription_detail.html", {"subscription": subscription, "form": form})


@require_POST
def subscription_confirm(request: HttpRequest, uuid: uuidlib.UUID) -> HttpResponse:
    # A button, not the emailed link itself: mail scanners open links, they do not press buttons.
    subscription = _get_subscription(uuid)
    if subscription.unsubscribed_at is None and subscription.confirmed_at is None:
        Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
        messages.success(request, _("配信を開始しました。新しいイベントが公開されると、1日1回まとめてお知らせします。"))
    return redirect(subscription)


@require_POST
def subscription_unsubscribe(request: HttpRequest, uuid: uuidlib.UUID) -> HttpResponse:
    subscription = _get_subscription(uuid)
    if subscription.unsubscribed_at is None:
        Subscription.objects.filter(pk=subscription.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
        messages.success(request, _("配信を停止しました。"))
    return redirect(subscription)
