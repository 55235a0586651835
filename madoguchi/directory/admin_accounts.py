"""Accounts, groups and login records in the admin, scoped like every other app's rows.

Django's and django-axes' own admins show every account to anyone holding the model
permission. Here, through the one mixin (admin_scope.py), an institution's staff see the
accounts of their own institution's members only, and never the fields that grant reach
beyond it (superuser, groups, direct permissions: a group holds model permissions for every
institution); groups and the login records (every visitor's address and username) are the
platform administrators'. Registered from directory/admin.py, after auth and axes registered
theirs (INSTALLED_APPS order).
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest

from madoguchi.directory.admin_scope import InstitutionScopedAdmin

# What only the platform administrators give: each reaches past one institution.
GRANTING_FIELDS = ["is_superuser", "groups", "user_permissions"]


class ScopedUserAdmin(InstitutionScopedAdmin, UserAdmin):
    scope_field = "membership__organization"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return fields if self.is_platform(request) else fields + GRANTING_FIELDS


class ScopedGroupAdmin(InstitutionScopedAdmin, GroupAdmin):
    platform_only = True


class ScopedAccessAttemptAdmin(InstitutionScopedAdmin, AccessAttemptAdmin):
    platform_only = True


class ScopedAccessLogAdmin(InstitutionScopedAdmin, AccessLogAdmin):
    platform_only = True


class ScopedAccessFailureLogAdmin(InstitutionScopedAdmin, AccessFailureLogAdmin):
    platform_only = True


def register() -> None:
    for model, model_admin in [
        (User, ScopedUserAdmin), (Group, ScopedGroupAdmin), (AccessAttempt, ScopedAccessAttemptAdmin),
        (AccessLog, ScopedAccessLogAdmin), (AccessFailureLog, ScopedAccessFailureLogAdmin),
    ]:
        if admin.site.is_registered(model):  # axes registers its admins only with AXES_ENABLE_ADMIN
            admin.site.unregister(model)
            admin.site.register(model, model_admin)
