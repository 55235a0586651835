"""Seminars, 交流会, 商談会 and fairs of the support institutions, and registrations for them.

The plan's 人材育成事業 (seminars, courses), 交流事業 and みやぎビジネスマーケット (商談会) all
come down to: an institution publishes an event, people register, seats run out, later
registrants wait, a cancellation frees a seat for the first one waiting.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from madoguchi.directory.models import BusinessStage, Field, Municipality, Organization, SupportFunction


class RegistrationRefused(Exception):
    """Registration is not possible now; `message` says why, in Japanese, for the person."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _when(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


class EventQuerySet(QuerySet["Event"]):
    def published(self) -> EventQuerySet:
        return self.filter(status=Event.Status.PUBLISHED)

    def upcoming(self, now: dt.datetime | None = None) -> EventQuerySet:
        """Events that have not ended yet (a two-day fair stays listed on its second day)."""
        return self.filter(ends_at__gte=now or timezone.now())

    def listed(self, now: dt.datetime | None = None) -> EventQuerySet:
        """What the public lists and feeds show: published, not yet over, soonest first."""
        return self.published().upcoming(now).order_by("starts_at", "pk")

    def offering(self, function: str) -> EventQuerySet:
        return self.filter(functions__code=function).distinct()

    def in_municipality(self, code: str) -> EventQuerySet:
        """Events held in the municipality; a city includes its wards."""
        return self.filter(Q(municipality__code=code) | Q(municipality__parent__code=code))

    def with_confirmed_count(self) -> EventQuerySet:
        return self.annotate(
            confirmed_total=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED))
        )


