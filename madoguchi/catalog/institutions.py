"""Which registry institution a row's 実施機関 means: by 法人番号, by name, or a new unverified one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from madoguchi.catalog.models import CorporateNumber
from madoguchi.directory.models import Organization, name_key


@dataclass
class Resolver:
    """Built once per import (one query each for names and numbers), then answers from memory."""

    by_name: dict[str, int] = field(default_factory=dict)
    by_number: dict[str, int] = field(default_factory=dict)
    matched_by_number: set[str] = field(default_factory=set)
    matched_by_name: set[str] = field(default_factory=set)
    matched_by_id: set[str] = field(default_factory=set)  # by the feed's own id (HSDS: our export's)
    created: list[str] = field(default_factory=list)
    created_pks: list[int] = field(default_factory=list)
    source_label: str = ""

    @classmethod
    def load(cls, source_label: str) -> Resolver:
        resolver = cls(source_label=source_label)
        for pk, name, current_name, aliases in Organization.objects.values_list("pk", "name", "current_name", "aliases"):
            for spelling in [name, current_name, *(aliases or [])]:
                if spelling:
                    resolver.by_name.setdefault(name_key(spelling), pk)
        resolver.by_number = dict(CorporateNumber.objects.values_list("number", "organization_id"))
        return resolver

    def resolve(self, name: str, number: str) -> int | None:
        """The organization's pk; None when the row names none (the caller decides)."""
        if number and number in self.by_number:
            self.matched_by_number.add(name or number)
            return self.by_number[number]
        if name and name_key(name) in self.by_name:
            pk = self.by_name[name_key(name)]
            self.matched_by_name.add(name)
            if number:
                CorporateNumber.objects.get_or_create(organization_id=pk, defaults={"number": number})
                self.by_number[number] = pk
            return pk
        if not name:
            return None
        return self._create(name, number)

    def _create(self, name: str, number: str) -> int:
        digest = hashlib.sha1(f"{number}|{name}".encode()).hexdigest()[:12]
        # bulk_create: no post_save, so the search index is not rewritten per institution
        # (it would re-index the institution's programs each time); see importer.index_changes.
        (organization,) = Organization.objects.bulk_create([Organization(
            slug=f"org-{digest}", name=name, kind=Organization.Kind.PARTNER,
            status=Organization.Status.UNKNOWN, verified_at=None,
            source=_("制度の取り込み（%(source)s）で作成、未確認") % {"source": self.source_label},
        )])
        self.created_pks.append(organization.pk)
        if number:
            CorporateNumber.objects.create(organization=organization, number=number)
            self.by_number[number] = organization.pk
        self.by_name[name_key(name)] = organization.pk
        self.created.append(name)
        return organization.pk

    def summary(self) -> list[str]:
        lines = []
        if self.matched_by_id:
            lines.append("フィードの ID で照合した実施機関: " + _names(sorted(self.matched_by_id)))
        if self.matched_by_number:
            lines.append(_("法人番号で照合した実施機関: %(names)s") % {"names": _names(sorted(self.matched_by_number))})
        if self.matched_by_name:
            lines.append(_("名称で照合した実施機関: %(names)s") % {"names": _names(sorted(self.matched_by_name))})
        if self.created:
            lines.append(_("登録簿になく、未確認の機関として作成した実施機関: %(names)s") % {"names": _names(self.created)})
        return lines


def _names(names: list[str], shown: int = 10) -> str:
    """The first names, then how many more: a national file may name a thousand bodies."""
    text = "、".join(names[:shown])
    if len(names) > shown:
        text += _("ほか %(n)s 機関") % {"n": f"{len(names) - shown:,}"}
    return text
