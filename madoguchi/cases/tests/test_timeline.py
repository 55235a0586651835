"""The timeline is append-only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from madoguchi.cases.models import Activity, Case


def test_an_activity_cannot_be_changed(case: Case, alice: User) -> None:
    note = case.add_note(by=alice, text="初回面談")
    note.text = "書き換え"
    with pytest.raises(PermissionError):
        note.save()
    assert Activity.objects.get(pk=note.pk).text == "初回面談"


def test_an_activity_cannot_be_deleted_one_by_one_or_in_bulk(case: Case, alice: User) -> None:
    note = case.add_note(by=alice, text="初回面談")
    with pytest.raises(PermissionError):
        note.delete()
    with pytest.raises(PermissionError):
        Activity.objects.filter(case=case).delete()
    with pytest.raises(PermissionError):
        Activity.objects.filter(case=case).update(text="")
    assert Activity.objects.filter(pk=note.pk).exists()


def test_an_empty_note_is_refused(case: Case, alice: User) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        case.add_note(by=alice, text="   ")
    assert "メモの内容を入力してください" in info.value.messages[0]


def test_a_closed_case_takes_no_more_notes(case: Case, alice: User) -> None:
    from django.core.exceptions import ValidationError

    case.close(by=alice, outcome="info_only")
    with pytest.raises(ValidationError):
        case.add_note(by=alice, text="追記")


def test_an_empty_note_from_the_page_is_announced_in_the_error_summary(case: Case, alice: User, client: object) -> None:
    from django.test import Client as HttpClient
    from django.urls import reverse

    assert isinstance(client, HttpClient)
    client.force_login(alice)
    response = client.post(reverse("cases:note", args=[case.code]), {"text": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and '<a href="#note_text">' in html and "メモの内容を入力してください" in html
