from __future__ import annotations

import re

from madoguchi.directory.models import Organization
from madoguchi.directory.tests.helpers import make_org, offer


def _row_names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/organizations/([^/]+)/">', html)


def test_matrix_is_a_table_with_a_caption_and_the_eight_functions_as_columns(client, functions):
    html = client.get("/functions/").content.decode()
    assert "<caption>" in html
    headers = re.findall(r'<th scope="col"><a href="/organizations/\?function=(\w+)">', html)
    assert headers == list(functions)


def test_core_institution_comes_first_then_table_2_order(client, functions):
    make_org("ninth", "(社)発明協会宮城県支部", plan_number="(9)")
    make_org("tenth", "宮城県信用保証協会", plan_number="(10)")
    make_org("second", "(財)仙台市産業振興事業団", plan_number="(2)")
    make_org("core", "(財)みやぎ産業振興機構", kind=Organization.Kind.CORE)
    make_org("tohoku-u", "東北大学", kind=Organization.Kind.UNIVERSITY)
    html = client.get("/functions/").content.decode()
    assert _row_names(html) == ["core", "second", "ninth", "tenth"]


def test_derived_marks_say_so_in_text_with_their_basis(client, functions):
    org = make_org("iri", "宮城県産業技術総合センター", plan_number="(5)")
    offer(org, functions["tech_dev"], derived=True, basis="表2 (5) 主な支援機能")
    offer(org, functions["talent"], derived=False)
    html = client.get("/functions/").content.decode()
    row = html[html.index('href="/organizations/iri/"'):].split("</tr>")[0]
    cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
    assert len(cells) == 8
    assert "○" in cells[0] and "推定" in cells[0] and 'title="推定の根拠: 表2 (5) 主な支援機能"' in cells[0]
    assert "○" in cells[7] and "推定" not in cells[7]
    assert all("○" not in cell for cell in cells[1:7])
    notes = html[html.index("<details"):]
    assert 'id="note-1"' in notes and "宮城県産業技術総合センター — 技術開発支援: 表2 (5) 主な支援機能" in notes


def test_matrix_queries_do_not_grow_with_rows(client, functions, django_assert_max_num_queries):
    for i in range(25):
        org = make_org(f"org-{i}", f"機関{i}", plan_number=f"({i + 1})")
        offer(org, functions["tech_dev"], derived=True, basis="表2")
    with django_assert_max_num_queries(4):
        client.get("/functions/")


def test_real_plan_matrix_follows_table_4(client, plan):
    html = client.get("/functions/").content.decode()
    rows = _row_names(html)
    assert rows[0] == "miyagi-industrial-promotion-organization"
    # 表4 has rows for the two インテリジェント・コスモス bodies, not for their 協議会,
    # and one row for 商工会・商工会議所, not for its two federations.
    assert rows[1:3] == ["intelligent-cosmos-academic-foundation", "intelligent-cosmos-research-institute"]
    assert "tohoku-intelligent-cosmos-council" not in rows
    assert "societies-and-chambers-of-commerce" in rows
    assert "miyagi-federation-of-societies-of-commerce" not in rows
    assert rows[-1] == "sendai-applied-information-sciences-foundation"
    assert "推定" in html
