"""Forms for intake and for the actions on a case. Every message is specific and in Japanese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from madoguchi.cases.models import Case, Client, Outcome
from madoguchi.directory.models import BusinessStage, Municipality, Organization, SupportFunction
from madoguchi.platform.identifiers import (
    CodeChoiceField,
    ascii_digits,
    normalise_corporate_number,
    validate_corporate_number,
)


def validate_attachment_size(upload: UploadedFile) -> None:
    limit = settings.CASE_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("添付ファイルが大きすぎます（%(size)s）。%(limit)s 以下のファイルにしてください。")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="attachment_too_large",
        )


class IntakeForm(forms.Form):
    """The public 相談申込 form, also used to validate POST /api/consultations."""

    kind = forms.ChoiceField(
        label=_("相談者の種別"), choices=Client.Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": _("法人か個人かを選んでください。"), "invalid_choice": _("相談者の種別は「法人」か「個人」を選んでください。")},
    )
    name = forms.CharField(
        label=_("法人名・氏名"), max_length=200,
        error_messages={"required": _("法人名または氏名を入力してください。")},
    )
    corporate_number = forms.CharField(
        label=_("法人番号（13桁）"), required=False, max_length=30,
        help_text=_("法人の場合、わかれば入力してください。国税庁の法人番号公表サイトで調べられます。"),
    )
    contact_name = forms.CharField(label=_("ご担当者名"), required=False, max_length=100)
    email = forms.EmailField(
        label=_("メールアドレス"), required=False,
        help_text=_("受付確認と、相談の状況を確認できるリンクをお送りします。"),
        error_messages={"invalid": _("メールアドレスの形式が正しくありません。")},
    )
    phone = forms.CharField(label=_("電話番号"), required=False, max_length=20)
    municipality = CodeChoiceField(
        label=_("所在地（市区町村）"), queryset=Municipality.objects.filter(valid_to__isnull=True),
        to_field_name="code",
        error_messages={
            "required": _("所在地の市区町村を選んでください。"),
            "invalid_choice": _("指定された市区町村は登録されていません。一覧から選んでください。"),
        },
    )
    stage = forms.ModelChoiceField(
        label=_("事業の段階"), queryset=BusinessStage.objects.all(), to_field_name="code", required=False,
        error_messages={"invalid_choice": _("指定された事業段階は登録されていません。一覧から選んでください。")},
    )
    functions = forms.ModelMultipleChoiceField(
        label=_("求める支援"), queryset=SupportFunction.objects.all(), to_field_name="code", required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("指定された支援機能「%(value)s」は登録されていません。")},
    )
    need = forms.CharField(
        label=_("ご相談の内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000,
        error_messages={
            "required": _("ご相談の内容を入力してください。"),
            "max_length": _("ご相談の内容は %(limit_value)d 文字以内で入力してください（現在 %(show_value)d 文字）。"),
        },
    )
    consent = forms.ChoiceField(
        label=_("情報共有への同意"), choices=Case.Consent.choices, widget=forms.RadioSelect,
        help_text=_("相談の内容をどの機関まで見せてよいかを、3つから選んでください。"),
        error_messages={
            "required": _("情報共有の範囲を選んでください。同意がないと相談を受け付けられません。"),
            "invalid_choice": _("情報共有の範囲は一覧から選んでください。"),
        },
    )
    # A list to pick from, not one checkbox per institution (73 of them, 5,600 px on a phone):
    # a native multi-select works without JavaScript (a phone shows it as a picker); the
    # script adds a filter box above it (data-filter). Shown only when 「指定した機関」 is chosen (CSS).
    named_organizations = forms.ModelMultipleChoiceField(
        label=_("共有を認める機関"),
        # The prefecture's department reads aggregates only and never receives a case.
        queryset=Organization.objects.exclude(kind=Organization.Kind.PREFECTURE).order_by("plan_order", "name"),
        to_field_name="slug",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8, "data-filter": "named", "class": "named-select",
                                           "data-filter-label": _("機関名で絞り込む")}),
        help_text=_("「指定した機関にも共有する」を選んだときに選びます。パソコンでは Ctrl キー（Mac は ⌘ キー）を押しながら選ぶと複数選べます。"),
        error_messages={"invalid_choice": _("指定された機関「%(value)s」は登録されていません。")},
    )
    attachment = forms.FileField(
        label=_("資料（任意）"), required=False, validators=[validate_attachment_size],
        error_messages={"invalid": _("ファイルを送信できませんでした。もう一度選んでください。")},
    )

    def clean_phone(self) -> str:
        # The format stays free (extensions, mobile numbers written without hyphens), but the
        # digits are ASCII: full-width ones are mapped, other scripts' refused.
        return ascii_digits(self.cleaned_data.get("phone", ""), _("電話番号"))

    def clean_corporate_number(self) -> str:
        value = normalise_corporate_number(self.cleaned_data.get("corporate_number", ""))
        if value:
            validate_corporate_number(value)
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns, typed without its None
        if data.get("kind") == Client.Kind.PERSON and data.get("corporate_number"):
            self.add_error("corporate_number", _("個人のご相談では法人番号は入力しないでください。"))
        if data.get("consent") == Case.Consent.NAMED and not data.get("named_organizations"):
            self.add_error("named_organizations", _("「指定した機関にも共有する」を選んだ場合は、共有を認める機関を1つ以上選んでください。"))
        return data


class _CaseActionForm(forms.Form):
    """The case page shows several forms at once: give each its own element ids."""

    id_prefix = "action"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class NoteForm(_CaseActionForm):
    id_prefix = "note"
    text = forms.CharField(
        label=_("メモ"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
        help_text=_("メモは経過として残り、相談者本人と、同意の範囲で関係機関も閲覧できます。変更・削除はできません。"),
        error_messages={"required": _("メモの内容を入力してください。")},
    )


class ReferForm(_CaseActionForm):
    id_prefix = "refer"
    to_org = forms.ModelChoiceField(
        label=_("紹介先の機関"), queryset=Organization.objects.all(), to_field_name="slug",
        error_messages={"required": _("紹介先の機関を選んでください。"),
                        "invalid_choice": _("指定された紹介先の機関は登録されていません。")},
    )
    message = forms.CharField(label=_("紹介の内容・依頼事項"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000)


class ReferralActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": _("画面を再読み込みしてから操作してください。")})
    reason = forms.CharField(label=_("理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(label=_("成果"), required=False, choices=[("", "---------"), *Outcome.choices])


class CloseForm(_CaseActionForm):
    id_prefix = "close"
    outcome = forms.ChoiceField(
        label=_("成果"), choices=Outcome.choices,
        error_messages={"required": _("相談を終了するには成果を選んでください。"), "invalid_choice": _("成果を一覧から選んでください。")},
    )


class DocumentForm(_CaseActionForm):
    id_prefix = "document"
    attachment = forms.FileField(
        label=_("書類"), validators=[validate_attachment_size],
        error_messages={"required": _("添付するファイルを選んでください。"), "empty": _("空のファイルは添付できません。")},
    )
    text = forms.CharField(label=_("説明"), required=False, max_length=500)
