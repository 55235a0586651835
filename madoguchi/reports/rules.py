"""Who may read the reports: the core institution's coordinators and the prefecture's viewers.

Reports are aggregates over every institution's cases, so an institution's own staff (who see
only their cases) may not open them; nor may a coordinator role held outside the core
institution (directory.roles checks the organization's kind).
"""

from __future__ import annotations

from typing import Any

import rules

from madoguchi.cases.rules import is_coordinator
from madoguchi.directory import roles


@rules.predicate
def is_prefecture_viewer(user: Any) -> bool:
    return roles.is_prefecture_viewer(user)


rules.add_perm("reports.may_view_reports", is_coordinator | is_prefecture_viewer)
