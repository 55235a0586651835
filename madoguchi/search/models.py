"""The stored search index: one analysed document per searchable record, and a version.

Documents keep their analysed terms, so a process builds its in-memory index from these rows
without running Sudachi again; IndexVersion tells every process when to rebuild it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    kind = models.CharField(_("種類"), max_length=30)
    # The record's primary key finds its document again even after its slug changes.
    object_pk = models.CharField(_("主キー"), max_length=64)
    object_id = models.CharField(_("識別子（スラッグ）"), max_length=100)
    title = models.CharField(_("名称"), max_length=300)
    organization_name = models.CharField(_("実施機関"), max_length=300, blank=True)
    organization_slug = models.CharField(_("実施機関のスラッグ"), max_length=100, blank=True)
    url = models.CharField(_("URL"), max_length=300, blank=True)
    # Space-separated analysed terms (names twice, then the text); never shown to anyone.
    terms = models.TextField(_("索引語"), blank=True)
    functions = models.CharField(_("支援機能"), max_length=200, blank=True)
    stages = models.CharField(_("事業段階"), max_length=200, blank=True)
    fields = models.CharField(_("分野"), max_length=300, blank=True)
    municipalities = models.CharField(_("市区町村コード"), max_length=500, blank=True)
    # A catalog program's facts for filtering without a query per hit (search.program_facts), JSON.
    program = models.TextField(_("制度の条件"), blank=True, default="")
    updated = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("検索文書")
        verbose_name_plural = _("検索文書")
        constraints = [
            # update on save looks a document up by (kind, object_pk)
            models.UniqueConstraint(fields=["kind", "object_pk"], name="search_document_kind_pk_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class IndexVersion(models.Model):
    """A single row: the generation of the main index, and the number of the last change.

    `version` moves when the main index is rebuilt (`reindex`) or merged with its delta; `seq`
    moves once per committed batch of document changes (SearchChange rows carry it), so a
    process applies only the changes since the last one it saw. `history_from`: changes up to
    this number are no longer kept (pruned, or replaced by a rebuild), so a process that saw
    less must load the main index afresh.
    """

    version = models.PositiveBigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)
    seq = models.PositiveBigIntegerField(default=0)
    history_from = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("索引の版")
        verbose_name_plural = _("索引の版")

    def __str__(self) -> str:
        return f"v{self.version} seq {self.seq}"

    @classmethod
    def current(cls) -> tuple[int, str]:
        """Return (version, time of the last rebuild): the pair a process caches its main index under.

        The time is part of the key because a rolled-back transaction (a test, a failed
        import) can reuse a version number for different contents.
        """
        return cls.state()[:2]

    @classmethod
    def state(cls) -> tuple[int, str, int, int]:
        """Return (version, time of the last rebuild, seq, history_from) in one query."""
        row = cls.objects.filter(pk=1).values_list("version", "updated", "seq", "history_from").first()
        return (int(row[0]), row[1].isoformat(), int(row[2]), int(row[3])) if row else (0, "", 0, 0)

    @classmethod
    def next_seq(cls) -> int:
        """Return a new change number. Call inside the transaction that writes the changes:
        the row stays locked until it commits, so change numbers commit in the order given
        (PostgreSQL; SQLite writes one transaction at a time anyway), and a reader that saw
        number n never later finds a smaller one appear."""
        if not cls.objects.filter(pk=1).update(seq=F("seq") + 1):
            cls.objects.get_or_create(pk=1, defaults={"seq": 1})
        return int(cls.objects.filter(pk=1).values_list("seq", flat=True).get())

    @classmethod
    def bump(cls) -> None:
        """Record a full rebuild: a new generation whose history starts now (no change before counts)."""
        seq = cls.next_seq()
        cls.objects.filter(pk=1).update(version=F("version") + 1, updated=timezone.now(), history_from=seq)


class SearchChange(models.Model):
    """One document added, changed or deleted since the main index was built (the delta log)."""

    seq = models.PositiveBigIntegerField(_("変更番号"), db_index=True)  # "changes since n" on every search that finds seq moved
    kind = models.CharField(_("種類"), max_length=30)
    object_pk = models.CharField(_("主キー"), max_length=64)
    # The document's identifier before this change: the main index may hold it under that one.
    old_id = models.CharField(_("変更前の識別子"), max_length=100, blank=True)
    created = models.DateTimeField(_("記録日時"), auto_now_add=True, db_index=True)  # pruning by age

    class Meta:
        verbose_name = _("検索文書の変更")
        verbose_name_plural = _("検索文書の変更")

    def __str__(self) -> str:
        return f"{self.seq}: {self.kind}:{self.object_pk}"


class SearchLock(models.Model):
    """A named lock with an expiry, shared by every process through the database (SQLite too).

    Only one process rebuilds the main index at a time; a holder that dies frees it on expiry.
    """

    name = models.CharField(_("名前"), max_length=30, primary_key=True)
    holder = models.CharField(_("保持者"), max_length=100, blank=True)
    expires = models.DateTimeField(_("期限"))

    class Meta:
        verbose_name = _("索引の排他ロック")
        verbose_name_plural = _("索引の排他ロック")

    def __str__(self) -> str:
        return self.name
