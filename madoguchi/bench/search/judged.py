"""The team's judged question set (data/judged_ja.jsonl).

One JSON object per line: {"id", "query", "tags": [...], "relevant": {"<organization slug>": 3|2|1}}.
Grades: 3 = the institution the plan describes for exactly this need, 2 = clearly helpful,
1 = partly useful. The questions were written from the plan's descriptions (二-1, 二-2, 表1–表4)
as a 相談者 would ask them, before looking at what any system returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
JUDGED_FILE = DATA_DIR / "judged_ja.jsonl"
# Written later by the same hand and never shown to whoever tunes the ranking: the ranking
# was tuned while looking at judged_ja.jsonl, so only this file shows whether the gains
# carry over to questions nobody tuned for. Do not tune against it; add a new file instead.
HELDOUT_FILE = DATA_DIR / "heldout_ja.jsonl"
# The development set: written from the plan by another hand, before looking at any results,
# to tune against beside the own set, so that a change must help questions of two authors.
DEV_FILE = DATA_DIR / "dev_ja.jsonl"
# A second held-out set, because heldout_ja.jsonl has been looked at (in aggregate) several
# times. Written and judged from the plan alone by a helper ("writer") who never ran the search,
# the benchmark, the API or any page with search results. Nobody may tune on it or read its
# per-question results; report only its summary figures, and add a new file when it is spent.
# Spent: after its first measurement (nDCG@10 0.645) it was used for error analysis in the
# third tuning round, so it is now a development set under its old name; heldout3 replaces it.
HELDOUT2_FILE = DATA_DIR / "heldout2_ja.jsonl"
# A third held-out set, because heldout2_ja.jsonl will be spent the same way. Written and judged
# from the plan and the organizations' data alone by a helper ("writer3") who never ran the search,
# the benchmark, the API or any page with search results, and who avoided the wording of the four
# sets above. Nobody may tune on it or read its per-question results; report only its summary
# figures, and add a new file when it is spent.
HELDOUT3_FILE = DATA_DIR / "heldout3_ja.jsonl"

# The tag groups the per-tag table reports on, in order.
STYLE_TAGS = ("colloquial", "kana", "typo", "english", "name")


@dataclass(frozen=True)
class JudgedQuery:
    id: str
    query: str
    tags: tuple[str, ...]
    relevant: dict[str, int] = field(hash=False)


def load_judged(path: Path = JUDGED_FILE) -> list[JudgedQuery]:
    """Return the judged questions of a JSON-lines file, in file order.

    Raises ValueError naming the line when a line is not a valid judged question.
    """
    out: list[JudgedQuery] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            relevant = {str(k): int(v) for k, v in obj["relevant"].items()}
            query = JudgedQuery(str(obj["id"]), str(obj["query"]), tuple(obj.get("tags", [])), relevant)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path.name} の {n} 行目が正しくありません: {exc}") from exc
        if not query.query.strip() or not any(g > 0 for g in relevant.values()):
            raise ValueError(f"{path.name} の {n} 行目: 質問が空か、関連ありの機関がありません")
        out.append(query)
    return out
