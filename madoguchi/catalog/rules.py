"""Who may do what with the catalog beyond their own institution's programs (django-rules).

An institution's staff keep their own programs and catalog entries current (directory's
`directory.may_change_program`, and the admin scoped per institution). Importing a file is
another matter: one file names programs of any institution, so the upload is the platform
administrators'. Rules are `catalog.may_<action>`, as in every app.
"""

from __future__ import annotations

from typing import Any

import rules

from madoguchi.directory import roles


@rules.predicate
def is_platform_admin(user: Any) -> bool:
    return roles.is_platform_admin(user)


rules.add_perm("catalog.may_import_programs", is_platform_admin)
