"""madoguchi reindex: rebuild every search document from the database."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from madoguchi.search.documents import rebuild_all
from madoguchi.search.registry import REGISTRY


class Command(BaseCommand):
    help = _("検索索引をデータベースから作り直します（支援機関・支援事業・施設と、登録されたすべての種類）。")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(kind: str, done: int, total: int) -> None:
            self.stdout.write(f"\r{kind}: {done}/{total}", ending="")
            if done == total:
                self.stdout.write("")

        count = rebuild_all(progress)
        # Build the main index here, once, rather than in the first search of every worker.
        from madoguchi.search.live import main_corpus
        from madoguchi.search.models import IndexVersion

        state = IndexVersion.state()
        main_corpus(state[:2], state[3])
        self.stdout.write(
            _("%(count)d 件の文書を索引しました（種類: %(kinds)s、%(sec).1f 秒）。")
            % {"count": count, "kinds": ", ".join(REGISTRY), "sec": time.monotonic() - started}
        )
