"""The per-process Corpus kept current without rebuilding it on every save.

A process holds a *main* Corpus (built from every SearchDocument, cached in VAR_DIR/search/ so
other processes and restarts load it instead of building) and a *delta*: the documents changed
since, applied from the SearchChange log (search.delta searches the two together).

On every search one query reads IndexVersion: when `seq` has not moved nothing else happens;
when it has, only the changes since the last number this process saw are fetched and applied,
so a save costs each process the time of that save's documents. The main index is replaced:

- after `reindex` (a full rebuild: `history_from` moves past what any process applied), at once;
- after a merge, in the background: a process whose delta has grown past SEARCH_DELTA_MERGE_AT
  documents rebuilds the main index in a thread, writes it to VAR_DIR and moves `version`; the
  others load that file in a thread of their own and keep answering from main + delta meanwhile
  (both hold the same documents, so answers do not change when the new main takes over).

At most one process builds a main index at a time: the build holds the "rebuild" SearchLock row
(an expiring lock in the database, so SQLite and PostgreSQL alike, and one that a killed holder
frees); the others wait for the file it writes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import pickle
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from madoguchi.search.corpus import Corpus, DocMeta, build_corpus_index
from madoguchi.search.delta import overlay
from madoguchi.search.dirty import flush
from madoguchi.search.documents import gazetteer_from_db, labels_from_db, rebuild_all
from madoguchi.search.models import IndexVersion, SearchChange, SearchDocument, SearchLock

log = logging.getLogger(__name__)

LOCK_TTL = timedelta(minutes=15)  # longer than a build at 10^6 documents
# Change rows are kept this long after a merge includes them, so a process that is a little
# behind still finds its history; one idle for longer reloads the main index (history_from).
PRUNE_AFTER = timedelta(minutes=10)
_FIELDS = ("object_pk", "object_id", "kind", "title", "organization_name", "organization_slug", "functions",
           "stages", "fields", "municipalities", "url", "terms", "program")


@dataclass
class LiveCorpus(Corpus):
    """A Corpus, plus what it was made of: its main index and the delta applied to it."""

    main: Corpus | None = None
    base_seq: int = 0  # the last change the main index includes
    applied_seq: int = 0  # the last change applied
    docs: dict[tuple[str, str], DocMeta | None] = field(default_factory=dict)  # (kind, pk) → now; None: gone
    gone: set[str] = field(default_factory=set)  # keys ("kind:id") the main index may hold them under


def _as_live(corpus: Corpus, **state: Any) -> LiveCorpus:
    return LiveCorpus(**{f.name: getattr(corpus, f.name) for f in dataclasses.fields(Corpus)}, **state)


def merge_at() -> int:
    return int(getattr(settings, "SEARCH_DELTA_MERGE_AT", 500))


# --- the lock ----------------------------------------------------------------------------


def acquire(name: str = "rebuild", ttl: timedelta = LOCK_TTL) -> str | None:
    """Take the named lock if it is free or expired; return the holder's token, or None."""
    me = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]
    now = timezone.now()
    SearchLock.objects.get_or_create(name=name, defaults={"expires": now - timedelta(seconds=1)})
    # A filtered update claims it atomically on both engines (see TokenBucket, cases.worker).
    # Free: released (no holder), expired, or dated beyond any claim made now — the clock went
    # back (a host's clock corrected, a test's frozen clock), and a lock must not outlive that.
    free = Q(holder="") | Q(expires__lt=now) | Q(expires__gt=now + ttl)
    taken = SearchLock.objects.filter(free, name=name).update(holder=me, expires=now + ttl)
    return me if taken == 1 else None


def release(token: str, name: str = "rebuild") -> None:
    SearchLock.objects.filter(name=name, holder=token).update(holder="", expires=timezone.now() - timedelta(seconds=1))


# --- the main index -----------------------------------------------------------------------


def _cache_path(version: Any) -> Path:
    key = hashlib.sha256(f"{version!r}|{connection.settings_dict['NAME']}".encode()).hexdigest()[:20]
    return Path(settings.VAR_DIR) / "search" / f"corpus-{key}.pickle"


def _doc(r: dict[str, Any]) -> DocMeta:
    return DocMeta(
        id=r["object_id"], kind=r["kind"], title=r["title"], organization=r["organization_name"] or None,
        organization_id=r["organization_slug"] or None, functions=set(r["functions"].split()),
        stages=set(r["stages"].split()), fields=set(r["fields"].split()),
        municipalities=set(r["municipalities"].split()), url=r["url"], terms=r["terms"].split(),
        program=r["program"],
    )


