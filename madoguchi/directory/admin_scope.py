"""One rule for every app's admin: institution staff see and edit their own institution's rows.

Django's model permissions (given to staff through groups) still decide *which models* a staff
member may open; this mixin decides *which rows*. Superusers and the platform administrator at
the core institution (directory.roles.is_platform_admin) see every row. Everyone else sees the
rows of their own institution only: the list, the change page (another institution's row
answers the admin's "not found"), the foreign-key choices (only their own institution), and
delete. Adding, changing and deleting also need a member who may write (directory.roles.can_write):
a read-only member sees their institution's rows and changes none, whatever the group grants. A
staff user without a membership, and the prefecture's viewer, see no rows (roles.admin_scope).

Subclasses say where a row's institution is (`scope_field`, a lookup path such as
"organization" or "owner_organization"), or override `scope_queryset` when it takes more than
one path. `platform_only = True` keeps a model (reference tables, outbox, tokens) to the
platform administrators.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from madoguchi.directory import roles
from madoguchi.directory.models import Organization


class InstitutionScopedAdmin:
    scope_field: str = ""
    # Foreign keys to Organization limited to the user's own institution on the change form.
    scope_fk_fields: tuple[str, ...] = ()
    platform_only: bool = False

    # -- the one helper everything below asks -------------------------------------------------
    @staticmethod
    def is_platform(request: HttpRequest) -> bool:
        return roles.is_platform_admin(request.user)

    @staticmethod
    def own_organization(request: HttpRequest) -> Organization | None:
        return roles.admin_scope(request.user)

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet[Any], organization: Organization) -> QuerySet[Any]:
        return queryset.filter(**{self.scope_field: organization.pk})

    def in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        if self.is_platform(request):
            return True
        if self.platform_only or self.own_organization(request) is None:
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def may_write(self, request: HttpRequest, obj: Model | None) -> bool:
        """In scope, and — below the platform administrators — a member who may write: a
        read-only member holding the group's change permissions still only views."""
        if not self.in_scope(request, obj):
            return False
        return self.is_platform(request) or roles.can_write(request.user)

    # -- Django's admin hooks ------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]  # a mixin: ModelAdmin, after it in the MRO, has the method
        if self.is_platform(request):
            return queryset
        organization = self.own_organization(request)
        if self.platform_only or organization is None:
            return queryset.none()
        return self.scope_queryset(request, queryset, organization)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and self.in_scope(request, None)  # type: ignore[misc]  # a mixin: ModelAdmin, after it in the MRO, has the method

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)  # type: ignore[misc]  # a mixin: ModelAdmin, after it in the MRO, has the method

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request, *args) and self.may_write(request, None)  # type: ignore[misc]  # a mixin: ModelAdmin, after it in the MRO, has the method

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and self.may_write(request, obj)  # type: ignore[misc]  # a mixin: ModelAdmin, after it in the MRO, has the method

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self.may_write(request, obj)  # type: ignore[misc]  # a mixin: ModelAdmin, after it in the MRO, has the method

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.scope_fk_fields and not self.is_platform(request):
            organization = self.own_organization(request)
            # No institution: an empty choice list (pk__in=[] matches nothing).
            kwargs["queryset"] = Organization.objects.filter(pk__in=[organization.pk] if organization else [])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]  # a mixin: ModelAdmin, after it in the MRO, has the method

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str]:
        # Autocomplete would search every organization; scoped staff get a one-item select.
        fields = list(super().get_autocomplete_fields(request))  # type: ignore[misc]  # a mixin: ModelAdmin, after it in the MRO, has the method
        if self.is_platform(request):
            return fields
        return [f for f in fields if f not in self.scope_fk_fields]


class ReferenceDataAdmin:
    """Shared reference tables (municipalities, functions, stages, fields, areas): every staff
    member with the model's permission may look them up (autocomplete needs it); only the
    platform administrators change them, because every institution's pages depend on them."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return roles.is_platform_admin(request.user) and super().has_add_permission(request, *args)  # type: ignore[misc]  # a mixin: ModelAdmin, after it in the MRO, has the method

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return roles.is_platform_admin(request.user) and super().has_change_permission(request, obj)  # type: ignore[misc]  # a mixin: ModelAdmin, after it in the MRO, has the method

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return roles.is_platform_admin(request.user) and super().has_delete_permission(request, obj)  # type: ignore[misc]  # a mixin: ModelAdmin, after it in the MRO, has the method
