"""Whether this process can answer searches: the readiness probe's question (madoguchi/ops)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def index_ready(load: bool = True) -> bool:
    """True when this process holds a search index. With `load`, a process that has none yet
    loads it now (what its first search would do), so a fresh worker becomes ready by being asked."""
    from madoguchi.search import service

    if service.corpus_loaded():
        return True
    if not load:
        return False
    try:
        service.current_corpus()
    except Exception:  # any failure to load means "not ready", and is logged
        logger.exception("search index could not be loaded")
        return False
    return service.corpus_loaded()
