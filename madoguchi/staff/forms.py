"""The staff's own forms for programs, facilities and events (not the admin's).

Only the fields an institution keeps current itself; provenance (source, as_of, verified_at)
is set by the view, not typed. Messages are specific and in Japanese.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.directory.models import Facility, Municipality, Program
from madoguchi.events.models import Event

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_TEXT = forms.Textarea(attrs={"rows": 4})


class _StaffForm(forms.ModelForm):
    required_messages: dict[str, StrOrPromise] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, message in self.required_messages.items():
            self.fields[name].error_messages["required"] = message
        if "municipality" in self.fields:
            # a foreign key's form field: a ModelChoiceField
            cast(forms.ModelChoiceField, self.fields["municipality"]).queryset = Municipality.objects.filter(valid_to__isnull=True)


class ProgramForm(_StaffForm):
    required_messages = {"name": _("事業の名称を入力してください。")}

    class Meta:
        model = Program
        fields = ["name", "category", "description", "functions", "stages", "fields", "eligibility",
                  "eligibility_size", "application_opens", "application_closes", "contact", "url",
                  "current_note", "current_as_of"]
        widgets = {
            "description": _TEXT, "eligibility": _TEXT, "current_note": forms.Textarea(attrs={"rows": 2}),
            "functions": forms.CheckboxSelectMultiple, "stages": forms.CheckboxSelectMultiple,
            "fields": forms.CheckboxSelectMultiple,
            "application_opens": _DATE, "application_closes": _DATE, "current_as_of": _DATE,
        }
        error_messages = {"url": {"invalid": _("ウェブサイトは https:// から始まるURLで入力してください。")}}


class FacilityForm(_StaffForm):
    required_messages = {"name": _("施設の名称を入力してください。")}

    class Meta:
        model = Facility
        fields = ["name", "kind", "address", "municipality", "description", "current_note", "current_as_of"]
        widgets = {"description": _TEXT, "current_note": forms.Textarea(attrs={"rows": 2}), "current_as_of": _DATE}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean returns, typed without its None
        if data.get("current_note") and not data.get("current_as_of"):
            self.add_error("current_as_of", _("現況を記録するときは、その時点（日付）も入力してください。"))
        return data


class EventForm(_StaffForm):
    required_messages = {
        "title": _("イベントの名称を入力してください。"),
        "starts_at": _("開始日時を入力してください。"),
        "ends_at": _("終了日時を入力してください。"),
    }

    class Meta:
        model = Event
        fields = ["title", "kind", "status", "description", "starts_at", "ends_at", "venue", "address",
                  "municipality", "online", "capacity", "registration_opens", "registration_closes",
                  "functions", "fields", "stages", "fee", "contact"]
        widgets = {
            "description": _TEXT, "starts_at": _DATETIME, "ends_at": _DATETIME,
            "registration_opens": _DATETIME, "registration_closes": _DATETIME,
            "functions": forms.CheckboxSelectMultiple, "stages": forms.CheckboxSelectMultiple,
            "fields": forms.CheckboxSelectMultiple,
        }
