"""System checks for configuration mistakes, reported with ids madoguchi.W00x."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def check_deploy_settings(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Shown by `madoguchi check --deploy`: production needs its own secret key."""
    problems = []
    if settings.SECRET_KEY.startswith("dev-only-"):
        problems.append(
            Warning(
                "SECRET_KEY is not set; the development key is in use.",
                hint="Set SECRET_KEY (or SECRET_KEY_FILE) in the environment before serving real users.",
                id="madoguchi.W001",
            )
        )
    if settings.SECURE_SSL_REDIRECT and not settings.SITE_URL.startswith("https://"):
        # Links in mail are built from SITE_URL: an http:// one would send readers around the redirect.
        problems.append(
            Warning(
                f"SITE_URL {settings.SITE_URL} is not https:// although SECURE_SSL_REDIRECT is on.",
                hint="Set SITE_URL to the public https address; every link in mail is built from it.",
                id="madoguchi.W003",
            )
        )
    return problems


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    problems = []
    if not settings.PLAN_FILE.exists():
        problems.append(
            Warning(f"PLAN_FILE {settings.PLAN_FILE} does not exist.", hint="Point PLAN_FILE at the plan text.",
                    id="madoguchi.W002")
        )
    return problems
