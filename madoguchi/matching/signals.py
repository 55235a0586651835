"""Refresh suggestions when a listing changes, after the change commits.

Both post_save and m2m_changed (fields, stages are set after the row is saved) schedule a
refresh; running it on commit means a rolled-back edit never
leaves suggestions or alerts behind.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from madoguchi.matching.models import Listing

_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar("matching_signals_suspended", default=False)


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """Bulk writers (the CSV import) refresh once at the end instead of once per row."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _refresh_later(listing_id: int) -> None:
    if _suspended.get():
        return
    # No de-duplication: a rolled-back transaction drops its callbacks, so a "pending" marker
    # would outlive it. Repeat refreshes are cheap because the pool is cached.
    def run() -> None:
        from madoguchi.matching import alerts, matches

        listing = Listing.objects.filter(pk=listing_id).first()
        if listing is None or not matches.refresh_in_request(listing):
            return  # large platform: `madoguchi match --stale` refreshes and alerts
        matches.refresh_around(listing)
        alerts.alert_for_new_listing(listing)

    transaction.on_commit(run)


@receiver(post_save, sender=Listing, dispatch_uid="matching_listing_saved")
def listing_saved(sender: type[Listing], instance: Listing, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loaddata
        return
    _refresh_later(instance.pk)


@receiver(m2m_changed, sender=Listing.fields.through, dispatch_uid="matching_listing_fields")
@receiver(m2m_changed, sender=Listing.stages.through, dispatch_uid="matching_listing_stages")
def listing_m2m_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and isinstance(instance, Listing):
        from django.utils import timezone

        # bump `updated` so cached pools (keyed on it) see the change; update() sends no post_save
        Listing.objects.filter(pk=instance.pk).update(updated=timezone.now())
        _refresh_later(instance.pk)
