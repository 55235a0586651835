"""The period picker and filters of the report pages (and of `madoguchi report`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.directory.models import BusinessStage, Municipality, SupportFunction
from madoguchi.platform.identifiers import CodeChoiceField
from madoguchi.reports.metrics import Filters, Period, fiscal_year_to_date

# A longer period is not a report anyone reads, and it bounds the work of one request.
MAX_DAYS = 366 * 10


def _date_field(label: str, example: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("%(label)sは YYYY-MM-DD の形式の日付で入力してください（例: %(example)s）。")
                        % {"label": label, "example": example}},
    )


class ReportForm(forms.Form):
    """`from` and `to` (inclusive, Japan time; default: this 年度 so far), and optional filters."""

    function = forms.ModelChoiceField(
        SupportFunction.objects.order_by("order"), to_field_name="code", required=False, label=_("支援機能"),
        empty_label=_("すべて"), error_messages={"invalid_choice": _("支援機能を一覧から選んでください。")})
    stage = forms.ModelChoiceField(
        BusinessStage.objects.order_by("order"), to_field_name="code", required=False, label=_("事業段階"),
        empty_label=_("すべて"), error_messages={"invalid_choice": _("事業段階を一覧から選んでください。")})
    municipality = CodeChoiceField(
        Municipality.objects.filter(valid_to__isnull=True).order_by("code"), to_field_name="code", required=False,
        label=_("市区町村"), empty_label=_("すべて"),
        error_messages={"invalid_choice": _("市区町村を一覧から選んでください。")})

    filter_names: tuple[str, ...] = ("function", "stage", "municipality")

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None:
            # An empty date means this 年度 so far; filled in so the page shows which dates it counted.
            data, default = data.copy(), fiscal_year_to_date()
            for name, value in (("from", default.start), ("to", default.end)):
                if not data.get(name):
                    data[name] = f"{value:%Y-%m-%d}"
        super().__init__(data, **kwargs)
        # "from" is a Python keyword, so these two are added here rather than declared above.
        fields = {"from": _date_field(str(_("開始日")), "2025-04-01"), "to": _date_field(str(_("終了日")), "2026-03-31")}
        self.fields = {**fields, **{k: v for k, v in self.fields.items() if k in self.filter_names}}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns
        start, end = data.get("from"), data.get("to")
        if start is None or end is None:
            return data  # the field's own message says what is wrong
        if start > end:
            raise forms.ValidationError(
                _("開始日（%(start)s）が終了日（%(end)s）より後になっています。開始日は終了日以前の日付にしてください。")
                % {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}, code="reversed")
        if (end - start).days > MAX_DAYS:
            raise forms.ValidationError(_("期間は10年以内で指定してください。"), code="too_long")
        data["period"] = Period(start, end)
        return data

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]

    @property
    def filters(self) -> Filters:
        return Filters(**{k: self.cleaned_data.get(k) for k in self.filter_names})


class CoverageForm(ReportForm):
    """The coverage matrix is function × stage itself, so only the place narrows it."""

    filter_names = ("municipality",)


def parse_period(start: str, end: str) -> Period | list[str]:
    """The period of `madoguchi report`, or the same Japanese messages the pages give."""
    form = ReportForm({"from": start, "to": end})
    if form.is_valid():
        return form.period
    return [str(m) for errors in form.errors.values() for m in errors]

