from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from madoguchi.platform.models import ApiToken


def test_the_command_prints_a_token_that_authenticates(bob: User) -> None:
    out = StringIO()
    call_command("issue_api_token", "bob", "--name", "受付システム", stdout=out)
    raw = out.getvalue().strip()
    token = ApiToken.objects.authenticate(raw)
    assert token is not None and token.user == bob and token.name == "受付システム"


def test_a_client_or_unknown_user_gets_no_token(the_client: object) -> None:
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("issue_api_token", "nobody")
    with pytest.raises(CommandError, match="所属"):
        call_command("issue_api_token", "client-yamada@example.jp")
