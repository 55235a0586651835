from __future__ import annotations

from django.test import Client

from madoguchi.directory.models import Organization, OrganizationFunction, SupportFunction


def test_functions_lists_the_eight_of_table4_in_order_with_counts(
    client: Client, functions: dict[str, SupportFunction]
) -> None:
    org = Organization.objects.create(slug="tlo", name="(株)東北テクノアーチ", kind=Organization.Kind.SUPPORT)
    OrganizationFunction.objects.create(organization=org, function=functions["tech_transfer"])

    body = client.get("/api/functions").json()

    assert [f["name"] for f in body] == [
        "技術開発支援", "技術移転支援", "起業化支援", "資金・設備支援",
        "経営改善支援", "販路開拓支援", "技術・人材市場情報支援", "人材発掘・育成支援",
    ]
    assert body[1] == {
        "code": "tech_transfer", "name": "技術移転支援", "short_name": "技術移転", "name_en": "",
        "organization_count": 1,
    }
    assert body[0]["organization_count"] == 0
