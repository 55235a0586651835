"""Reasons in Japanese for one suggestion: the shared specific words first, then the structured fits."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from madoguchi.matching.candidate_pool import ORG_FINANCE, ORG_TECH, Doc, Pool
from madoguchi.matching.text import is_display_term, term_class


def _fmt_amount(lo: float, hi: float) -> str:
    if math.isnan(lo) and math.isnan(hi):
        return ""
    if math.isnan(hi) or lo == hi:
        return _("%(amount)s万円") % {"amount": f"{int(lo):,}"}
    if math.isnan(lo):
        return _("〜%(amount)s万円") % {"amount": f"{int(hi):,}"}
    return _("%(low)s〜%(high)s万円") % {"low": f"{int(lo):,}", "high": f"{int(hi):,}"}


def reasons_for(pool: Pool, src: Doc, d: Doc, shared_terms: list[str]) -> list[str]:
    L = pool.labels
    why: list[str] = []
    # the content first: what makes the fit (shared_terms lists specific words before generic ones)
    # no bigram fragments, no lone letters or suffixes (機, 用); a one-kanji word that names a thing (牛, 膝) stays
    words = [t for t in shared_terms if is_display_term(t) and (len(t) > 1 or (not t.isascii() and term_class(t) == 0))][:3]
    if words:
        why.append(_("「%(words)s」が共通") % {"words": "」「".join(words)})
    if d.kind == ORG_FINANCE:
        why.append(_("融資・保証・出資の窓口（支援機関の登録簿）"))
    elif d.kind == ORG_TECH:
        why.append(_("技術開発・技術移転の支援機関（支援機関の登録簿）"))
    shared_fields = sorted(src.fields & d.fields)
    if shared_fields:
        names = "・".join(L.fields.get(f, str(f)) for f in shared_fields)
        why.append(_("分野が一致（%(names)s）") % {"names": names})
    if src.tech_area and src.tech_area == d.tech_area:
        why.append(_("技術領域が一致（%(area)s）") % {"area": L.tech_areas.get(d.tech_area, d.tech_area)})
    shared_procs = sorted(src.processes & d.processes)
    if shared_procs:
        why.append(_("工程が合う（%(items)s）") % {"items": "・".join(shared_procs[:4])})
    shared_certs = sorted(src.certifications & d.certifications)
    if shared_certs:
        why.append(_("認証が合う（%(items)s）") % {"items": "・".join(shared_certs[:3])})
    shared_skills = sorted(src.skills & d.skills)
    if shared_skills:
        why.append(_("スキルが合う（%(items)s）") % {"items": "・".join(shared_skills[:4])})
    shared_stages = sorted(src.stages & d.stages)
    if shared_stages:
        why.append(_("段階が合う（%(items)s）") % {"items": "・".join(L.stages.get(s, str(s)) for s in shared_stages)})
    if (src.amount_min is not None or src.amount_max is not None) and (d.amount_min is not None or d.amount_max is not None):
        lo = max(x for x in (src.amount_min, d.amount_min, -1) if x is not None)
        his = [x for x in (src.amount_max, d.amount_max) if x is not None]
        hi = min(his) if his else math.nan
        why.append(_("金額の範囲が合う（%(range)s）") % {"range": _fmt_amount(float(max(lo, 0)), float(hi))})
    if src.municipality is not None and src.municipality == d.municipality:
        why.append(_("所在地が同じ（%(place)s）") % {"place": L.municipalities.get(d.municipality, d.municipality)})
    elif src.city is not None and src.city == d.city:
        why.append(_("同じ市内（%(place)s）") % {"place": L.municipalities.get(d.city, d.city)})
    elif src.areas & d.areas:
        a = sorted(src.areas & d.areas)[0]
        why.append(_("同じ地域（%(place)s）") % {"place": L.areas.get(a, "")})
    return why