class Event(models.Model):
    class Kind(models.TextChoices):
        SEMINAR = "seminar", _("セミナー")
        NETWORKING = "networking", _("交流会")
        BUSINESS_MEETING = "business_meeting", _("商談会")
        FAIR = "fair", _("展示会・見本市")
        COURSE = "course", _("講座")

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        PUBLISHED = "published", _("公開")
        CANCELLED = "cancelled", _("中止")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(
        _("スラッグ"), max_length=80, unique=True, blank=True,
        help_text=_("URL に使う英数字。空欄なら開催日と乱数から作ります。"),
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("主催機関"), on_delete=models.PROTECT, related_name="events"
    )
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.SEMINAR)
    description = models.TextField(_("内容"), blank=True)
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"))
    venue = models.CharField(_("会場"), max_length=200, blank=True)
    address = models.CharField(_("会場の住所"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("市区町村"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="events",
    )
    online = models.BooleanField(_("オンライン開催"), default=False)
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True, help_text=_("空欄なら定員なし"))
    registration_opens = models.DateTimeField(_("申込受付開始"), null=True, blank=True, help_text=_("空欄なら公開と同時"))
    registration_closes = models.DateTimeField(
        _("申込締切"), null=True, blank=True, help_text=_("空欄なら開始日時まで受け付けます")
    )
    functions = models.ManyToManyField(SupportFunction, verbose_name=_("支援機能"), blank=True, related_name="events")
    fields = models.ManyToManyField(Field, verbose_name=_("分野"), blank=True, related_name="events")
    stages = models.ManyToManyField(BusinessStage, verbose_name=_("対象段階"), blank=True, related_name="events")
    fee = models.CharField(_("参加費"), max_length=100, blank=True, help_text=_("例: 無料、3,000円（資料代）"))
    contact = models.CharField(_("問い合わせ先"), max_length=200, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # When it first went public: digests announce events published since the last digest,
    # which an event drafted long ago and published today must be part of.
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("イベント")
        verbose_name_plural = _("イベント")
        indexes = [
            # the public list and the feeds: published events not yet over, soonest first
            models.Index(fields=["status", "ends_at", "starts_at"], name="event_listed_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            # Japanese titles slugify to nothing; a date and a random part stay unique and readable.
            self.slug = f"{timezone.localtime(self.starts_at):%Y%m%d}-{self.uuid.hex[:8]}"
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, "published_at"]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.slug])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = gettext("終了日時は開始日時より後にしてください。")
        if self.registration_opens and self.registration_closes and self.registration_closes < self.registration_opens:
            errors["registration_closes"] = gettext("申込締切は申込受付開始より後にしてください。")
        if self.registration_closes and self.ends_at and self.registration_closes > self.ends_at:
            errors["registration_closes"] = gettext("申込締切はイベントの終了日時より前にしてください。")
        if errors:
            raise ValidationError(errors)

    @property
    def closes_at(self) -> dt.datetime:
        """When registration closes: the set deadline, else the start."""
        return self.registration_closes or self.starts_at

    def refusal(self, now: dt.datetime | None = None) -> RegistrationRefused | None:
        """Why registration is impossible at `now`, or None when it is open."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return RegistrationRefused(gettext("このイベントは中止になりました。申し込みは受け付けていません。"), "cancelled")
        if self.status != self.Status.PUBLISHED:
            return RegistrationRefused(gettext("このイベントはまだ公開されていません。"), "not_published")
        if self.registration_opens and now < self.registration_opens:
            return RegistrationRefused(
                gettext("申し込みの受付は %(when)s からです。") % {"when": _when(self.registration_opens)}, "not_open"
            )
        if now >= self.closes_at:
            return RegistrationRefused(
                gettext("申し込みの受付は %(when)s に締め切りました。") % {"when": _when(self.closes_at)}, "closed"
            )
        return None

    def is_open(self, now: dt.datetime | None = None) -> bool:
        return self.refusal(now) is None

    def confirmed_count(self) -> int:
        annotated = getattr(self, "confirmed_total", None)
        if annotated is not None:
            return int(annotated)
        return self.registrations.filter(status=Registration.Status.CONFIRMED).count()

    def seats_left(self) -> int | None:
        """Free seats, or None when there is no limit."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count(), 0)

    def register(
        self, *, name: str, email: str, organization_name: str = "", phone: str = "",
        now: dt.datetime | None = None,
    ) -> RegistrationResult:
        """Register one person: confirmed while seats last, then waitlisted.

        The same email twice returns the existing registration (created=False), so a
        double-click or a retry never takes two seats. Raises RegistrationRefused when
        registration is closed or the event cancelled.
        """
        email = normalise_email(email)
        try:
            with transaction.atomic():
                # Lock the event row: two people taking the last seat queue here (on SQLite
                # the IMMEDIATE transaction already serialises writers).
                event = Event.objects.select_for_update().get(pk=self.pk)
                existing = event.registrations.exclude(status=Registration.Status.CANCELLED).filter(email=email).first()
                if existing is not None:
                    return RegistrationResult(existing, created=False)
                refusal = event.refusal(now)
                if refusal is not None:
                    raise refusal
                full = event.capacity is not None and (
                    event.registrations.filter(status=Registration.Status.CONFIRMED).count() >= event.capacity
                )
                registration = Registration.objects.create(
                    event=event, name=name.strip(), email=email, organization_name=organization_name.strip(),
                    phone=phone.strip(),
                    status=Registration.Status.WAITLISTED if full else Registration.Status.CONFIRMED,
                )
                return RegistrationResult(registration, created=True)
        except IntegrityError:
            # A concurrent request with the same email won the race (the unique constraint
            # caught it); answer with its registration, as for a retry.
            existing = self.registrations.exclude(status=Registration.Status.CANCELLED).get(email=email)
            return RegistrationResult(existing, created=False)

    def promote_waitlisted(self) -> list[Registration]:
        """Confirm people from the waiting list, first come first served, while seats are free.

        Returns the promoted registrations. Call inside a transaction holding the event lock.
        """
        if self.capacity is None:
            free = None
        else:
            free = self.capacity - self.registrations.filter(status=Registration.Status.CONFIRMED).count()
            if free <= 0:
                return []
        waiting = self.registrations.filter(status=Registration.Status.WAITLISTED).order_by("created", "pk")
        promoted = list(waiting if free is None else waiting[:free])
        for registration in promoted:
            registration.status = Registration.Status.CONFIRMED
            registration.save(update_fields=["status", "updated"])
        return promoted

    def fill_from_waitlist(self) -> list[Registration]:
        """Promote waiting people after staff raised the capacity; returns those promoted."""
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=self.pk)
            return event.promote_waitlisted()


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively here: Taro@Example.jp and taro@example.jp are one person."""
    return email.strip().lower()


@dataclass
class RegistrationResult:
    registration: Registration
    created: bool


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("確定")
        WAITLISTED = "waitlisted", _("キャンセル待ち")
        CANCELLED = "cancelled", _("キャンセル済み")

    # The uuid is the registrant's key to their registration page and cancel link.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, verbose_name=_("イベント"), on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("氏名"), max_length=100)
    organization_name = models.CharField(_("会社・団体名"), max_length=200, blank=True)
    email = models.EmailField(_("メールアドレス"))
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    consented_at = models.DateTimeField(_("個人情報の利用への同意"), default=timezone.now)
    created = models.DateTimeField(_("申込日時"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(_("キャンセル日時"), null=True, blank=True)
    # Set by `madoguchi anonymise-registrations`: name and contact details blanked, the row kept
    # so attendance statistics (confirmed, waitlisted, cancelled, when) still add up.
    anonymised_at = models.DateTimeField(_("匿名化日時"), null=True, blank=True)

    class Meta:
        ordering = ["event", "created", "pk"]
        verbose_name = _("参加申込")
        verbose_name_plural = _("参加申込")
        constraints = [
            # One live registration per address; anonymised rows have no address left to compare.
            models.UniqueConstraint(
                fields=["event", "email"], condition=~Q(status="cancelled") & Q(anonymised_at__isnull=True),
                name="registration_event_email_active",
            ),
        ]
        indexes = [
            # seats taken and waiting-list position: registrations of one event by status, in order
            models.Index(fields=["event", "status", "created"], name="registration_event_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"

    def get_absolute_url(self) -> str:
        return reverse("events:registration", args=[self.uuid])

    def waitlist_position(self) -> int | None:
        """1 for the first person waiting; None unless waitlisted."""
        if self.status != self.Status.WAITLISTED:
            return None
        ahead = Registration.objects.filter(event_id=self.event_id, status=self.Status.WAITLISTED).filter(
            Q(created__lt=self.created) | Q(created=self.created, pk__lt=self.pk)
        )
        return ahead.count() + 1

    def cancel(self, now: dt.datetime | None = None) -> list[Registration]:
        """Cancel; a freed seat goes to the first person waiting. Returns those promoted.

        Cancelling twice changes nothing the second time.
        """
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=self.event_id)
            current = Registration.objects.get(pk=self.pk)
            if current.status == self.Status.CANCELLED:
                self.status, self.cancelled_at = current.status, current.cancelled_at
                return []
            self.status = self.Status.CANCELLED
            self.cancelled_at = now or timezone.now()
            self.save(update_fields=["status", "cancelled_at", "updated"])
            if current.status == self.Status.CONFIRMED and event.status == Event.Status.PUBLISHED:
                return event.promote_waitlisted()
            return []


class SubscriptionQuerySet(QuerySet["Subscription"]):
    def active(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscription(models.Model):
    """Someone who wants new events by email (the plan's メール配信サービス), by interest.

    Double opt-in: nothing is sent but the confirmation until the address owner confirms,
    so nobody can sign another person up for digests.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("メールアドレス"))
    functions = models.ManyToManyField(
        SupportFunction, verbose_name=_("関心のある支援機能"), blank=True, related_name="event_subscriptions",
        help_text=_("空欄ならすべて"),
    )
    kinds = models.JSONField(_("関心のある種類"), default=list, blank=True, help_text=_("空ならすべて"))
    created = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("配信停止日時"), null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("イベント情報のメール配信")
        verbose_name_plural = _("イベント情報のメール配信")
        constraints = [
            # one live subscription per address; a new sign-up after unsubscribing is a new row
            models.UniqueConstraint(
                fields=["email"], condition=Q(unsubscribed_at__isnull=True), name="subscription_email_live",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def get_absolute_url(self) -> str:
        return reverse("events:subscription", args=[self.uuid])

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

    def matching(self, events: EventQuerySet) -> EventQuerySet:
        """The events among `events` that this subscriber asked for."""
        codes = [f.code for f in self.functions.all()]
        if codes:
            events = events.filter(functions__code__in=codes).distinct()
        if self.kinds:
            events = events.filter(kind__in=self.kinds)
        return events


class Digest(models.Model):
    """One digest email to one subscriber for one day; the unique pair makes sending idempotent."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField(_("配信日"))
    event_count = models.PositiveIntegerField(_("件数"))
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ダイジェスト配信")
        verbose_name_plural = _("ダイジェスト配信")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "day"], name="digest_subscription_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} ×{self.event_count}"
