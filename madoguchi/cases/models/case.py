"""Clients, their cases, the append-only timeline and the read log."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from madoguchi.cases import signals
from madoguchi.cases.models.conflict import Conflict
from madoguchi.directory.models import BusinessStage, Municipality, Organization, SupportFunction
from madoguchi.platform.identifiers import validate_corporate_number

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from madoguchi.cases.models.referral import Referral


class Outcome(models.TextChoices):
    FOUNDED = "founded", _("創業")
    LOAN = "loan", _("融資実行")
    JOINT_RESEARCH = "joint_research", _("共同研究開始")
    DEAL = "deal", _("商談成立")
    EXPERT = "expert", _("専門家派遣")
    INFO_ONLY = "info_only", _("情報提供のみ")
    # Outcomes of introductions made by matching (seeds × needs, investors, orders, talent).
    LICENSE = "license", _("ライセンス契約")
    INVESTMENT = "investment", _("出資")
    ORDER_WON = "order_won", _("受注")
    HIRED = "hired", _("採用")
    OTHER = "other", _("その他")


class Client(models.Model):
    """A 相談者: a company or a person. The optional user account is how they log in."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("法人")
        PERSON = "person", _("個人")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("種別"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称・氏名"), max_length=200)
    corporate_number = models.CharField(
        _("法人番号"), max_length=13, blank=True, validators=[validate_corporate_number]
    )
    contact_name = models.CharField(_("担当者名"), max_length=100, blank=True)
    email = models.EmailField(_("メール"), blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="client"
    )
    created = models.DateTimeField(default=timezone.now)
    anonymised_at = models.DateTimeField(_("匿名化日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("相談者")
        verbose_name_plural = _("相談者")

    def __str__(self) -> str:
        return self.name or str(_("（匿名化済み）"))


class CaseQuerySet(QuerySet["Case"]):
    def awaiting_triage(self) -> CaseQuerySet:
        """New consultations and those a declined referral sent back: the coordinator's inbox."""
        return self.filter(status__in=[Case.Status.NEW, Case.Status.RETURNED])

    def shared_with(self, organization: Organization) -> CaseQuerySet:
        """Cases the client's consent lets `organization` see now: Case.may_share_with, in SQL."""
        covered = Q(consent_withdrawn_at__isnull=True)
        if organization.kind != Organization.Kind.CORE:
            named = Case.named_organizations.through.objects.filter(organization=organization).values("case_id")
            covered &= Q(consent=Case.Consent.PLATFORM) | Q(consent=Case.Consent.NAMED, pk__in=named)
        return self.filter(Q(owner=organization) | covered)

    def for_institution(self, organization: Organization) -> CaseQuerySet:
        """Cases the institution owns or took part in by a referral, and may see now (one query)."""
        # The referral model through its relation: referral.py imports this module. A reverse
        # relation's related_model is always the model class (never None or "self").
        referral_model = cast("type[Referral]", self.model._meta.get_field("referrals").related_model)
        referred = referral_model._default_manager.filter(Q(from_org=organization) | Q(to_org=organization)).values("case_id")
        return self.shared_with(organization).filter(Q(owner=organization) | Q(pk__in=referred))


class Case(models.Model):
    """One consultation (相談) and everything done about it."""

    class Status(models.TextChoices):
        NEW = "new", _("新規受付")
        REFERRED = "referred", _("紹介中")
        RETURNED = "returned", _("差し戻し")
        CLOSED = "closed", _("終了")

    class Consent(models.TextChoices):
        CORE_ONLY = "core_only", _("中核的支援機関（みやぎ産業振興機構）のみに共有する")
        NAMED = "named", _("指定した機関にも共有する")
        PLATFORM = "platform", _("コーディネーターが紹介するプラットフォームの機関に共有する")

    code = models.UUIDField(_("受付番号"), default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases", verbose_name=_("相談者"))
    owner = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="owned_cases", verbose_name=_("受付機関")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("所在地（市区町村）")
    )
    stage = models.ForeignKey(
        BusinessStage, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("事業段階")
    )
    functions = models.ManyToManyField(SupportFunction, blank=True, verbose_name=_("求める支援機能"))
    need = models.TextField(_("相談内容"))
    consent = models.CharField(_("情報共有への同意"), max_length=20, choices=Consent.choices)
    named_organizations = models.ManyToManyField(
        Organization, blank=True, related_name="consented_cases", verbose_name=_("共有を認めた機関")
    )
    consent_given_at = models.DateTimeField(_("同意日時"), default=timezone.now)
    consent_withdrawn_at = models.DateTimeField(_("同意撤回日時"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(_("成果"), max_length=20, choices=Outcome.choices, blank=True)
    created = models.DateTimeField(_("受付日時"), default=timezone.now)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("匿名化日時"), null=True, blank=True)
    # An institution's system may retry POST /api/consultations; the same key returns the same case.
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)

    history = HistoricalRecords()
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("相談")
        verbose_name_plural = _("相談")
        indexes = [
            # the coordinator's inbox: status in (new, returned) ordered by created
            models.Index(fields=["status", "created"], name="case_status_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                name="case_owner_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return str(_("相談 %(code)s") % {"code": self.short_code})

    def get_absolute_url(self) -> str:
        return reverse("cases:case", args=[self.code])

    @property
    def short_code(self) -> str:
        return str(self.code)[:8]

    @property
    def consent_active(self) -> bool:
        return self.consent_withdrawn_at is None

    def may_share_with(self, organization: Organization | None) -> bool:
        """Whether the client's consent covers showing this case to `organization` now.

        The receiving institution itself always may (it was told by the client directly).
        The core institution is covered by every consent option, until the client withdraws.
        """
        if organization is None:
            return False
        if organization.pk == self.owner_id:
            return True
        if not self.consent_active:
            return False
        if organization.kind == Organization.Kind.CORE:
            return True
        if self.consent == self.Consent.NAMED:
            return self.named_organizations.filter(pk=organization.pk).exists()
        # PLATFORM: the directory is the platform; any institution the coordinator refers to.
        return self.consent == self.Consent.PLATFORM

    def shareable_organizations(self) -> QuerySet[Organization]:
        """The institutions the client's consent covers now (may_share_with, in SQL): where
        the case may be referred. The owner is left out: nobody refers a case to its owner."""
        # The prefecture's department reads aggregates only: it never receives a case.
        organizations = Organization.objects.exclude(pk=self.owner_id).exclude(kind=Organization.Kind.PREFECTURE)
        if not self.consent_active:
            return organizations.none()
        if self.consent == self.Consent.PLATFORM:
            return organizations
        core = Q(kind=Organization.Kind.CORE)
        if self.consent == self.Consent.NAMED:
            return organizations.filter(core | Q(pk__in=self.named_organizations.values("pk")))
        return organizations.filter(core)

    def why_not_shareable(self, organization: Organization) -> str:
        """Why the case cannot be referred to `organization` (empty when it can), for the page."""
        if organization.pk == self.owner_id:
            return str(_("受付機関です。"))
        if not self.consent_active:
            return str(_("相談者が情報共有への同意を撤回したため、紹介できません。"))
        if organization.kind == Organization.Kind.PREFECTURE:
            return str(_("県の担当者は集計だけを閲覧するため、紹介先にはできません。"))
        if self.may_share_with(organization):
            return ""
        if self.consent == self.Consent.CORE_ONLY:
            return str(_("相談者は中核的支援機関のみへの共有に同意しているため、紹介できません。"))
        return str(_("相談者が共有を認めた機関に含まれていないため、紹介できません。"))

    def involved_organization_ids(self) -> set[int]:
        """The owner and every institution that sent or received a referral for this case."""
        ids = {self.owner_id}
        for from_id, to_id in self.referrals.values_list("from_org_id", "to_org_id"):
            ids.update((from_id, to_id))
        return ids

    def add_activity(
        self, kind: str, *, by: User | None, text: str = "", organization: Organization | None = None,
        attachment: Any = None,
    ) -> Activity:
        """Append one entry to the timeline and return it."""
        if organization is None and by is not None and hasattr(by, "membership"):
            organization = by.membership.organization
        activity = Activity(case=self, kind=kind, actor=by, organization=organization, text=text)
        if attachment is not None:
            activity.attachment = attachment
            activity.attachment_name = getattr(attachment, "name", "")[:200]
        activity.save()
        return activity

    def add_note(self, *, by: User, text: str) -> Activity:
        if not text.strip():
            raise ValidationError({"text": _("メモの内容を入力してください。")})
        self._require_open()
        return self.add_activity(Activity.Kind.NOTE, by=by, text=text.strip())

    def _require_open(self) -> None:
        if self.status == self.Status.CLOSED:
            raise ValidationError(_("この相談は終了しています。変更するには新しい相談として受け付けてください。"))
        if self.anonymised_at:
            raise ValidationError(_("この相談は匿名化されています。"))

    def refer(self, *, by: User, to_org: Organization, message: str = "") -> Referral:
        """Send the case from the user's institution to `to_org`; returns the new referral."""
        Referral = self.referrals.model  # the model, through its relation (referral.py imports this module)
        from_org = by.membership.organization
        self._require_open()
        if to_org.pk == from_org.pk:
            raise ValidationError({"to_org": _("自分の機関には紹介できません。別の機関を選んでください。")})
        if to_org.kind == Organization.Kind.PREFECTURE:
            raise ValidationError({"to_org": _("県の担当者は集計だけを閲覧するため、紹介先にはできません。")})
        if not self.consent_active:
            raise ValidationError(_("相談者が情報共有への同意を撤回したため、他の機関には紹介できません。"))
        if not self.may_share_with(to_org):
            raise ValidationError(
                {"to_org": _("「%(org)s」は相談者が同意した共有先に含まれていないため、紹介できません。")
                 % {"org": to_org.display_name}}
            )
        with transaction.atomic():
            referral = Referral.objects.create(
                case=self, from_org=from_org, to_org=to_org, sent_by=by, message=message.strip(),
                created=timezone.now(),
            )
            self.add_activity(
                Activity.Kind.REFERRAL, by=by,
                text=str(_("%(from)s から %(to)s へ紹介しました。%(message)s") % {
                    "from": from_org.display_name, "to": to_org.display_name, "message": message.strip()}),
            )
            if self.status != self.Status.REFERRED:
                self.status = self.Status.REFERRED
                self.save(update_fields=["status"])
            signals.referral_sent.send(sender=Referral, referral=referral)
        return referral

    def close(self, *, by: User, outcome: str) -> None:
        self._require_open()
        if outcome not in Outcome.values:
            raise ValidationError({"outcome": _("成果を一覧から選んでください。")})
        with transaction.atomic():
            self.status = self.Status.CLOSED
            self.outcome = outcome
            self.closed_at = timezone.now()
            self.save(update_fields=["status", "outcome", "closed_at"])
            self.add_activity(
                Activity.Kind.STATUS, by=by,
                text=str(_("相談を終了しました（成果: %(outcome)s）。") % {"outcome": Outcome(outcome).label}),
            )

    def withdraw_consent(self, *, by: User | None) -> None:
        """Stop sharing with every institution but the owner, from now on; recorded on the timeline."""
        if not self.consent_active:
            return
        with transaction.atomic():
            self.consent_withdrawn_at = timezone.now()
            self.save(update_fields=["consent_withdrawn_at"])
            self.add_activity(
                Activity.Kind.CONSENT, by=by, organization=None,
                text=str(_("相談者が情報共有への同意を撤回しました。以後、受付機関以外には共有されません。")),
            )
            others = Organization.objects.filter(pk__in=self.involved_organization_ids() - {self.owner_id})
            self._close_referrals_to_others(by=by)
            signals.consent_withdrawn.send(sender=Case, case=self, organizations=list(others))

    def _close_referrals_to_others(self, *, by: User | None) -> None:
        """Open referrals to other institutions end with the consent: they could no longer act on them."""
        Referral = self.referrals.model  # the model, through its relation
        for referral in self.referrals.filter(status__in=Referral.OPEN_STATUSES).exclude(to_org_id=self.owner_id):
            try:
                referral.transition(Referral.Action.CLOSE, by=by, expected_version=referral.version,
                                    reason=str(_("相談者が情報共有への同意を撤回したため")))
            except (Conflict, ValidationError):
                continue  # answered or closed this very moment: nothing left to stop

    def visible_activities(self) -> QuerySet[Activity]:
        return self.activities.select_related("actor", "organization").order_by("created", "pk")


class ActivityQuerySet(QuerySet["Activity"]):
    """The timeline is append-only: no bulk update or delete (anonymisation aside)."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Activity is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Activity is append-only")

    def _anonymise(self) -> int:
        """Blank the text of these entries: 個人情報保護法 outranks the append-only rule."""
        return super().update(text="", attachment="", attachment_name="")


def _attachment_path(instance: Activity, filename: str) -> str:
    # The stored name is the activity's UUID, so a client's file name never reaches the disk path.
    return f"cases/{instance.case.code}/{instance.uuid}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", _("受付")
        NOTE = "note", _("メモ")
        REFERRAL = "referral", _("紹介")
        STATUS = "status", _("状態変更")
        DOCUMENT = "document", _("書類")
        CONSENT = "consent", _("同意")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField(_("内容"), blank=True)
    attachment = models.FileField(_("添付ファイル"), upload_to=_attachment_path, blank=True)
    attachment_name = models.CharField(_("ファイル名"), max_length=200, blank=True)
    created = models.DateTimeField(default=timezone.now)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("経過")
        verbose_name_plural = _("経過")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Activity is append-only: entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Activity is append-only: entries cannot be deleted")


class CaseRead(models.Model):
    """Who at another institution read a case, on which day, and what they read.

    One line per reader per case per day (Japan time): a coordinator who opens the page ten
    times in a morning is one line with count 10, so the client's "who saw my case" list stays a
    list of people and days, not of page loads. `what` names the parts read that day.
    """

    class What(models.TextChoices):
        CASE = "case", _("相談の内容")
        DOCUMENT = "document", _("添付書類")
        EXPORT = "export", _("個人データの出力")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    via = models.CharField(max_length=10, default="web")
    at = models.DateTimeField(_("最初の閲覧"), default=timezone.now)
    day = models.DateField(_("閲覧日"), default=timezone.localdate)
    last_at = models.DateTimeField(_("最後の閲覧"), default=timezone.now)
    count = models.PositiveIntegerField(_("閲覧回数"), default=1)
    what = models.JSONField(_("閲覧した内容"), default=list, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("閲覧記録")
        verbose_name_plural = _("閲覧記録")
        indexes = [
            # the client's "who saw my case" list: case = ? order by at desc
            models.Index(fields=["case", "at"], name="caseread_case_at_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "user", "day"], name="caseread_one_per_reader_day"),
        ]

    def __str__(self) -> str:
        # Own fields only: the admin's delete confirmation names every line of a case.
        return f"{self.day:%Y-%m-%d} ×{self.count}"

    def what_labels(self) -> list[str]:
        return [str(self.What(w).label) if w in self.What.values else w for w in self.what]

    @classmethod
    def record(cls, *, case: Case, user: User, organization: Organization, via: str, what: str) -> CaseRead:
        """Log one read: the reader's line for today, created or added to. Returns the line."""
        from django.db import IntegrityError

        now = timezone.now()
        day = timezone.localdate(now)
        for _attempt in range(2):
            row = cls.objects.filter(case=case, user=user, day=day).first()
            if row is None:
                try:
                    # A savepoint: a concurrent first read of the same day loses the race cleanly.
                    with transaction.atomic():
                        return cls.objects.create(case=case, user=user, organization=organization, via=via,
                                                  at=now, day=day, last_at=now, what=[what])
                except IntegrityError:
                    continue
            cls.objects.filter(pk=row.pk).update(count=models.F("count") + 1, last_at=now)
            if what not in row.what:
                row.what = [*row.what, what]
                row.save(update_fields=["what"])
            return row
        raise RuntimeError("CaseRead.record: the day's line vanished twice")  # pragma: no cover
