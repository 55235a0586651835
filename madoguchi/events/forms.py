"""Forms of the public event pages: the list's filters and the registration form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.directory.models import Municipality, SupportFunction, validate_phone
from madoguchi.events.models import Event
from madoguchi.platform.identifiers import CodeChoiceField
from madoguchi.platform.text import normalise_digits


class EventFilterForm(forms.Form):
    function = forms.ChoiceField(
        label=_("支援機能"), required=False, choices=[("", _("すべて"))] + list(SupportFunction.Code.choices)
    )
    kind = forms.ChoiceField(label=_("種類"), required=False, choices=[("", _("すべて"))] + list(Event.Kind.choices))
    municipality = CodeChoiceField(
        label=_("開催地"), required=False, to_field_name="code", empty_label=_("すべて"),
        # Cities and towns only: choosing 仙台市 includes its wards.
        queryset=Municipality.objects.filter(parent__isnull=True, valid_to__isnull=True).order_by("code"),
        error_messages={"invalid_choice": _("選択された開催地は登録されていません。")},
    )


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("氏名"), max_length=100, error_messages={"required": _("氏名を入力してください。")})
    organization_name = forms.CharField(label=_("会社・団体名"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("メールアドレス"), max_length=254,
        help_text=_("受付の確認と、開催に関するご連絡に使います。"),
        error_messages={
            "required": _("メールアドレスを入力してください。"),
            "invalid": _("メールアドレスの形式が正しくありません（例: taro@example.jp）。"),
        },
    )
    phone = forms.CharField(
        label=_("電話番号（任意）"), max_length=20, required=False, validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("入力した個人情報を、主催機関がこのイベントの受付と開催に関する連絡に利用することに同意します。"),
        error_messages={"required": _("申し込むには、個人情報の利用への同意が必要です。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organization_name"].widget.attrs["autocomplete"] = "organization"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_phone(self) -> str:
        # Stored half-width (０２２ → 022), so staff find and dial what was typed; validate_phone
        # has already refused other scripts' digits.
        return normalise_digits(self.cleaned_data.get("phone", ""))


class InterestForm(forms.Form):
    functions = forms.ModelMultipleChoiceField(
        label=_("関心のある支援機能（選ばなければすべて）"), required=False, to_field_name="code",
        queryset=SupportFunction.objects.order_by("order"), widget=forms.CheckboxSelectMultiple,
    )
    kinds = forms.MultipleChoiceField(
        label=_("関心のある種類（選ばなければすべて）"), required=False, choices=Event.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class SubscriptionForm(InterestForm):
    email = forms.EmailField(
        label=_("メールアドレス"), max_length=254,
        error_messages={
            "required": _("メールアドレスを入力してください。"),
            "invalid": _("メールアドレスの形式が正しくありません（例: taro@example.jp）。"),
        },
    )
    consent = forms.BooleanField(
        label=_("イベント情報の配信のために、メールアドレスを利用することに同意します。"),
        error_messages={"required": _("配信を申し込むには、メールアドレスの利用への同意が必要です。")},
    )

    field_order = ["email", "functions", "kinds", "consent"]