def build_main(version: Any) -> tuple[Corpus, int]:
    """Return the Corpus of every stored document, and the last change number it includes."""
    # The number first: a change committed after it may or may not be in the rows read below,
    # and is applied again from the log either way (applying one twice changes nothing).
    base = IndexVersion.state()[2]
    # A generator over a server-side cursor: each row becomes terms and metadata and is dropped.
    docs = (_doc(r) for r in SearchDocument.objects.order_by("kind", "id").values(*_FIELDS).iterator(chunk_size=2000))
    stages, fields = labels_from_db()
    corpus = build_corpus_index(docs, gazetteer=gazetteer_from_db(), stage_labels=stages, field_labels=fields, version=version)
    return corpus, base


def _load(version: Any) -> tuple[Corpus, int] | None:
    try:
        with _cache_path(version).open("rb") as f:
            base, corpus = pickle.load(f)
        if isinstance(corpus, Corpus) and corpus.version == version and corpus.index.avgdl is not None:
            return corpus, int(base)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        pass
    return None


def _store(corpus: Corpus, base: int) -> None:
    """Leave the main index in VAR_DIR for the other processes (written atomically, ours only)."""
    path = _cache_path(corpus.version)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump((base, corpus), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in path.parent.glob("corpus-*.pickle"):
            if old != path and old.stat().st_mtime < time.time() - 60:
                old.unlink(missing_ok=True)  # a minute's grace: another process may be loading it
    except OSError:
        pass  # a read-only VAR_DIR only costs the other processes a build of their own


_main_lock = threading.Lock()
# The last main index this process loaded or built, under its file's name (which names the
# version and the database, so it is as valid as the file): the background load leaves it here.
_main: tuple[Path, Corpus, int] | None = None


def _loaded(version: Any) -> tuple[Corpus, int] | None:
    if _main is not None and _main[0] == _cache_path(version) and _main[1].version == version:
        return _main[1], _main[2]
    return None


def main_corpus(version: Any, history_from: int = 0) -> tuple[Corpus, int]:
    """Return the main index at `version` and its last change: this process's, the file, or built.

    Builds only while holding the rebuild lock; without it, waits for the holder's file.
    """
    global _main
    path = _cache_path(version)
    with _main_lock:
        for get in (lambda: _loaded(version), lambda: _load(version)):
            found = get()
            if found is not None and found[1] >= history_from:
                found[0].index.row_of  # noqa: B018 - see below
                _main = (path, *found)
                return found
        deadline = time.monotonic() + LOCK_TTL.total_seconds()
        while True:
            token = acquire()
            if token is not None or time.monotonic() > deadline:
                break
            time.sleep(0.2)  # another process is building: its file is what we want
            found = _load(version)
            if found is not None and found[1] >= history_from:
                _main = (path, *found)
                return found
        try:
            started = time.monotonic()
            built = build_main(version)
            _store(*built)
            built[0].index.row_of  # noqa: B018 - the first delta needs it: build it here, not in a search
            _main = (path, *built)
            log.info("search: main index built, %d documents in %.1f s", len(built[0]), time.monotonic() - started)
        finally:
            if token is not None:
                release(token)
        return built


# --- the delta ----------------------------------------------------------------------------


def apply_changes(live: LiveCorpus, upto: int) -> LiveCorpus:
    """Return `live` with the changes numbered after live.applied_seq, up to `upto`, applied."""
    assert live.main is not None
    docs, gone = dict(live.docs), set(live.gone)
    pks: dict[str, set[str]] = {}
    for kind, pk, old_id in SearchChange.objects.filter(seq__gt=live.applied_seq, seq__lte=upto).values_list(
            "kind", "object_pk", "old_id"):
        if old_id:
            gone.add(f"{kind}:{old_id}")
        docs[(kind, pk)] = None
        pks.setdefault(kind, set()).add(pk)
    for kind, keys in pks.items():
        for r in SearchDocument.objects.filter(kind=kind, object_pk__in=keys).values(*_FIELDS):
            docs[(kind, r["object_pk"])] = _doc(r)
    combined = overlay(live.main, [d for d in docs.values() if d is not None], gone)
    return _as_live(combined, main=live.main, base_seq=live.base_seq, applied_seq=upto, docs=docs, gone=gone)


# --- background work ----------------------------------------------------------------------

_background: dict[str, threading.Thread] = {}
_background_lock = threading.Lock()


def _in_background(name: str, work: Any, *args: Any) -> None:
    """Run work(*args) in one daemon thread per name at a time (its own database connection)."""

    def run() -> None:
        try:
            work(*args)
        except Exception:  # a failed merge or load leaves the current index serving
            log.exception("search: background %s failed", name)
        finally:
            connection.close()

    with _background_lock:
        if name in _background and _background[name].is_alive():
            return
        thread = _background[name] = threading.Thread(target=run, name=f"search-{name}", daemon=True)
        thread.start()


def wait_for_background(timeout: float = 120.0) -> None:
    """Wait for this process's background merge and load (tests, benchmarks)."""
    for thread in list(_background.values()):
        thread.join(timeout)


def merge() -> bool:
    """Build a new main index holding every change so far and make it current; return whether done.

    Refuses (False) when another process holds the rebuild lock or a rebuild overtook this one.
    """
    token = acquire()
    if token is None:
        return False
    try:
        version = IndexVersion.state()[0]
        now = timezone.now()
        key = (version + 1, now.isoformat())
        corpus, base = build_main(key)
        _store(corpus, base)  # the file first: a process seeing the new version finds it
        with transaction.atomic():
            if not IndexVersion.objects.filter(pk=1, version=version).update(version=version + 1, updated=now):
                _cache_path(key).unlink(missing_ok=True)
                return False
            old = SearchChange.objects.filter(seq__lte=base, created__lt=now - PRUNE_AFTER)
            last = max(old.values_list("seq", flat=True), default=None)
            if last is not None:
                old.delete()
                IndexVersion.objects.filter(pk=1, history_from__lt=last).update(history_from=last)
        log.info("search: merged the delta into a new main index (%d documents)", len(corpus))
        return True
    finally:
        release(token)


# --- the entry point ----------------------------------------------------------------------

_apply_lock = threading.Lock()
_last_applied: LiveCorpus | None = None  # so threads that find the same change apply it once
_merge_tried = -1e9
MERGE_RETRY_S = 30.0


def refreshed(current: Corpus | None) -> LiveCorpus:
    """Return the Corpus to search now, given this process's previous one (None: none yet)."""
    global _last_applied, _merge_tried
    flush()  # changes saved earlier in this transaction, not yet committed
    version, updated, seq, history_from = IndexVersion.state()
    if version == 0 and rebuild_all():
        # Never indexed (a fresh database filled by a bulk import, which sends no save
        # signals): build once rather than answer nothing. `madoguchi reindex` is the usual way.
        version, updated, seq, history_from = IndexVersion.state()
    key = (version, updated)
    live = current if isinstance(current, LiveCorpus) and current.main is not None else None
    if live is not None and (seq < live.applied_seq or live.applied_seq < history_from):
        live = None  # a rebuild (or a rolled-back test database): the history no longer leads here
    if live is None:
        main, base = main_corpus(key, history_from)
        live = _as_live(main, main=main, base_seq=base, applied_seq=base)
    elif live.main is not None and live.main.version != key:
        # A merge: main + delta still hold every document; take the new main once it is loaded.
        ready = _loaded(key)
        if ready is not None and ready[1] >= history_from:
            live = _as_live(ready[0], main=ready[0], base_seq=ready[1], applied_seq=ready[1])
        else:
            _in_background("load", main_corpus, key, history_from)
    if seq > live.applied_seq:
        with _apply_lock:
            done = _last_applied
            if done is not None and done.main is live.main and done.applied_seq >= live.applied_seq:
                live = done  # another thread applied them meanwhile (it may have applied more)
            if seq > live.applied_seq:
                live = _last_applied = apply_changes(live, seq)
    # Merge when the delta is large, or when the log since the main index is long (the same few
    # records saved again and again): the log is pruned, and a new process reads less of it.
    # Not while a newer main index exists (another merge is done; this process loads it first).
    big = len(live.docs) >= merge_at() or live.applied_seq - live.base_seq >= 10 * merge_at()
    if big and live.main is not None and live.main.version == key and time.monotonic() - _merge_tried > MERGE_RETRY_S:
        _merge_tried = time.monotonic()  # another process may hold the lock: not a thread per search
        _in_background("merge", merge)
    return live
