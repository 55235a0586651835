"""The own judged set against the configured database: the documents search() sees.

Judging is by organization: an organization is retrieved at the rank of its first hit —
its own document, one of its programs, or a facility it operates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from madoguchi.bench.search.baselines import BM25Bigram, FTS5Trigram
from madoguchi.bench.search.judged import JudgedQuery
from madoguchi.bench.search.metrics import dedupe
from madoguchi.bench.search.quality import Judged, K, Ranker
from madoguchi.search.corpus import DocMeta

# Baselines fetch deeper than 10 so that, after programs fold into their organizations,
# ten distinct organizations remain where they exist.
DEPTH = 100


class NotLoaded(RuntimeError):
    """The database has no plan loaded or no search index; the message says what to run."""


def org_of(doc: DocMeta) -> str | None:
    return doc.id if doc.kind == "organization" else doc.organization_id


def check_database() -> None:
    """Raise NotLoaded with the command to run when the plan or the search index is missing."""
    from django.db import DatabaseError

    from madoguchi.directory.models import Organization
    from madoguchi.search.models import SearchDocument

    try:
        has_organizations = Organization.objects.exists()
    except DatabaseError as exc:  # a fresh checkout: no tables yet
        raise NotLoaded(
            "データベースが作成されていません。先に `make run`（または `madoguchi migrate` と"
            " `madoguchi load-plan`）を実行してください。 / The database has no tables:"
            " run `make run` (or `madoguchi migrate` and `madoguchi load-plan`) first."
        ) from exc
    if not has_organizations:
        raise NotLoaded(
            "機関が登録されていません。先に `madoguchi load-plan` を実行してください。"
            " / No organizations in the database: run `madoguchi load-plan` first."
        )
    if not SearchDocument.objects.exists():
        raise NotLoaded(
            "検索索引が空です。先に `madoguchi reindex` を実行してください。"
            " / The search index is empty: run `madoguchi reindex` first."
        )


def documents() -> list[DocMeta]:
    """Return the DocMeta of every registered record, made by the same functions as the index."""
    from madoguchi.search.registry import REGISTRY

    docs: list[DocMeta] = []
    for reg in REGISTRY.values():
        for obj in reg.all_objects():
            doc = reg.to_doc(obj)
            if doc is not None:
                docs.append(doc)
    return docs


def madoguchi_ranker() -> Ranker:
    """Return search() itself (analysis, facet boosts and all), folded to organization slugs."""
    from madoguchi.search.service import MAX_LIMIT, search

    def rank(question: str) -> list[str]:
        hits = search(question, limit=MAX_LIMIT).results
        ids = [h.id if h.kind == "organization" else h.organization_id for h in hits]
        return dedupe([i for i in ids if i])[:K]

    return rank


def baseline_rankers(docs: Sequence[DocMeta], *, progress: TextIO | None = None) -> dict[str, Ranker]:
    """Return bm25-bigram and fts5 over the same records' title and text, folded to organizations."""
    pairs = [(d.key, f"{d.title}\n{d.text}") for d in docs]
    org = {d.key: org_of(d) for d in docs}
    out: dict[str, Ranker] = {}
    for cls in (BM25Bigram, FTS5Trigram):
        if progress is not None:
            progress.write(f"{cls.name}: {len(pairs)} 文書を索引中\n")
        system = cls(pairs)

        def rank(question: str, system: BM25Bigram | FTS5Trigram = system) -> list[str]:
            ids = [org[d] for d, _ in system.search(question, DEPTH)]
            return dedupe([i for i in ids if i])[:K]

        out[cls.name] = rank
    return out


def as_judged(queries: Sequence[JudgedQuery]) -> list[Judged]:
    return [Judged(q.id, q.query, q.relevant, q.tags) for q in queries]
