"""An edit of a program or of its call rounds (admin, staff) bumps its entry's updated_at, which
saved-search alerts compare (alerts.py). The importer saves in bulk and bumps it itself."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.utils import timezone


def _touch_program(sender: Any, instance: Any, **kwargs: Any) -> None:
    from madoguchi.catalog.models import CatalogEntry

    if kwargs.get("raw"):
        return  # fixtures keep their own timestamps
    CatalogEntry.objects.filter(program_id=instance.pk).update(updated_at=timezone.now())


def _touch_round(sender: Any, instance: Any, **kwargs: Any) -> None:
    from madoguchi.catalog.models import CatalogEntry

    if kwargs.get("raw"):
        return
    CatalogEntry.objects.filter(pk=instance.entry_id).update(updated_at=timezone.now())


def connect() -> None:
    from madoguchi.catalog.models import CallRound
    from madoguchi.directory.models import Program

    post_save.connect(_touch_program, sender=Program, dispatch_uid="catalog-touch-program")
    post_save.connect(_touch_round, sender=CallRound, dispatch_uid="catalog-touch-round-save")
    post_delete.connect(_touch_round, sender=CallRound, dispatch_uid="catalog-touch-round-delete")
