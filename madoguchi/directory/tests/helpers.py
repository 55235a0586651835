"""Helpers to build rows inline in the directory's tests."""

from __future__ import annotations

from typing import Any

from madoguchi.directory.models import Organization, OrganizationFunction, SupportFunction


def make_org(slug: str, name: str, **fields: Any) -> Organization:
    fields.setdefault("kind", Organization.Kind.SUPPORT)
    return Organization.objects.create(slug=slug, name=name, **fields)


def offer(organization: Organization, function: SupportFunction, derived: bool = False, basis: str = "") -> None:
    OrganizationFunction.objects.create(organization=organization, function=function, derived=derived, basis=basis)
