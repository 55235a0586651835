"""Helpers to build rows inline in the directory's tests."""

from __future__ import annotations

from typing import Any

from madoguchi.directory.models import Organization, OrganizationFunction, SupportFunction


def make_org(slug: str, name: str, **fields: Any) -> Organization:
    fields.setdefault("kind", Organization.Kind.SUPPORT)
    return Organization.objects.create(slug=slug, name=name, **fields)


def offer(organization: Organization, function: SupportFunction, derived: bool = False, basis: str = "") -> None:
    OrganizationFunction.objects.create(organization=organization, function=function, derived=derived, basis=basis)


def changeform_data(response: Any) -> dict[str, Any]:
    """The POST data an admin change form would send unchanged, inline management forms included."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                data[bound.html_name] = "on"
            elif isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data
