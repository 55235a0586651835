"""Reads to the streaming replica when it is safe, everything else to the primary.

ReplicaRoutingMiddleware decides per request whether reads may go to the replica (a GET or HEAD
from a visitor with no session, no token and no recent write: the public pages and search) and
sets `replica_allowed` for the request. Any write pins the rest of the request to the primary, and
the middleware then marks the visitor (a cookie) so their next requests for REPLICA_PIN_SECONDS read
the primary too, where what they just wrote certainly is. Outside requests (commands, the worker)
nothing reads the replica. A replica that does not answer a short connect is skipped for
REPLICA_CHECK_SECONDS and reads go to the primary.
"""

from __future__ import annotations

import logging
import threading
import time
from contextvars import ContextVar
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"

# Off: every read goes to the primary (the test suite turns it off for tests not marked `replica`).
READ_REPLICA = True
replica_allowed: ContextVar[bool] = ContextVar("madoguchi_replica_allowed", default=False)
wrote: ContextVar[bool] = ContextVar("madoguchi_wrote", default=False)

_health_lock = threading.Lock()
_health: dict[str, tuple[float, bool]] = {}  # alias → (checked at, answered)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _probe(alias: str) -> bool:
    """Connect to the replica afresh with a one-second timeout and ask it one question."""
    import psycopg

    cfg = settings.DATABASES[alias]
    try:
        with psycopg.connect(
            host=cfg.get("HOST") or None, port=cfg.get("PORT") or None, user=cfg.get("USER") or None,
            password=cfg.get("PASSWORD") or None, dbname=cfg.get("NAME") or None, connect_timeout=1,
        ) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error as exc:
        logger.warning("replica %s does not answer, reading from the primary: %s", alias, exc.__class__.__name__)
        return False


def replica_up(alias: str = REPLICA) -> bool:
    """Whether the replica answered a connect recently (cached for REPLICA_CHECK_SECONDS)."""
    now = time.monotonic()
    checked = _health.get(alias)
    if checked is not None and now - checked[0] < settings.REPLICA_CHECK_SECONDS:
        return checked[1]
    with _health_lock:
        checked = _health.get(alias)
        if checked is not None and now - checked[0] < settings.REPLICA_CHECK_SECONDS:
            return checked[1]
        up = _probe(alias)
        _health[alias] = (time.monotonic(), up)
        if not up:
            from django.db import connections

            connections[alias].close()  # its kept connection, if any, is broken too
    return up


def forget_replica_health() -> None:
    """Ask the replica again on the next read (tests; after an operator brought it back)."""
    _health.clear()


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        if READ_REPLICA and replica_allowed.get() and replica_configured() and replica_up():
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        # From the first write on, this request reads the primary (it may read what it wrote).
        replica_allowed.set(False)
        wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA
