"""A save reaches every process's index as a small delta; merges and rebuilds, one at a time."""

from __future__ import annotations

from typing import Any

import pytest

from madoguchi.directory.models import Organization, Program
from madoguchi.search import engine, live, service
from madoguchi.search.corpus import Corpus
from madoguchi.search.documents import rebuild_all
from madoguchi.search.models import IndexVersion, SearchChange
from madoguchi.search.service import search


def _org(slug: str = "tlo", **kwargs: Any) -> Organization:
    defaults = {"name": "(株)東北テクノアーチ", "kind": Organization.Kind.SUPPORT,
                "description": "大学における研究成果を特許化し、企業にライセンス供給する"}
    return Organization.objects.create(slug=slug, **{**defaults, **kwargs})


@pytest.fixture
def records(db: Any) -> Organization:
    org = _org()
    _org("itc", name="宮城県産業技術総合センター", description="工業製品の試験と技術相談。樹脂や金属の材料試験を行う")
    Program.objects.create(slug="tlo-1", organization=org, name="大学の研究成果の特許化とライセンス供給")
    rebuild_all()
    return org


def _main_of(corpus: Corpus) -> Corpus | None:
    assert isinstance(corpus, live.LiveCorpus)
    return corpus.main


def test_a_save_is_searched_without_rebuilding_the_main_index(records: Organization) -> None:
    before = service.current_corpus()
    records.description = "半導体の微細加工の受託と技術指導"
    records.save()
    hits = search("半導体の微細加工").results
    assert [h.id for h in hits][:1] == ["tlo"]
    assert search("特許化", kind="organization").results == []  # the old text no longer matches
    assert _main_of(service.current_corpus()) is _main_of(before)


def test_another_process_applies_the_change_on_its_next_search(records: Organization) -> None:
    other = service.current_corpus()  # a second worker's index, built before the save
    assert isinstance(other, live.LiveCorpus)
    Organization.objects.filter(pk=records.pk).get().delete()  # saved in "this" worker
    search("テクノアーチ")  # this worker's flush writes the change
    seen = live.refreshed(other)
    assert seen.main is other.main and seen.applied_seq == IndexVersion.state()[2]
    assert engine.search_corpus(seen, "テクノアーチ", kind="organization").results == []
    assert [h.id for h in engine.search_corpus(seen, "材料試験").results][:1] == ["itc"]


def test_when_nothing_changed_a_search_costs_one_query(records: Organization, django_assert_num_queries: Any) -> None:
    search("特許")
    with django_assert_num_queries(1):
        search("ライセンス")


def test_a_renamed_slug_leaves_no_ghost_of_the_old_one(records: Organization) -> None:
    search("特許")
    records.slug = "tohoku-techno-arch"
    records.save()
    ids = [h.id for h in search("テクノアーチ", kind="organization").results]
    assert ids == ["tohoku-techno-arch"]
    # Facets alone rank without text scores: the tombstone must hold there too.
    ids = [h.id for h in search("", stage="startup", kind="organization", limit=50).results]
    assert sorted(ids) == ["itc", "tohoku-techno-arch"]


def test_an_unchanged_save_keeps_every_score(records: Organization) -> None:
    question = "大学の特許をライセンスしてほしい"
    before = [(h.id, round(h.score, 5)) for h in search(question).results]
    records.save()  # same text: the delta document is weighted with the main index's statistics
    assert [(h.id, round(h.score, 5)) for h in search(question).results] == before
    # In the delta: the organization and its program (which shows the organization's name).
    assert len(service.current_corpus()) == len(_main_of(service.current_corpus()) or []) + 2


def test_a_merge_folds_the_delta_into_a_new_main_index_and_answers_stay(records: Organization) -> None:
    question = "大学の特許をライセンスしてほしい"
    records.description += "。知的財産の相談にも応じる"
    records.save()
    before = [(h.id, round(h.score, 4)) for h in search(question).results]
    old = service.current_corpus()
    assert live.merge()
    assert IndexVersion.state()[0] == old.version[0] + 1
    live.wait_for_background()
    search(question)  # the new main is loaded in the background meanwhile
    live.wait_for_background()
    now = service.current_corpus()
    assert _main_of(now) is not _main_of(old) and len(now) == len(_main_of(now) or [])  # no delta left
    assert [h.id for h in search(question).results] == [h for h, _s in before]
    service._corpus = None  # a restarted worker reads the merged index from VAR_DIR
    assert [h.id for h in search("知的財産").results][:1] == ["tlo"]


@pytest.mark.django_db
def test_only_one_process_holds_the_rebuild_lock_until_it_expires() -> None:
    from datetime import timedelta

    first = live.acquire()
    assert first is not None
    assert live.acquire() is None  # a second worker does not rebuild meanwhile
    assert live.merge() is False
    live.release(first)
    short = live.acquire(ttl=timedelta(seconds=-1))  # a holder that died: its lock has expired
    assert short is not None and live.acquire() is not None


@pytest.mark.django_db
def test_a_released_lock_is_free_under_a_clock_set_back() -> None:
    # A frozen test clock in the past (or a host's clock corrected backwards) must not leave a
    # released or freshly dated lock looking held for the whole of its time to live.
    import time_machine

    first = live.acquire()
    assert first is not None
    live.release(first)
    with time_machine.travel("2026-05-01 09:00 +0900", tick=False):
        again = live.acquire()
        assert again is not None
        assert live.acquire() is None  # held, under the same clock, until released
        live.release(again)


def test_reindex_replaces_the_history_so_every_process_reloads(records: Organization) -> None:
    other = service.current_corpus()
    assert isinstance(other, live.LiveCorpus)
    Program.objects.filter(slug="tlo-1").update(name="名称を直接書き換えた事業")  # no signal: only reindex sees it
    rebuild_all()
    assert not SearchChange.objects.exists()
    seen = live.refreshed(other)
    assert seen.main is not other.main
    assert [h.id for h in engine.search_corpus(seen, "直接書き換えた").results] == ["tlo-1"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_change_numbers_commit_in_order_so_a_reader_never_skips_one() -> None:
    """A writer that takes number n+1 while n is still uncommitted waits for n's commit; a reader
    that has seen n+1 would otherwise miss n for good (it only asks for numbers above n+1)."""
    import threading
    import time as clock

    from django.db import connections, transaction

    first_taken, release_first = threading.Event(), threading.Event()
    committed: list[tuple[str, int, float]] = []

    def first() -> None:
        with transaction.atomic():
            seq = IndexVersion.next_seq()
            first_taken.set()
            release_first.wait(10)
            clock.sleep(0.3)  # still uncommitted: the second writer must be waiting meanwhile
        committed.append(("first", seq, clock.monotonic()))
        connections.close_all()

    def second() -> None:
        first_taken.wait(10)
        release_first.set()
        with transaction.atomic():
            seq = IndexVersion.next_seq()
        committed.append(("second", seq, clock.monotonic()))
        connections.close_all()

    IndexVersion.next_seq()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    (name_a, seq_a, _t), (name_b, seq_b, _u) = committed
    assert (name_a, name_b) == ("first", "second") and seq_b == seq_a + 1


@pytest.mark.django_db(transaction=True)
def test_a_delta_past_the_threshold_is_merged_in_the_background(settings: Any, monkeypatch: Any) -> None:
    settings.SEARCH_DELTA_MERGE_AT = 2
    monkeypatch.setattr(live, "_merge_tried", -1e9)  # no earlier attempt in this process
    org = _org()
    rebuild_all()
    search("特許")
    version = IndexVersion.state()[0]
    _org("itc", name="宮城県産業技術総合センター", description="樹脂や金属の材料試験")
    org.description += "。知的財産の相談にも応じる"
    org.save()
    search("材料試験")  # two changed documents: this search starts the merge
    live.wait_for_background()
    assert IndexVersion.state()[0] == version + 1
    search("材料試験")  # … and this one the load of the merged index, not a second merge
    live.wait_for_background()
    assert IndexVersion.state()[0] == version + 1
    now = service.current_corpus()
    assert isinstance(now, live.LiveCorpus) and now.docs == {} and len(now) == 2
    assert [h.id for h in search("材料試験").results] == ["itc"]
