"""Forms of the directory: the public list filters and the staff admin forms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from madoguchi.directory.models import Membership, Municipality, Organization, Program, SupportFunction
from madoguchi.platform.text import normalise_digits

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a type only: django-stubs-ext is a dev requirement

# Filter values come from the query string, so they are capped before they reach a query.
_MAX_CODE_LENGTH = 20


def _choices_with_blank(choices: Sequence[tuple[str, StrOrPromise]], blank: StrOrPromise) -> list[tuple[str, StrOrPromise]]:
    return [("", blank), *choices]


class OrganizationFilterForm(forms.Form):
    """GET filters of the institutions list: ?function=<code>&kind=<code>&municipality=<code>."""

    function = forms.ChoiceField(
        label=_("支援機能"), required=False,
        choices=_choices_with_blank(SupportFunction.Code.choices, _("すべての支援機能")),
        error_messages={"invalid_choice": _("支援機能「%(value)s」はありません。一覧から選んでください。")},
    )
    kind = forms.ChoiceField(
        label=_("種別"), required=False,
        choices=_choices_with_blank(Organization.Kind.choices, _("すべての種別")),
        error_messages={"invalid_choice": _("種別「%(value)s」はありません。一覧から選んでください。")},
    )
    municipality = forms.CharField(label=_("市区町村"), required=False, max_length=_MAX_CODE_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The menu offers only municipalities that have institutions (a city also when only
        # its wards do); any existing code is still accepted from a typed or shared URL.
        used = Municipality.objects.filter(
            Q(organizations__isnull=False) | Q(wards__organizations__isnull=False)
        ).distinct().order_by("code")
        self.fields["municipality"].widget = forms.Select(
            choices=_choices_with_blank([(m.code, m.name) for m in used], _("すべての市区町村"))
        )

    def clean_municipality(self) -> str:
        code = self.cleaned_data.get("municipality", "")
        if code and not Municipality.objects.filter(code=code).exists():
            raise ValidationError(
                _("市区町村コード「%(value)s」はありません。一覧から選んでください。"),
                code="invalid_choice", params={"value": code},
            )
        return code

    def filter(self, queryset: Any) -> Any:
        """Return the queryset narrowed by the valid filters (call after is_valid())."""
        data = self.cleaned_data
        if data.get("function"):
            queryset = queryset.offering(data["function"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("municipality"):
            queryset = queryset.in_municipality(data["municipality"])
        return queryset


class ProgramFilterForm(forms.Form):
    """GET filters of the programs list: ?function=<code>&category=<code>."""

    function = forms.ChoiceField(
        label=_("支援機能"), required=False,
        choices=_choices_with_blank(SupportFunction.Code.choices, _("すべての支援機能")),
        error_messages={"invalid_choice": _("支援機能「%(value)s」はありません。一覧から選んでください。")},
    )
    category = forms.ChoiceField(
        label=_("事業区分"), required=False,
        choices=_choices_with_blank(Program.Category.choices, _("すべての事業区分")),
        error_messages={"invalid_choice": _("事業区分「%(value)s」はありません。一覧から選んでください。")},
    )

    def filter(self, queryset: Any) -> Any:
        data = self.cleaned_data
        if data.get("function"):
            queryset = queryset.filter(functions__code=data["function"]).distinct()
        if data.get("category"):
            queryset = queryset.filter(category=data["category"])
        return queryset


class OrganizationAdminForm(forms.ModelForm):
    """No Meta: the admin gives the model and the fields (its fieldsets), as for LocationAdminForm."""

    def clean_phone(self) -> str:
        return normalise_digits(self.cleaned_data.get("phone", ""))

    def clean_current_phone(self) -> str:
        return normalise_digits(self.cleaned_data.get("current_phone", ""))

    def clean_postal_code(self) -> str:
        return normalise_digits(self.cleaned_data.get("postal_code", ""))


class LocationAdminForm(forms.ModelForm):
    def clean_phone(self) -> str:
        return normalise_digits(self.cleaned_data.get("phone", ""))


class FacilityAdminForm(forms.ModelForm):
    """The Facility model has no clean() of its own; the rule is the same as for institutions.
    No Meta: the admin gives the model and the fields (its fieldsets)."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean() returns
        if data.get("current_note") and not data.get("current_as_of"):
            raise ValidationError({"current_as_of": _("現況を記録するときは、その時点（日付）も入力してください。")})
        return data


class MembershipAdminForm(forms.ModelForm):
    """The admin's membership form. The model refuses a platform-wide role outside the core
    institution (Membership.clean, and a CHECK in the database); this form also keeps those
    roles to the platform administrators, so an institution's own administrator cannot grant
    platform-wide reach, not even at the core institution."""

    platform = False  # set per request by MembershipAdmin.get_form

    class Meta:
        model = Membership
        fields = ["user", "organization", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields.get("role")  # a ChoiceField: the model field has choices
        if not self.platform and isinstance(role, forms.ChoiceField):
            # The field keeps its choices normalised to a list of pairs; django-stubs types the getter as the
            # setter's wider input.
            choices = cast("list[tuple[str, StrOrPromise]]", role.choices)
            role.choices = [(value, label) for value, label in choices if value not in Membership.CORE_ONLY_ROLES]

    def clean_role(self) -> str:
        role: str = self.cleaned_data["role"]
        if role in Membership.CORE_ONLY_ROLES and not self.platform:
            raise ValidationError(_("コーディネーターと管理者の役割を付けられるのは、プラットフォームの管理者だけです。"))
        return role
