"""madoguchi.W020: production settings whose mail goes nowhere (the laptop default of `make run`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

NOT_SENT = ("filebased", "console", "locmem", "dummy")


@register()
def mail_is_sent_in_production(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    production = not settings.DEBUG and "sqlite" not in settings.DATABASES["default"]["ENGINE"]
    if production and any(f".{name}." in settings.EMAIL_BACKEND for name in NOT_SENT):
        return [Warning(
            f"EMAIL_BACKEND {settings.EMAIL_BACKEND} does not send mail (referrals, confirmations and digests "
            "would reach nobody).",
            hint="Set EMAIL_URL, e.g. smtp://user:password@mail.example.jp:587?tls=true.",
            id="madoguchi.W020",
        )]
    return []
