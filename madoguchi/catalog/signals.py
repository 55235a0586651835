"""The catalog's signals, sent and received.

Received: an edit of a program or of its call rounds (admin, staff) bumps its entry's
updated_at, which saved-search alerts compare (alerts.py). The importer saves in bulk and bumps
it itself.

Sent: bulk writes send no post_save, so the catalog says itself which programs it changed. The
apps above it that keep something derived from programs (the search index) connect receivers;
the catalog knows nothing of them.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

# Sent by the importer with `program_ids` (directory.Program pks whose program, entry or rounds
# it added or changed) and `organization_ids` (institutions it created for them). Sent inside
# the import's transaction, where the rows are written: a receiver that writes elsewhere waits
# for the commit (the search's mark_dirty does), so a rolled-back import changes nothing there.
programs_changed = Signal()
# Sent once many programs were written at once (the demo catalog): too many to name, so
# receivers rebuild what they derive from programs, all of it.
programs_reloaded = Signal()


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
