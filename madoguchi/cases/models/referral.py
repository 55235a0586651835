"""A referral of a case from one institution to another, with a closed loop.

sent → accepted | declined;  accepted → in_progress → completed (with an outcome);
any open state → closed. A declined referral returns the case to the coordinator.

Every transition is one filtered UPDATE on (pk, version, allowed statuses): two staff acting
on the same referral at once cannot both win, and the loser gets `Conflict`, never a silent
overwrite.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from madoguchi.cases import signals
from madoguchi.cases.models.case import Activity, Case, Outcome
from madoguchi.cases.models.conflict import Conflict
from madoguchi.directory.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Referral(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("送付済み（回答待ち）")
        ACCEPTED = "accepted", _("受諾")
        DECLINED = "declined", _("辞退")
        IN_PROGRESS = "in_progress", _("対応中")
        COMPLETED = "completed", _("完了")
        CLOSED = "closed", _("取り下げ・終了")

    class Action(models.TextChoices):
        ACCEPT = "accept", _("受諾する")
        DECLINE = "decline", _("辞退する")
        START = "start", _("対応を開始する")
        COMPLETE = "complete", _("完了にする")
        CLOSE = "close", _("終了にする")

    # action → (statuses it may start from, status it leads to)
    TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
        Action.ACCEPT: (frozenset({Status.SENT}), Status.ACCEPTED),
        Action.DECLINE: (frozenset({Status.SENT}), Status.DECLINED),
        Action.START: (frozenset({Status.ACCEPTED}), Status.IN_PROGRESS),
        Action.COMPLETE: (frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.COMPLETED),
        Action.CLOSE: (frozenset({Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS, Status.DECLINED}), Status.CLOSED),
    }
    # Actions taken by the receiving institution; CLOSE belongs to the sender or a coordinator.
    RECEIVER_ACTIONS = frozenset({Action.ACCEPT, Action.DECLINE, Action.START, Action.COMPLETE})
    OPEN_STATUSES = frozenset({Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS})

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    from_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name=_("紹介元")
    )
    to_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="referrals_received", verbose_name=_("紹介先")
    )
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(_("紹介の内容"), blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.SENT)
    outcome = models.CharField(_("成果"), max_length=20, choices=Outcome.choices, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(_("紹介日時"), default=timezone.now)
    responded_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)
    overdue_flagged_at = models.DateTimeField(_("回答期限超過の通知日時"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("紹介")
        verbose_name_plural = _("紹介")
        constraints = [
            models.CheckConstraint(condition=~Q(from_org=F("to_org")), name="referral_not_to_same_org"),
        ]
        indexes = [
            # flag-overdue: status = 'sent' and overdue_flagged_at is null and created < ?
            models.Index(fields=["status", "created"], name="referral_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_org} → {self.to_org} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("cases:case", args=[self.case.code]) + f"#referral-{self.uuid}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def allowed_actions(self) -> list[str]:
        return [action for action, (sources, _target) in self.TRANSITIONS.items() if self.status in sources]

    def transition(
        self, action: str, *, by: User | None, expected_version: int, outcome: str = "", reason: str = ""
    ) -> None:
        """Move the referral by `action`; raises ValidationError or Conflict, changes nothing then."""
        if action not in self.TRANSITIONS:
            raise ValidationError(_("不明な操作です。"))
        sources, target = self.TRANSITIONS[action]
        fields: dict[str, Any] = {"status": target}
        if action == self.Action.DECLINE:
            if not reason.strip():
                raise ValidationError({"reason": _("辞退の理由を入力してください。コーディネーターが次の紹介先を探す手がかりになります。")})
            fields["reason"] = reason.strip()
        if action == self.Action.COMPLETE:
            if outcome not in Outcome.values:
                raise ValidationError({"outcome": _("完了にするには成果を一覧から選んでください。")})
            fields["outcome"] = outcome
        if action == self.Action.CLOSE and reason.strip():
            fields["reason"] = reason.strip()
        now = timezone.now()
        if action in (self.Action.ACCEPT, self.Action.DECLINE):
            fields["responded_at"] = now

        with transaction.atomic():
            changed = Referral.objects.filter(pk=self.pk, version=expected_version, status__in=sources).update(
                version=expected_version + 1, updated_at=now, **fields
            )
            if changed != 1:
                self.refresh_from_db()
                if self.version != expected_version:
                    raise Conflict()
                raise ValidationError(
                    _("この紹介は「%(status)s」のため、「%(action)s」ことはできません。")
                    % {"status": self.get_status_display(), "action": self.Action(action).label}
                )
            self.refresh_from_db()
            # The filtered UPDATE bypasses save(), so record the audited change explicitly.
            self.save(update_fields=["updated_at"])
            case = self.case
            text = _("%(to)s への紹介: %(action)s") % {"to": self.to_org.display_name, "action": self.Action(action).label}
            if fields.get("reason"):
                text = f"{text}（{_('理由')}: {fields['reason']}）"
            if outcome:
                text = f"{text}（{_('成果')}: {Outcome(outcome).label}）"
            case.add_activity(Activity.Kind.STATUS, by=by, text=str(text))
            if action == self.Action.DECLINE and not case.referrals.filter(status__in=self.OPEN_STATUSES).exists():
                # Nobody else holds the case now: it goes back to the coordinator's inbox.
                case.refresh_from_db(fields=["status"])
                if case.status == Case.Status.REFERRED:
                    case.status = Case.Status.RETURNED
                    case.save(update_fields=["status"])
                signals.referral_declined.send(sender=Referral, referral=self)

    def accept(self, *, by: User, expected_version: int) -> None:
        self.transition(self.Action.ACCEPT, by=by, expected_version=expected_version)

    def decline(self, *, by: User, expected_version: int, reason: str) -> None:
        self.transition(self.Action.DECLINE, by=by, expected_version=expected_version, reason=reason)

    def start(self, *, by: User, expected_version: int) -> None:
        self.transition(self.Action.START, by=by, expected_version=expected_version)

    def complete(self, *, by: User, expected_version: int, outcome: str) -> None:
        self.transition(self.Action.COMPLETE, by=by, expected_version=expected_version, outcome=outcome)

    def close(self, *, by: User, expected_version: int, reason: str = "") -> None:
        self.transition(self.Action.CLOSE, by=by, expected_version=expected_version, reason=reason)
