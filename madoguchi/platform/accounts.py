"""Account helpers: the password-reset email goes through the queue like every other email.

Client accounts (made at intake, with their Client row) are the cases app's; this is the login
and password plumbing every account shares (urls in accounts_urls.py, templates here too).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from madoguchi.lib.addresses import deliverable
from madoguchi.platform.mail import enqueue_email
from madoguchi.platform.ratelimit import authorize_password_reset_email


class QueuedPasswordResetForm(PasswordResetForm):
    def save(self, *args: Any, **kwargs: Any) -> None:
        # The link is built from SITE_URL, never from the request's Host header: behind a proxy that
        # host may be internal, and a forged Host would otherwise put an attacker's address in the mail.
        site = urlsplit(settings.SITE_URL)
        kwargs.update(domain_override=site.netloc, use_https=site.scheme == "https")
        super().save(*args, **kwargs)

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        if not authorize_password_reset_email(to_email):
            return  # silently: the page must not reveal whether the address has an account
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        enqueue_email(deliverable(to_email), subject, body)


class LoginForm(AuthenticationForm):
    """Clients log in with the email they gave at intake, staff with their user name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("ユーザー名（相談者の方はメールアドレス）")
        self.fields["password"].label = _("パスワード")
