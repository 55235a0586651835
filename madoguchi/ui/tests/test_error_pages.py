"""Error pages 403, 404, CSRF failure and 500 are the product's: its layout, its words, both languages."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def _english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_404_is_the_products_page_in_japanese_and_in_english() -> None:
    response = Client().get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "ページが見つかりません" in html and 'class="site-header"' in html and "トップページへ戻る" in html
    with translation.override("ja"):
        html = _english_client().get("/no-such-page/").content.decode()
    assert 'lang="en"' in html[:200] and "Page not found" in html and "ページが見つかりません" not in html


def test_403_is_the_products_page_with_a_way_on(django_user_model: Any) -> None:
    user = User.objects.create_user("plain", password="pw-for-tests-1")
    client = Client()
    client.force_login(user)
    response = client.get(reverse("matching:moderation"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "このページを表示する権限がありません" in html and 'class="site-header"' in html
    assert "403 Forbidden" not in html
    english = _english_client()
    english.force_login(user)
    with translation.override("ja"):
        html = english.get(reverse("matching:moderation")).content.decode()
    assert "You do not have permission to view this page" in html


def test_a_refused_form_post_explains_itself_in_the_layout() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("search:save"), {"key": "organization:x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "送信を受け付けられませんでした" in html and 'class="site-header"' in html
    assert "CSRF verification failed" not in html


@pytest.mark.parametrize(("language", "words"), [("ja", "エラーが発生しました"), ("en", "Something went wrong")])
def test_500_is_the_products_page_in_both_languages(language: str, words: str) -> None:
    request = RequestFactory().get("/")
    with translation.override(language):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert words in html and 'class="site-header"' in html and f'lang="{language}"' in html[:200]
