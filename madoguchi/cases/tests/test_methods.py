"""Views that change something accept POST only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Referral


@pytest.mark.parametrize("name", ["note", "refer", "close", "upload", "withdraw_consent", "referral_action"])
def test_post_only_views_reject_get(name: str, referral: Referral, alice: User, client: HttpClient) -> None:
    client.force_login(alice)
    args = [referral.case.code] + ([referral.uuid, "accept"] if name == "referral_action" else [])
    assert client.get(reverse(f"cases:{name}", args=args)).status_code == 405


@pytest.mark.parametrize("name", ["case", "export"])
def test_read_only_views_reject_post(name: str, referral: Referral, alice: User, client: HttpClient) -> None:
    client.force_login(alice)
    assert client.post(reverse(f"cases:{name}", args=[referral.case.code])).status_code == 405


def test_an_unknown_referral_action_is_404(referral: Referral, bob: User, client: HttpClient) -> None:
    client.force_login(bob)
    url = reverse("cases:referral_action", args=[referral.case.code, referral.uuid, "delete"])
    assert client.post(url, {"version": 1}).status_code == 404
