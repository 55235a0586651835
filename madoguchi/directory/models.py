"""The support network: institutions, their functions, programs, facilities and places.

Every record loaded from the 2005 plan keeps the plan's wording in its own fields, with
`source` (section or table) and `as_of`. What staff learn later goes into the `current_*`
fields with its own `current_as_of`, so the plan is never overwritten and a reload of the
plan never clobbers today's facts.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from madoguchi.platform.identifiers import refuse_foreign_digits
from madoguchi.platform.text import nfkc, normalise_digits, without_spaces

PLAN_AS_OF = dt.date(2005, 12, 1)

_PHONE_RE = re.compile(r"^0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}$")


def validate_phone(value: str) -> None:
    """Accept Japanese numbers written with hyphens: 022-225-6636, 0120-123-456, 090-1234-5678.

    Full-width digits are fine (forms store them half-width); other scripts' digits are refused.
    """
    normalised = normalise_digits(value)
    refuse_foreign_digits(normalised, gettext("電話番号"))
    digits = re.sub(r"[^0-9]", "", normalised)
    if not _PHONE_RE.match(normalised) or not 10 <= len(digits) <= 11:
        raise ValidationError(
            _("電話番号の形式が正しくありません（例: 022-225-6636）。半角数字とハイフンで入力してください。"),
            code="invalid_phone",
        )


@deconstructible(path="django.core.validators.RegexValidator")
class _PostalCodeValidator(RegexValidator):
    """The pattern below, after refusing other scripts' digits (`\\d` alone would take them).

    It deconstructs as the plain RegexValidator the migrations recorded: the pattern is unchanged,
    the extra refusal needs no database change.
    """

    def __call__(self, value: str) -> None:
        refuse_foreign_digits(normalise_digits(value), gettext("郵便番号"))
        super().__call__(value)


validate_postal_code = _PostalCodeValidator(
    r"^\d{3}-\d{4}$",
    _("郵便番号の形式が正しくありません（例: 980-0011）。"),
    code="invalid_postal_code",
)


def validate_municipality_code(value: str) -> None:
    """全国地方公共団体コード: 5 digits, or 6 with the check digit, in ASCII."""
    refuse_foreign_digits(normalise_digits(value), gettext("団体コード"))
    if not re.fullmatch(r"[0-9]{5,6}", value or ""):
        raise ValidationError(
            _("団体コードは5桁または6桁の半角数字で入力してください（例: 04100 = 仙台市）。"), code="invalid_municipality_code"
        )


def localized_name(name: str, name_en: str) -> str:
    """The English name when the page is in English and one is recorded, else the Japanese.

    Reference data (functions, stages, fields, municipalities) is part of the interface
    — labels of filters and checkboxes — so it follows the active language.
    """
    language = get_language() or "ja"
    return name_en if name_en and language.startswith("en") else name


def name_key(name: str) -> str:
    """Return a key that matches the same body however the plan spelled it.

    The plan writes legal forms three ways — (財), （財）, 財団法人 — and its text extraction
    left stray spaces inside names ("(株) 仙台ソフトウェアセンター", "研究 機構").
    """
    text = nfkc(name)
    text = re.sub(r"\((財|社|株|独|福|学|有)\)", "", text)
    text = re.sub(r"^(独立行政法人|財団法人|社団法人|株式会社)", "", text)
    text = text.replace("株式会社", "")
    return without_spaces(text)


class Provenance(models.Model):
    """Where a record came from and when its facts were true."""

    source = models.CharField(_("出典"), max_length=200, blank=True, help_text=_("計画の節・表（例: 表2 (5)）"))
    as_of = models.DateField(_("時点"), default=PLAN_AS_OF)
    verified_at = models.DateField(_("確認日"), null=True, blank=True)

    class Meta:
        abstract = True


class SupportFunction(Provenance):
    """One of the eight support functions of 表4. Codes are stable; names are the plan's."""

    class Code(models.TextChoices):
        TECH_DEV = "tech_dev", _("技術開発支援")
        TECH_TRANSFER = "tech_transfer", _("技術移転支援")
        STARTUP = "startup", _("起業化支援")
        FINANCE = "finance", _("資金・設備支援")
        MANAGEMENT = "management", _("経営改善支援")
        MARKET = "market", _("販路開拓支援")
        MARKET_INFO = "market_info", _("技術・人材市場情報支援")
        TALENT = "talent", _("人材発掘・育成支援")

    code = models.CharField(_("コード"), max_length=20, unique=True, choices=Code.choices)
    name = models.CharField(_("名称"), max_length=50)
    short_name = models.CharField(_("略称"), max_length=20)
    name_en = models.CharField(_("英語名"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("表4の列順"))
    description = models.TextField(_("説明"), blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("支援機能")
        verbose_name_plural = _("支援機能")

    def __str__(self) -> str:
        return localized_name(self.name, self.name_en)


class BusinessStage(Provenance):
    """A stage of a business's development. The plan speaks only of 事業の発展段階, so the
    five stages are the project's own (source "DESIGN")."""

    code = models.SlugField(_("コード"), unique=True)
    name = models.CharField(_("名称"), max_length=30)
    name_en = models.CharField(_("英語名"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField()
    description = models.TextField(_("説明"), blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("事業段階")
        verbose_name_plural = _("事業段階")

    def __str__(self) -> str:
        return localized_name(self.name, self.name_en)


class Field(Provenance):
    """A strategic or industrial field (食, バリアフリー, 環境, IT, …)."""

    code = models.SlugField(_("コード"), unique=True)
    name = models.CharField(_("名称"), max_length=30)
    name_en = models.CharField(_("英語名"), max_length=60, blank=True)
    strategic = models.BooleanField(_("県の戦略分野"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("分野")
        verbose_name_plural = _("分野")

    def __str__(self) -> str:
        return localized_name(self.name, self.name_en)


class Municipality(Provenance):
    """A municipality (市区町村), with the names the plan used kept as history."""

    class Kind(models.TextChoices):
        DESIGNATED_CITY = "designated_city", _("政令指定都市")
        WARD = "ward", _("区")
        CITY = "city", _("市")
        TOWN = "town", _("町")
        VILLAGE = "village", _("村")

    code = models.CharField(_("団体コード"), max_length=6, unique=True)
    prefecture = models.CharField(_("都道府県"), max_length=10, default="宮城県")
    name = models.CharField(_("名称"), max_length=30)
    kana = models.CharField(_("よみ"), max_length=60, blank=True)
    name_en = models.CharField(_("英語名"), max_length=60, blank=True)
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("所属市"), null=True, blank=True, on_delete=models.PROTECT, related_name="wards"
    )
    valid_from = models.DateField(_("設置日"), null=True, blank=True)
    valid_to = models.DateField(_("廃止日"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("承継団体"), null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )
    history_note = models.CharField(_("沿革"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("市区町村")
        verbose_name_plural = _("市区町村")

    def __str__(self) -> str:
        return localized_name(self.name, self.name_en)

    def clean(self) -> None:
        # Full-width 団体コード are stored half-width, so a lookup by the ASCII code finds them.
        self.code = normalise_digits(self.code)
        try:
            validate_municipality_code(self.code)
        except ValidationError as error:
            raise ValidationError({"code": error}) from None

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def city(self) -> Municipality:
        """The municipality itself, or its city when this is a ward of 仙台市."""
        return self.parent if self.parent is not None else self


class Area(Provenance):
    """A designated area such as 仙台北部地域 (高度技術産学連携地域)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("名称"), max_length=50)
    designation = models.CharField(_("指定"), max_length=100, blank=True)
    area_km2 = models.PositiveIntegerField(_("面積（km²）"), null=True, blank=True)
    description = models.TextField(_("説明"), blank=True)
    municipalities = models.ManyToManyField(Municipality, verbose_name=_("構成市町村"), related_name="areas")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("地域")
        verbose_name_plural = _("地域")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:area", args=[self.slug])


class OrganizationQuerySet(QuerySet["Organization"]):
    def offering(self, function: SupportFunction | str) -> OrganizationQuerySet:
        code = function.code if isinstance(function, SupportFunction) else function
        return self.filter(functions__code=code).distinct()

    def in_municipality(self, municipality: Municipality | str) -> OrganizationQuerySet:
        """Bodies located in the municipality; a city includes its wards."""
        code = municipality.code if isinstance(municipality, Municipality) else municipality
        return self.filter(Q(municipality__code=code) | Q(municipality__parent__code=code))

    def platform(self) -> OrganizationQuerySet:
        """The core institution and the 新事業支援機関 of 表2, as the plan lists them."""
        return self.filter(kind__in=[Organization.Kind.CORE, Organization.Kind.SUPPORT])


class Organization(Provenance):
    class Kind(models.TextChoices):
        CORE = "core", _("中核的支援機関")
        SUPPORT = "support", _("新事業支援機関")
        UNIVERSITY = "university", _("大学・高専等")
        RESEARCH_INSTITUTE = "research", _("公設試験研究機関")
        RESEARCH_FOUNDATION = "foundation", _("研究・開発財団")
        INDUSTRY_SUPPORT = "industry_support", _("産業支援機関")
        PARTNER = "partner", _("連携機関")
        # Not in the plan's tables: the prefecture's own department, where its officers (who
        # read aggregate reports only) belong. Added by the editors (interop/data/added_bodies.csv).
        PREFECTURE = "prefecture", _("県（行政）")

    class Sector(models.TextChoices):
        NATIONAL = "national", _("国")
        PREFECTURE = "prefecture", _("県")
        CITY = "city", _("市町村")
        PRIVATE = "private", _("民間・その他")

    class Status(models.TextChoices):
        ACTIVE = "active", _("活動中")
        RENAMED = "renamed", _("名称変更")
        MERGED = "merged", _("統合・再編")
        DISSOLVED = "dissolved", _("解散・廃止")
        UNKNOWN = "unknown", _("未確認")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("スラッグ"), max_length=80, unique=True)
    plan_key = models.CharField(
        _("計画上のキー"), max_length=80, unique=True, null=True, blank=True, editable=False,
        help_text=_("計画から読み込んだ記録の識別子。再読み込み時の照合に使う。"),
    )
    plan_number = models.CharField(_("表2の番号"), max_length=8, blank=True)
    # "(10)" sorts before "(2)" as text; this keeps 表4's row order (core first, then 表2).
    plan_order = models.PositiveSmallIntegerField(_("計画上の並び順"), default=0, editable=False)
    name = models.CharField(_("名称（計画の表記）"), max_length=200)
    kana = models.CharField(_("よみ"), max_length=200, blank=True)
    name_en = models.CharField(_("英語名"), max_length=200, blank=True)
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    sector = models.CharField(_("設置主体"), max_length=20, choices=Sector.choices, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上位・構成元の団体"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="members",
    )
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True, validators=[validate_postal_code])
    address = models.CharField(_("住所"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("市区町村"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="organizations",
    )
    phone = models.CharField(_("電話番号"), max_length=20, blank=True, validators=[validate_phone])
    url = models.URLField(_("ウェブサイト"), blank=True)
    email = models.EmailField(_("メール"), blank=True)
    main_functions_text = models.CharField(_("主な支援機能（計画の表記）"), max_length=200, blank=True)
    description = models.TextField(_("説明（計画の記述）"), blank=True)
    functions: models.ManyToManyField[SupportFunction, OrganizationFunction] = models.ManyToManyField(
        SupportFunction, through="OrganizationFunction", verbose_name=_("支援機能"), related_name="organizations"
    )
    fields = models.ManyToManyField(Field, verbose_name=_("分野"), blank=True, related_name="organizations")
    stages = models.ManyToManyField(BusinessStage, verbose_name=_("対象段階"), blank=True, related_name="organizations")
    source_refs = models.JSONField(_("計画中の登場箇所"), default=list, blank=True)
    # Other spellings of the same body in the plan (表1 宮城県知的財産所有権センター for 表2's
    # 宮城県知的所有権センター), so search finds it by either name.
    aliases = models.JSONField(_("別表記"), default=list, blank=True)
    # The plan only names 41 of its bodies. A short curated profile (from public knowledge, not
    # the plan's words) lets search and visitors see what they do; it carries its own source and
    # date so nobody mistakes it for the plan's text. Seeded from organization_profiles.csv.
    profile = models.TextField(_("概要（編集部による補足）"), blank=True)
    profile_en = models.TextField(_("概要（英語）"), blank=True)
    profile_source = models.CharField(_("概要の出典"), max_length=200, blank=True)
    profile_as_of = models.DateField(_("概要の時点"), null=True, blank=True)

    # Today's facts, recorded by staff on top of the plan's, with their own as-of date.
    status = models.CharField(_("現況"), max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    current_name = models.CharField(_("現在の名称"), max_length=200, blank=True)
    current_address = models.CharField(_("現在の住所"), max_length=200, blank=True)
    current_phone = models.CharField(_("現在の電話番号"), max_length=20, blank=True, validators=[validate_phone])
    current_note = models.TextField(_("現況の補足"), blank=True)
    current_as_of = models.DateField(_("現況の時点"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("承継団体"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="predecessors",
    )

    history = HistoricalRecords(excluded_fields=["source_refs", "aliases"])
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "plan_order", "name"]
        verbose_name = _("支援機関・関係機関")
        verbose_name_plural = _("支援機関・関係機関")
        indexes = [
            # institutions list filtered by kind: /organizations?kind=support
            models.Index(fields=["kind", "name"], name="org_kind_name_idx"),
        ]

    def __str__(self) -> str:
        # Choice labels (e.g. the consent checkboxes of the intake form) follow the page's language.
        return localized_name(self.display_name, self.display_name_en)

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Keep Membership.at_core (what the database's CHECK reads) in step with the kind.
        at_core = self.kind == self.Kind.CORE
        Membership.objects.filter(organization_id=self.pk).exclude(at_core=at_core).update(at_core=at_core)

    def get_absolute_url(self) -> str:
        return reverse("directory:organization", args=[self.slug])

    def clean(self) -> None:
        if any([self.current_name, self.current_address, self.current_phone, self.current_note]) and not self.current_as_of:
            raise ValidationError({"current_as_of": _("現在の情報を記録するときは、その時点（日付）も入力してください。")})
        if self.profile and not self.profile_as_of:
            raise ValidationError({"profile_as_of": _("概要を記録するときは、その時点（日付）も入力してください。")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("自分自身を上位団体にはできません。")})
        if self.pk and self.kind != self.Kind.CORE:
            platform_roles = self.memberships.filter(role__in=Membership.CORE_ONLY_ROLES)
            if platform_roles.exists():
                raise ValidationError({"kind": _(
                    "この機関にはコーディネーターまたは管理者の所属が %(n)d 件あります。種別を変える前に、その役割を変更してください。"
                ) % {"n": platform_roles.count()}})

    @property
    def display_name(self) -> str:
        """Today's name where staff recorded one, else the plan's."""
        return self.current_name or self.name

    @property
    def display_name_en(self) -> str:
        """The English name, while it still fits: it translates the plan's name, not today's."""
        return "" if self.current_name else self.name_en

    @property
    def shown_name(self) -> str:
        """The name a public page shows: the English one on an English page where it still fits, else today's."""
        return localized_name(self.display_name, self.display_name_en)

    @property
    def display_address(self) -> str:
        return self.current_address or self.address

    @property
    def display_phone(self) -> str:
        return self.current_phone or self.phone

    @property
    def display_profile(self) -> str:
        """The curated profile in the page's language (English where one is recorded)."""
        return localized_name(self.profile, self.profile_en)

    @property
    def is_platform_member(self) -> bool:
        return self.kind in (self.Kind.CORE, self.Kind.SUPPORT)


class OrganizationFunction(models.Model):
    """That an organization offers a function, and how we know (表4's marks were lost)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="function_links")
    function = models.ForeignKey(SupportFunction, on_delete=models.CASCADE, related_name="organization_links")
    derived = models.BooleanField(_("推定"), default=True, help_text=_("表4の印が失われたため、他の記述から推定した"))
    basis = models.CharField(_("根拠"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("支援機能の提供")
        verbose_name_plural = _("支援機能の提供")
        constraints = [
            models.UniqueConstraint(fields=["organization", "function"], name="org_function_unique"),
        ]
        ordering = ["function__order"]

    def __str__(self) -> str:
        return f"{self.organization} — {self.function}"


class Location(Provenance):
    """An office of an organization when it has more than one (e.g. 知的所有権センター 本部・支部)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="locations")
    label = models.CharField(_("名称・区分"), max_length=100)
    address = models.CharField(_("住所"), max_length=200)
    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.PROTECT)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True, validators=[validate_phone])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organization", "order"]
        verbose_name = _("所在地")
        verbose_name_plural = _("所在地")
        constraints = [
            models.UniqueConstraint(fields=["organization", "label"], name="location_org_label_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organization}（{self.label}）"


class CurrentQuerySet(QuerySet[Any]):
    def current(self) -> CurrentQuerySet:
        """The rows staff have not retired: what the public pages and the search show."""
        return self.filter(retired_at__isnull=True)


class Program(Provenance):
    """A support program (支援事業・制度) of one organization."""

    class Category(models.TextChoices):
        COORDINATION = "coordination", _("総合調整・相談")
        RESEARCH_INFO = "research_info", _("調査研究・情報提供事業")
        TRAINING = "training", _("人材育成事業")
        FINANCE = "finance", _("資金支援事業")
        TECH_DEV = "tech_dev", _("技術開発支援事業")
        MARKET = "market", _("市場開拓支援・取引斡旋支援")
        OTHER = "other", _("その他")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("スラッグ"), max_length=80, unique=True)
    plan_key = models.CharField(max_length=80, unique=True, null=True, blank=True, editable=False)
    organization = models.ForeignKey(
        Organization, verbose_name=_("実施機関"), on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(_("名称"), max_length=200)
    category = models.CharField(_("事業区分"), max_length=20, choices=Category.choices, default=Category.OTHER)
    description = models.TextField(_("内容"), blank=True)
    functions = models.ManyToManyField(SupportFunction, verbose_name=_("支援機能"), blank=True, related_name="programs")
    function_basis = models.CharField(_("支援機能の根拠"), max_length=300, blank=True)
    stages = models.ManyToManyField(BusinessStage, verbose_name=_("対象段階"), blank=True, related_name="programs")
    # The plan names stages only in passing (創業予定者, 新分野進出…); say which words a stage came from.
    stage_basis = models.CharField(_("対象段階の根拠"), max_length=300, blank=True)
    fields = models.ManyToManyField(Field, verbose_name=_("分野"), blank=True, related_name="programs")
    eligibility_area = models.ManyToManyField(Municipality, verbose_name=_("対象地域"), blank=True, related_name="programs")
    eligibility_size = models.CharField(_("対象規模"), max_length=100, blank=True)
    eligibility = models.TextField(_("対象・要件"), blank=True)
    application_opens = models.DateField(_("受付開始"), null=True, blank=True)
    application_closes = models.DateField(_("受付締切"), null=True, blank=True)
    contact = models.CharField(_("問い合わせ先"), max_length=200, blank=True)
    url = models.URLField(_("ウェブサイト"), blank=True)
    current_note = models.TextField(_("現況の補足"), blank=True)
    current_as_of = models.DateField(_("現況の時点"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Staff retire a program that ended instead of deleting it: its history, the cases and
    # reports that name it stay whole; it leaves the public lists and the search.
    retired_at = models.DateTimeField(_("掲載終了日時"), null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = CurrentQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "order", "name"]
        verbose_name = _("支援事業・制度")
        verbose_name_plural = _("支援事業・制度")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:program", args=[self.slug])

    def clean(self) -> None:
        if self.application_opens and self.application_closes and self.application_closes < self.application_opens:
            raise ValidationError({"application_closes": _("受付締切は受付開始より後の日付にしてください。")})
        if self.current_note and not self.current_as_of:
            raise ValidationError({"current_as_of": _("現況を記録するときは、その時点（日付）も入力してください。")})


class Facility(Provenance):
    """Incubation and research facilities (表1 右欄)."""

    class Kind(models.TextChoices):
        INCUBATOR = "incubator", _("インキュベーション施設")
        RESEARCH = "research", _("研究開発施設")
        OTHER = "other", _("その他")

    slug = models.SlugField(max_length=80, unique=True)
    plan_key = models.CharField(max_length=80, unique=True, null=True, blank=True, editable=False)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    operator = models.ForeignKey(
        Organization, verbose_name=_("運営機関"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="facilities",
    )
    operator_basis = models.CharField(_("運営機関の根拠"), max_length=300, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.PROTECT)
    description = models.TextField(_("説明"), blank=True)
    current_note = models.TextField(_("現況の補足"), blank=True)
    current_as_of = models.DateField(_("現況の時点"), null=True, blank=True)
    retired_at = models.DateTimeField(_("掲載終了日時"), null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = CurrentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("施設")
        verbose_name_plural = _("施設")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:facilities") + f"#{self.slug}"


class Membership(models.Model):
    """A staff user's one organization and role. Clients have no membership (see cases.Client).

    Roles are defined per kind of institution: the coordinator and the platform administrator
    act platform-wide and exist only at the core institution (中核的支援機関). Every other
    institution has its staff, read-only members and its own administrator, who manages that
    institution's staff and data only. The prefecture role reads aggregate reports only.
    """

    class Role(models.TextChoices):
        STAFF = "staff", _("担当者")
        READONLY = "readonly", _("閲覧のみ")
        COORDINATOR = "coordinator", _("コーディネーター")
        ADMIN = "admin", _("管理者")
        # An institution's own administrator: its staff and data, nothing platform-wide.
        ORG_ADMIN = "org_admin", _("機関の管理者")
        # 県の担当者: reads the platform's aggregate reports (reports app); writes nothing.
        PREFECTURE = "prefecture", _("県の担当者（報告の閲覧）")

    # Roles that see but never act: can_write, and who is emailed to act on a referral.
    READ_ONLY_ROLES = (Role.READONLY, Role.PREFECTURE)
    # Roles with platform-wide reach, allowed only at the core institution (also a CHECK below).
    CORE_ONLY_ROLES = (Role.COORDINATOR, Role.ADMIN)

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices, default=Role.STAFF)
    # A copy of "the organization is the core institution", kept in sync by save() here and by
    # Organization.save(): a CHECK constraint cannot read another table, and this lets the
    # database itself refuse a core-only role anywhere else.
    at_core = models.BooleanField(_("中核的支援機関の所属"), default=False, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["coordinator", "admin"]) | models.Q(at_core=True),
                name="membership_core_only_roles",
                violation_error_message=_("コーディネーターと管理者の役割は中核的支援機関の所属にだけ付けられます。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.at_core = self.organization.kind == Organization.Kind.CORE
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "at_core" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "at_core"]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.organization_id is None:
            return
        if self.role in self.CORE_ONLY_ROLES and self.organization.kind != Organization.Kind.CORE:
            raise ValidationError({"role": _(
                "「%(role)s」は中核的支援機関の所属にだけ付けられます。この機関では「担当者」か「機関の管理者」を選んでください。"
            ) % {"role": self.get_role_display()}})

    @property
    def can_write(self) -> bool:
        return self.role not in self.READ_ONLY_ROLES

    @property
    def sees_personal_data(self) -> bool:
        """Whether the role may see any case or a masked listing's owner (not the prefecture's)."""
        return self.role != self.Role.PREFECTURE

    @property
    def is_coordinator(self) -> bool:
        """Coordinators (and the platform administrator) see the whole platform's triage — only
        at the core institution; the organization's kind is read now, not trusted from the row."""
        return self.role in self.CORE_ONLY_ROLES and self.organization.kind == Organization.Kind.CORE

    @property
    def is_institution_admin(self) -> bool:
        """Manages the memberships of its own institution in the admin."""
        return self.role == self.Role.ORG_ADMIN or (self.role == self.Role.ADMIN and self.is_coordinator)
