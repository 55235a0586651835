"""The program list's GET form: the ProgramFilters as fields (works without JavaScript)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.catalog.filters import FilterError, ProgramFilters
from madoguchi.catalog.models import ProgramType
from madoguchi.directory.forms import ProgramFilterForm


def _place_code(value: str) -> str:
    """A code as given, or the code of a prefecture or municipality named (仙台市, 宮城県)."""
    from madoguchi.catalog.areas import place_names

    text = value.strip()
    if not text or text[:1].isdigit():
        return text
    return next((code for name, code in place_names() if name == text), text)


class ProgramListForm(ProgramFilterForm):
    """directory's filters (支援機能, 事業区分) and the catalog's; `filter()` applies directory's."""

    q = forms.CharField(label=_("名称・内容"), required=False, max_length=100)
    open = forms.BooleanField(label=_("受付中のみ"), required=False)
    type = forms.ChoiceField(label=_("種別"), required=False, choices=[("", _("すべての種別")), *ProgramType.choices])
    area = forms.CharField(
        label=_("地域（市区町村名・都道府県名・団体コード）"), required=False, max_length=30,
        widget=forms.TextInput(attrs={"placeholder": _("例: 仙台市、宮城県、041009"), "autocomplete": "off"}),
    )
    closes_before = forms.CharField(label=_("この日までに締切"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount_min = forms.CharField(
        label=_("上限額（以上）"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"placeholder": _("例: 500万円"), "inputmode": "numeric"}),
        help_text=_("上限額が分からない制度は含みません。"),
    )
    employees = forms.CharField(
        label=_("従業員数"), required=False, max_length=8,
        widget=forms.TextInput(attrs={"placeholder": _("例: 20"), "inputmode": "numeric"}),
    )

    field_order = ["q", "open", "type", "area", "closes_before", "amount_min", "employees", "function", "category"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns
        params = {name: data.get(name) for name in ("open", "closes_before", "area", "type", "amount_min", "employees")}
        params["area"] = _place_code(params["area"] or "")
        try:
            data["filters"] = ProgramFilters.from_params(params)
        except FilterError as exc:
            self.add_error(exc.parameter, exc.message)
        return data

    @property
    def filters(self) -> ProgramFilters:
        return self.cleaned_data.get("filters") or ProgramFilters() if self.is_valid() else ProgramFilters()
