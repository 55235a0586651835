"""Documents on a case: size cap, access check on download."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from madoguchi.cases.models import Activity, Case


def test_staff_attach_a_document_and_outsiders_cannot_download_it(
    case: Case, alice: User, charlie: User, client: HttpClient,
) -> None:
    client.force_login(alice)
    response = client.post(reverse("cases:upload", args=[case.code]),
                           {"attachment": SimpleUploadedFile("見積書.xlsx", b"PK data"), "text": "見積書"})
    assert response.status_code == 302
    document = case.activities.get(kind=Activity.Kind.DOCUMENT)
    url = reverse("cases:document", args=[case.code, document.uuid])
    assert client.get(url).status_code == 200
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_an_oversized_document_is_refused_with_the_limit_named(
    case: Case, alice: User, client: HttpClient, settings: Any,
) -> None:
    settings.CASE_ATTACHMENT_MAX_BYTES = 10 * 1024
    client.force_login(alice)
    response = client.post(reverse("cases:upload", args=[case.code]),
                           {"attachment": SimpleUploadedFile("big.pdf", b"x" * 20 * 1024)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "添付ファイルが大きすぎます" in html and "10.0" in html
    assert not case.activities.filter(kind=Activity.Kind.DOCUMENT).exists()


def test_a_read_only_member_cannot_attach(referral: Any, dora: User, client: HttpClient) -> None:
    client.force_login(dora)
    response = client.post(reverse("cases:upload", args=[referral.case.code]),
                           {"attachment": SimpleUploadedFile("a.pdf", b"x")})
    assert response.status_code == 403
