"""Institutions appear under their English name on English pages where the data has one."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.utils import translation

from madoguchi.directory.models import Organization


def test_an_institution_with_an_english_name_is_shown_in_english(plan: object) -> None:
    org = Organization.objects.exclude(name_en="").filter(current_name="").order_by("pk").first()
    assert org is not None, "the plan's data has English names"
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("ja"):
        detail = client.get(org.get_absolute_url()).content.decode()
        listing = client.get("/organizations/").content.decode()
    assert f"<h1 id=\"org-title\">{org.name_en}</h1>" in detail
    assert org.name_en in listing
    japanese = Client().get(org.get_absolute_url()).content.decode()
    assert f"<h1 id=\"org-title\">{org.name}</h1>" in japanese
