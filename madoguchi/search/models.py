"""The stored search index: one analysed document per searchable record, and a version.

Documents keep their analysed terms, so a process builds its in-memory index from these rows
without running Sudachi again; IndexVersion tells every process when to rebuild it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F
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
    """A single row whose number moves whenever any SearchDocument changes."""

    version = models.PositiveBigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("索引の版")
        verbose_name_plural = _("索引の版")

    @classmethod
    def current(cls) -> tuple[int, str]:
        """Return (version, time of the last change): the pair a process caches its index under.

        The time is part of the key because a rolled-back transaction (a test, a failed
        import) can reuse a version number for different contents.
        """
        row = cls.objects.filter(pk=1).values_list("version", "updated").first()
        return (int(row[0]), row[1].isoformat()) if row else (0, "")

    @classmethod
    def bump(cls) -> None:
        # A filtered update is atomic on both SQLite and PostgreSQL; create the row on first use.
        if not cls.objects.filter(pk=1).update(version=F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 1})
