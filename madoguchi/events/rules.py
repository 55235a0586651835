"""Who may change an event: the hosting institution's staff who can write (django-rules)."""

from __future__ import annotations

from typing import Any

import rules

from madoguchi.directory import roles
from madoguchi.events.models import Event


@rules.predicate
def hosts_event(user: Any, event: Event | None) -> bool:
    m = roles.staff_membership(user)
    return event is not None and m is not None and m.can_write and event.organization_id == m.organization_id


rules.add_perm("events.may_change_event", hosts_event)
