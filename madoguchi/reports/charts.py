"""Charts drawn on the server as inline SVG: no JavaScript, nothing the strict CSP refuses.

Each chart sits beside the table with the same numbers; the SVG has a title and a description
for screen readers, and every bar carries its number in text (or 「3件未満」), not only a length.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from madoguchi.reports.metrics import Coverage, shown, withheld_label

_LABEL_W, _BAR_W, _ROW_H, _BAR_H = 190, 330, 44, 16


def demand_supply_chart(c: Coverage) -> SafeString:
    """Horizontal bars per support function: consultations (demand) and programs (supply)."""
    rows = c.function_totals
    highest = max([max(d, p) for _f, d, p in rows] + [1])
    height = 40 + _ROW_H * len(rows)
    title, desc = _("支援機能ごとの相談件数と支援事業数"), _("濃い棒が相談件数、薄い棒が支援事業数。数値は右の文字と下の表にもあります。")
    parts = [
        f'<svg class="report-chart" viewBox="0 0 {_LABEL_W + _BAR_W + 110} {height}" role="img" '
        f'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(desc)}</desc>',
        f'<rect class="legend-demand" x="{_LABEL_W}" y="6" width="14" height="14"/>'
        f'<text x="{_LABEL_W + 20}" y="18">{escape(_("相談件数"))}</text>',
        f'<rect class="legend-supply" x="{_LABEL_W + 130}" y="6" width="14" height="14"/>'
        f'<text x="{_LABEL_W + 150}" y="18">{escape(_("支援事業数"))}</text>',
    ]
    for i, (function, demand, programs) in enumerate(rows):
        y = 36 + i * _ROW_H
        parts.append(f'<text class="chart-label" x="{_LABEL_W - 8}" y="{y + _BAR_H + 2}" text-anchor="end">'
                     f"{escape(function.get_code_display())}</text>")
        for offset, value, css, text in (
            (0, demand, "bar-demand", withheld_label() if demand < 0 else shown(demand)),
            (_BAR_H + 2, programs, "bar-supply", programs),
        ):
            # A suppressed or withheld count gets no bar: its length would give the number away.
            width = 0 if isinstance(text, str) else round(_BAR_W * value / highest)
            parts.append(f'<rect class="{css}" x="{_LABEL_W}" y="{y + offset}" width="{width}" height="{_BAR_H}"/>')
            parts.append(f'<text class="chart-value" x="{_LABEL_W + width + 6}" y="{y + offset + _BAR_H - 3}">{escape(str(text))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
