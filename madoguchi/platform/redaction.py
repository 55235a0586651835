"""What anonymisation leaves in a personal field: one marker for every app, so a report or an
export can tell a redacted row from an empty one."""

from __future__ import annotations

REDACTED = "（匿名化済み）"
