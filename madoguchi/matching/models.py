"""Listings (seeds, needs, patents, money, orders, suppliers, jobs), suggestions and introductions.

A listing is written by an organization (or, later, a client of the cases app), moderated by a
coordinator before it is published, and paired by `ranker.py` with listings of the
complementary kind. The structured fields the ranker filters on are typed columns; free text
is analysed once on save into `terms`, so the nightly batch never re-analyses.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from madoguchi.directory.models import BusinessStage, Field, Municipality, Organization

DEFAULT_VALIDITY_DAYS = 180


class Kind(models.TextChoices):
    SEED = "seed", _("技術シーズ")
    NEED = "need", _("技術ニーズ")
    PATENT = "patent", _("ライセンス可能な特許")
    INVESTOR = "investor", _("投資・融資の関心")
    FUNDING = "funding", _("資金調達の希望")
    ORDER = "order", _("発注案件")
    SUPPLIER = "supplier", _("受注可能な技術")
    JOB_OFFER = "job_offer", _("求人")
    JOB_SEEKER = "job_seeker", _("求職")


class TechArea(models.TextChoices):
    """Technology areas named in the plan (二-1, プロジェクトJ/O, 基盤技術, ナノテク)."""

    SEMICONDUCTOR = "semiconductor", _("半導体・電子デバイス")
    OPTICS = "optics", _("光・ディスプレイ")
    AUTOMOTIVE = "automotive", _("自動車関連")
    MATERIALS = "materials", _("ナノテク・材料")
    MACHINING = "machining", _("機械・加工")
    FOOD = "food", _("食品・農水産")
    ENVIRONMENT = "environment", _("環境・エネルギー")
    SOFTWARE = "software", _("IT・ソフトウェア")
    MEDICAL = "medical", _("医療・福祉機器")
    BIO = "bio", _("バイオ")
    OTHER = "other", _("その他")


class ListingQuerySet(QuerySet["Listing"]):
    def live(self, today: dt.date | None = None) -> ListingQuerySet:
        """Published and not past expiry: what the ranker may suggest."""
        today = today or timezone.localdate()
        return self.filter(status=Listing.Status.PUBLISHED).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))


class Listing(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        PENDING = "pending", _("承認待ち")
        PUBLISHED = "published", _("公開中")
        REJECTED = "rejected", _("差し戻し")
        EXPIRED = "expired", _("期限切れ")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("一般公開")
        MEMBERS = "members", _("プラットフォーム会員のみ")
        ANONYMOUS = "anonymous", _("紹介まで匿名")

    Kind = Kind
    TechArea = TechArea

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("概要"), blank=True)
    owner_organization = models.ForeignKey(
        Organization, verbose_name=_("掲載者（機関・企業）"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="listings",
    )
    owner_client = models.ForeignKey(
        "cases.Client", verbose_name=_("掲載者（相談者）"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="listings",
    )
    owner_name = models.CharField(
        _("掲載者名"), max_length=200, blank=True,
        help_text=_("登録簿にない企業・大学・投資家の名称（例: 株式会社○○）"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_email = models.EmailField(_("連絡先メール"), blank=True, help_text=_("候補の通知を受け取るアドレス"))
    alerts = models.BooleanField(_("新しい候補をメールで知らせる"), default=True)
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.PENDING)
    visibility = models.CharField(_("公開範囲"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC)
    expires_on = models.DateField(_("掲載期限"), null=True, blank=True)
    reminder_sent_on = models.DateField(_("更新案内の送信日"), null=True, blank=True)
    external_key = models.CharField(_("外部キー"), max_length=100, blank=True)

    # Structured fields used by the ranker.
    fields = models.ManyToManyField(Field, verbose_name=_("分野"), blank=True, related_name="listings")
    tech_area = models.CharField(_("技術領域"), max_length=20, choices=TechArea.choices, blank=True)
    stages = models.ManyToManyField(
        BusinessStage, verbose_name=_("事業段階"), blank=True, related_name="listings",
        help_text=_("資金調達の希望は自社の段階、投資・融資の関心は対象とする段階"),
    )
    amount_min = models.PositiveIntegerField(_("金額の下限（万円）"), null=True, blank=True)
    amount_max = models.PositiveIntegerField(_("金額の上限（万円）"), null=True, blank=True)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("所在地・納品場所"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("納期・締切"), null=True, blank=True)
    quantity = models.CharField(_("数量"), max_length=100, blank=True)
    material = models.CharField(_("材質"), max_length=100, blank=True)
    processes = models.JSONField(_("工程・技術"), default=list, blank=True)
    equipment = models.JSONField(_("設備"), default=list, blank=True)
    certifications = models.JSONField(_("認証"), default=list, blank=True)
    skills = models.JSONField(_("スキル・資格"), default=list, blank=True)
    patent_number = models.CharField(_("特許番号"), max_length=40, blank=True)
    patent_status = models.CharField(_("特許の状態"), max_length=40, blank=True)
    use_of_funds = models.CharField(_("資金の使途"), max_length=200, blank=True)

    # Analysed free text (space-joined terms), refreshed on every save.
    terms = models.TextField(editable=False, blank=True)
    # when suggestions were last computed; older than `updated` means `match --stale` owes a refresh
    matched_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The public content (moderation.PUBLIC_FIELDS) as a coordinator last approved it, kept while
    # an edit of a published listing waits for review, so the queue can show what changed;
    # null for listings that were never published or whose last edit was approved.
    approved_content = models.JSONField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["terms", "matched_at", "approved_content"])
    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("掲載")
        verbose_name_plural = _("掲載")
        constraints = [
            # idempotent CSV import: one listing per external key and owner
            models.UniqueConstraint(
                fields=["owner_organization", "external_key"], condition=~Q(external_key=""),
                name="listing_owner_external_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(owner_organization__isnull=True) | Q(owner_client__isnull=True),
                name="listing_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True) | Q(amount_max__isnull=True) | Q(amount_min__lte=models.F("amount_max")),
                name="listing_amount_range_ordered",
            ),
        ]
        indexes = [
            # ranker pool: published listings of the complementary kinds
            models.Index(fields=["kind", "status"], name="listing_kind_status_idx"),
            # moderation queue: pending listings, oldest first
            models.Index(fields=["status", "created"], name="listing_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("matching:listing", args=[self.uuid])

    def clean(self) -> None:
        if self.amount_min is not None and self.amount_max is not None and self.amount_min > self.amount_max:
            raise ValidationError({"amount_max": _("金額の上限は下限以上にしてください。")})
        if self.kind == Kind.PATENT and not self.patent_number:
            raise ValidationError({"patent_number": _("ライセンス可能な特許には特許番号（出願番号）を入力してください。")})

    def fill_derived(self) -> None:
        """Set what save() derives (the default expiry, the ranker's terms); bulk writers call it
        themselves, since bulk_create and bulk_update do not call save()."""
        from madoguchi.matching.text import listing_terms

        if self.expires_on is None:
            self.expires_on = timezone.localdate() + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
        self.terms = " ".join(listing_terms(self))

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and (self.expires_on is None or self.expires_on >= timezone.localdate())

    @property
    def owner_label(self) -> str:
        """The owner's name as stored; callers must go through `anonymity.owner_for` before showing it."""
        if self.owner_organization is not None:
            return self.owner_organization.display_name
        if self.owner_client is not None:
            return self.owner_client.name
        return self.owner_name

    def publish(self, by: object) -> None:
        """A coordinator's approval; `by` is recorded as the history user of the change."""
        self.status = self.Status.PUBLISHED
        self.approved_content = None  # what is published now is the approved version
        if by is not None:
            self._history_user = by
        self.save()

    def reject(self, by: object) -> None:
        self.status = self.Status.REJECTED
        if by is not None:
            self._history_user = by
        self.save()

    def renew(self, days: int = DEFAULT_VALIDITY_DAYS) -> None:
        self.expires_on = timezone.localdate() + dt.timedelta(days=days)
        self.reminder_sent_on = None
        if self.status == self.Status.EXPIRED:
            self.status = self.Status.PUBLISHED
        self.save()


class Match(models.Model):
    """One suggestion: `candidate` for `listing`, with the score and the reasons in Japanese."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="matches")
    candidate = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["listing", "rank"]
        verbose_name = _("候補")
        verbose_name_plural = _("候補")
        constraints = [
            models.UniqueConstraint(fields=["listing", "candidate"], name="match_listing_candidate_unique"),
        ]

    def __str__(self) -> str:
        # Own fields only: no query per row in the admin's lists.
        return f"{self.listing_id} → {self.candidate_id} #{self.rank}"


class InstitutionMatch(models.Model):
    """A registry institution (directory Organization) suggested for a listing, beside the listings:
    lenders and guarantors for a funding request, 公設試 / universities / TLO for a technology need.
    `rank` is its place in the same ranking as the listing candidates (Match.rank)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="institution_matches")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["listing", "rank"]
        verbose_name = _("候補の支援機関")
        verbose_name_plural = _("候補の支援機関")
        constraints = [
            models.UniqueConstraint(fields=["listing", "organization"], name="institution_match_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} → {self.organization_id} #{self.rank}"


class Feedback(models.Model):
    """Why a suggestion does not fit (合わない理由); the ranker uses it as a negative signal."""

    class Reason(models.TextChoices):
        FIELD = "field", _("分野")
        STAGE = "stage", _("段階")
        AREA = "area", _("地域")
        TERMS = "terms", _("条件")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="feedback")
    candidate = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("合わない理由"), max_length=10, choices=Reason.choices)
    comment = models.CharField(_("補足"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("候補へのフィードバック")
        verbose_name_plural = _("候補へのフィードバック")
        constraints = [
            models.UniqueConstraint(fields=["listing", "candidate", "reason"], name="feedback_pair_reason_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} → {self.candidate_id}: {self.reason}"


class Introduction(models.Model):
    """Asked by either side, approved by a coordinator, consented by both, then a case."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("依頼中")
        APPROVED = "approved", _("承認済み（同意待ち）")
        CONSENTED = "consented", _("双方同意")
        DECLINED = "declined", _("見送り")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="introductions_asked")
    candidate = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="introductions_received")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(_("紹介を希望する理由"), blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    listing_consent_at = models.DateTimeField(_("依頼側の同意"), null=True, blank=True)
    candidate_consent_at = models.DateTimeField(_("相手側の同意"), null=True, blank=True)
    case_ref = models.CharField(_("案件"), max_length=100, blank=True, help_text=_("cases アプリの案件の識別子"))
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("紹介")
        verbose_name_plural = _("紹介")
        constraints = [
            # a retried request must not create a second introduction for the same pair
            models.UniqueConstraint(
                fields=["listing", "candidate"], condition=~Q(status="declined"), name="introduction_open_pair_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing.title} ⇄ {self.candidate.title}"

    def listings(self) -> tuple[Listing, Listing]:
        return self.listing, self.candidate


class SavedInterest(models.Model):
    """A standing interest without a listing of one's own: "mail me new 技術シーズ about センサ"."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("通知先メール"))
    kind = models.CharField(_("探している種別"), max_length=20, choices=Kind.choices)
    keywords = models.CharField(_("キーワード"), max_length=200)
    field = models.ForeignKey(Field, verbose_name=_("分野"), null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("関心の登録")
        verbose_name_plural = _("関心の登録")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.keywords}"


class Alert(models.Model):
    """That a subscriber was told about a listing; makes alerting idempotent across refreshes."""

    new_listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    for_listing = models.ForeignKey(Listing, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    for_interest = models.ForeignKey(SavedInterest, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["new_listing", "email"], name="alert_once_per_listing_email"),
        ]

    def __str__(self) -> str:
        # Not the address: a string of a row may end up in a log.
        return f"{self.new_listing_id} @ {self.created}"
