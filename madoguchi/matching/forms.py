"""Forms for listings, feedback and introductions. Lists (工程, 設備, …) are typed one per line."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.matching.models import Feedback, Kind, Listing, SavedInterest, TechArea

LIST_FIELDS = ("processes", "equipment", "certifications", "skills")


class LinesField(forms.CharField):
    """A list of short strings, one per line (or separated by 、 or ,)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(value)
        return value or ""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # a list field built on CharField's widget and cleaning
        text = super().to_python(value) or ""
        for sep in ("、", ",", "，"):
            text = text.replace(sep, "\n")
        items = [line.strip() for line in text.splitlines() if line.strip()]
        if len(items) > 30:
            raise forms.ValidationError(_("30 項目以内で入力してください。"))
        return [item[:60] for item in items]


class ListingForm(forms.ModelForm):
    processes = LinesField(label=_("工程・技術（1行に1つ）"), required=False)
    equipment = LinesField(label=_("設備（1行に1つ）"), required=False)
    certifications = LinesField(label=_("認証（1行に1つ）"), required=False)
    skills = LinesField(label=_("スキル・資格（1行に1つ）"), required=False)

    class Meta:
        model = Listing
        fields = [
            "kind", "title", "description", "visibility", "owner_name", "contact_email", "alerts", "expires_on",
            "fields", "tech_area", "stages", "amount_min", "amount_max", "municipality", "deadline", "quantity",
            "material", "processes", "equipment", "certifications", "skills", "patent_number", "patent_status",
            "use_of_funds",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "fields": forms.CheckboxSelectMultiple,
            "stages": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["maxlength"] = 200
        # cast: a TextField's form field is a CharField
        cast(forms.CharField, self.fields["description"]).max_length = 5000


class ListingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("種別"), choices=[("", _("すべて"))] + list(Kind.choices), required=False)
    tech_area = forms.ChoiceField(label=_("技術領域"), choices=[("", _("すべて"))] + list(TechArea.choices), required=False)
    field = forms.SlugField(label=_("分野"), required=False, max_length=50)
    q = forms.CharField(label=_("キーワード"), required=False, max_length=100)


class FeedbackForm(forms.Form):
    candidate = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("合わない理由"), choices=Feedback.Reason.choices)
    comment = forms.CharField(label=_("補足"), required=False, max_length=300)


class IntroductionRequestForm(forms.Form):
    candidate = forms.UUIDField(widget=forms.HiddenInput)
    message = forms.CharField(label=_("紹介を希望する理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class SavedInterestForm(forms.ModelForm):
    class Meta:
        model = SavedInterest
        fields = ["kind", "keywords", "field", "email"]
