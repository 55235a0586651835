"""Who may read the reports: the core institution's coordinators and the prefecture's viewers.

Reports are aggregates over every institution's cases, so an institution's own staff (who see
only their cases) may not open them.
"""

from __future__ import annotations

from typing import Any

import rules

from madoguchi.cases.rules import is_coordinator, membership
from madoguchi.directory.models import Membership


@rules.predicate
def is_prefecture_viewer(user: Any) -> bool:
    m = membership(user)
    return m is not None and m.role == Membership.Role.PREFECTURE


rules.add_perm("reports.view_reports", is_coordinator | is_prefecture_viewer)
