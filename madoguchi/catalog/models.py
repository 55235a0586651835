"""Today's programs: where each came from, its call rounds, amounts, rates, eligibility and area.

directory.Program stays the program (the plan's programs keep their 2005 provenance untouched);
a `CatalogEntry` adds what a current program has — type, amounts, rate, eligibility, area codes
and its identity in a `Source`. `CallRound`s carry the call windows the status is derived from.
The program's own `verified_at` and `as_of` (directory's Provenance) are the freshness dates.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.catalog.querysets import CatalogEntryQuerySet
from madoguchi.directory.models import Organization, Program


class Source(models.Model):
    """Where programs come from: the plan, a CSV publisher, an HSDS feed, jGrants, or staff."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("計画（2005年）")
        CSV = "csv", _("CSV・Excel")
        HSDS = "hsds", _("Open Referral HSDS")
        JGRANTS = "jgrants", _("Jグランツ（jGrants）")
        STAFF = "staff", _("職員の登録")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    slug = models.SlugField(_("スラッグ"), max_length=40, unique=True)
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.CSV)
    licence = models.CharField(_("利用条件"), max_length=200, blank=True, help_text=_("例: CC BY 4.0、政府標準利用規約"))
    attribution = models.CharField(
        _("出典表示"), max_length=300, blank=True, help_text=_("制度のページと API に表示する文（例: 出典: Jグランツ（jGrants））")
    )
    url = models.URLField(_("URL"), blank=True)
    last_import_at = models.DateTimeField(_("最終取り込み"), null=True, blank=True)
    # The body that runs the programs when a row names none (e.g. 中小企業庁 for jGrants).
    publisher = models.ForeignKey(
        Organization, verbose_name=_("既定の実施機関"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("出典（データ源）")
        verbose_name_plural = _("出典（データ源）")

    def __str__(self) -> str:
        return self.name

    @property
    def attribution_text(self) -> str:
        return self.attribution or f"出典: {self.name}"


class ProgramType(models.TextChoices):
    SUBSIDY = "subsidy", _("補助金")
    GRANT = "grant", _("助成金")
    LOAN = "loan", _("融資")
    GUARANTEE = "guarantee", _("保証")
    EQUITY = "equity", _("出資")
    TAX = "tax", _("税制")
    EXPERT = "expert", _("専門家派遣")
    CONSULTATION = "consultation", _("相談")
    TRAINING = "training", _("セミナー・研修")
    CERTIFICATION = "certification", _("認定")
    OTHER = "other", _("その他")


class Industry(models.TextChoices):
    """日本標準産業分類 (JSIC) 大分類, by its letter."""

    A = "A", _("農業，林業")
    B = "B", _("漁業")
    C = "C", _("鉱業，採石業，砂利採取業")
    D = "D", _("建設業")
    E = "E", _("製造業")
    F = "F", _("電気・ガス・熱供給・水道業")
    G = "G", _("情報通信業")
    H = "H", _("運輸業，郵便業")
    I = "I", _("卸売業，小売業")  # noqa: E741 - the JSIC letter
    J = "J", _("金融業，保険業")
    K = "K", _("不動産業，物品賃貸業")
    L = "L", _("学術研究，専門・技術サービス業")
    M = "M", _("宿泊業，飲食サービス業")
    N = "N", _("生活関連サービス業，娯楽業")
    O = "O", _("教育，学習支援業")  # noqa: E741 - the JSIC letter
    P = "P", _("医療，福祉")
    Q = "Q", _("複合サービス事業")
    R = "R", _("サービス業（他に分類されないもの）")
    S = "S", _("公務（他に分類されるものを除く）")
    T = "T", _("分類不能の産業")


class CatalogEntry(models.Model):
    """The current-program facts of one directory.Program, and its identity in its source."""

    program = models.OneToOneField(Program, verbose_name=_("支援事業・制度"), on_delete=models.CASCADE, related_name="catalog")
    source = models.ForeignKey(Source, verbose_name=_("出典"), on_delete=models.PROTECT, related_name="entries")
    external_id = models.CharField(_("出典での ID"), max_length=100)
    type = models.CharField(_("種別"), max_length=20, choices=ProgramType.choices, default=ProgramType.OTHER)
    amount_min = models.BigIntegerField(_("下限額（円）"), null=True, blank=True, validators=[MinValueValidator(0)])
    amount_max = models.BigIntegerField(_("上限額（円）"), null=True, blank=True, validators=[MinValueValidator(0)])
    # The rate as a fraction so 2/3 stays exact, its value for comparisons, and the text as written.
    rate_numerator = models.PositiveIntegerField(_("補助率（分子）"), null=True, blank=True)
    rate_denominator = models.PositiveIntegerField(_("補助率（分母）"), null=True, blank=True)
    rate = models.DecimalField(
        _("補助率"), max_digits=5, decimal_places=4, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    rate_text = models.CharField(_("補助率（表記）"), max_length=50, blank=True, help_text=_("例: 2/3以内、定額"))
    max_employees = models.PositiveIntegerField(_("対象従業員数（以下）"), null=True, blank=True)
    max_capital = models.BigIntegerField(_("対象資本金（円以下）"), null=True, blank=True, validators=[MinValueValidator(0)])
    max_years_since_founding = models.PositiveSmallIntegerField(_("創業後の年数（以内）"), null=True, blank=True)
    industries = models.CharField(_("対象業種（JSIC 大分類）"), max_length=20, blank=True, help_text=_("A〜T の文字（例: EG）"))
    # Space-separated 6-digit codes: a 6-digit substring can only match a whole code, so
    # `area_codes__contains` finds a code on SQLite and PostgreSQL alike. Empty = 全国.
    area_codes = models.CharField(_("対象地域コード"), max_length=2000, blank=True)
    how_to_apply = models.TextField(_("申請方法"), blank=True)
    # Which model fields the source carried at the last import: the others are local edits.
    source_fields = models.JSONField(_("出典が持つ項目"), default=list, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = CatalogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("制度の詳細")
        verbose_name_plural = _("制度の詳細")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="catalog_entry_source_external_id"),
        ]
        indexes = [models.Index(fields=["type"], name="catalog_entry_type_idx")]

    def __str__(self) -> str:
        return f"{self.source.slug}:{self.external_id}"

    @property
    def area_code_list(self) -> list[str]:
        return self.area_codes.split()

    @property
    def industry_list(self) -> list[str]:
        return list(self.industries)

    @property
    def industry_labels(self) -> list[str]:
        return [str(Industry(letter).label) for letter in self.industries if letter in Industry.values]


class CallRound(models.Model):
    """A call window (公募回): opens and closes with a time, or 通年."""

    entry = models.ForeignKey(CatalogEntry, verbose_name=_("制度"), on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("例: 第3回公募"))
    opens_at = models.DateTimeField(_("受付開始"), null=True, blank=True)
    closes_at = models.DateTimeField(_("受付締切"), null=True, blank=True)
    year_round = models.BooleanField(_("通年"), default=False)
    # "" for a round staff added; the importer owns and updates only the round it keyed.
    import_key = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["opens_at", "closes_at", "pk"]
        verbose_name = _("公募回")
        verbose_name_plural = _("公募回")
        indexes = [models.Index(fields=["closes_at"], name="catalog_round_closes_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True) | models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gte=models.F("opens_at")),
                name="catalog_round_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        if self.year_round:
            return str(_("通年"))
        return f"{self.opens_at or ''} – {self.closes_at or ''}"


class CorporateNumber(models.Model):
    """An institution's 法人番号, so importers can match a body by it (directory has no such field)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="corporate_number")
    number = models.CharField(_("法人番号"), max_length=13, unique=True)

    class Meta:
        verbose_name = _("法人番号")
        verbose_name_plural = _("法人番号")

    def __str__(self) -> str:
        return self.number



# Reminders and alerts. Each send is a row, so a second run of a command on the same day (alerts)
# or in the same week (stale reminders) finds it and sends nothing.


def _secret() -> str:
    return secrets.token_urlsafe(32)


class StaleReminder(models.Model):
    """One weekly 要確認 reminder to an institution's staff (remind-stale)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="stale_reminders")
    week = models.DateField(_("週（月曜日）"))
    program_count = models.PositiveIntegerField(_("制度の数"))
    recipients = models.JSONField(_("宛先"), default=list)
    created = models.DateTimeField(_("送信日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("要確認のお知らせ")
        verbose_name_plural = _("要確認のお知らせ")
        constraints = [models.UniqueConstraint(fields=["organization", "week"], name="catalog_stale_reminder_week")]

    def __str__(self) -> str:
        return f"{self.organization}: {self.week}"


class SubscriptionQuerySet(models.QuerySet):
    def active(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class SavedSearch(models.Model):
    """A question with its filters, kept as the query string the person saw (STYLE.md §20), so an
    alert re-runs exactly that search. By email (double opt-in) or from an account (confirmed at once)."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("毎日")
        WEEKLY = "weekly", _("毎週")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The Atom feed's address: secret, separate from the uuid that mail links carry.
    feed_token = models.CharField(max_length=43, unique=True, default=_secret, editable=False)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="saved_searches")
    email = models.EmailField(_("メールアドレス"))
    querystring = models.CharField(_("検索条件（クエリ文字列）"), max_length=2000)
    frequency = models.CharField(_("頻度"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    created = models.DateTimeField(_("登録日時"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("配信停止日時"), null=True, blank=True)
    # Changes after this moment are the next alert's news (the confirmation time at first).
    last_sent_at = models.DateTimeField(_("最終送信日時"), null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("保存した検索条件")
        verbose_name_plural = _("保存した検索条件")

    def __str__(self) -> str:
        return f"{self.email}: {self.querystring}"


class AlertSend(models.Model):
    """One alert mail of a saved search: at most one a day (the unique constraint makes it so)."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="sends")
    day = models.DateField()
    program_count = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["saved_search", "day"], name="catalog_alert_send_day")]

    def __str__(self) -> str:
        return f"{self.saved_search}: {self.day}"


class Star(models.Model):
    """A program someone saved, by account or by email (double opt-in), to be reminded of its deadline."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="stars")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="program_stars")
    email = models.EmailField(_("メールアドレス"))
    created = models.DateTimeField(_("登録日時"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("配信停止日時"), null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("お気に入りの制度")
        verbose_name_plural = _("お気に入りの制度")

    def __str__(self) -> str:
        return f"{self.email}: {self.program}"


class DeadlineReminder(models.Model):
    """The reminder sent for one star and one call round (once per round)."""

    star = models.ForeignKey(Star, on_delete=models.CASCADE, related_name="reminders")
    round = models.ForeignKey(CallRound, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["star", "round"], name="catalog_deadline_reminder_once")]

    def __str__(self) -> str:
        return f"{self.star}: {self.round}"
