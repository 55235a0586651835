"""`EMAIL_URL`: the whole mail configuration in one variable, like DATABASE_URL.

    smtp://user:pass@host:587?tls=true   SMTP with STARTTLS (submission port)
    smtps://user:pass@host:465           SMTP over TLS from the first byte
    smtp://host:25                       plain SMTP (a local relay)
    file:///var/spool/madoguchi-mail     one file per sent batch in that directory
    console://                           printed on the worker's standard output
    locmem:// / dummy://                 kept in memory / dropped (tests, demos)

User and password may be percent-encoded (`p%40ss` for `p@ss`). Query options: `tls`, `ssl`
(true/false), `timeout` (seconds). A small parser of our own rather than dj-email-url: the
formats above are all we support, and each mistake gets its own message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class EmailURLError(ValueError):
    """EMAIL_URL cannot be used; the message says what to change."""


def _flag(query: dict[str, list[str]], name: str) -> bool | None:
    if name not in query:
        return None
    value = query[name][-1].lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EmailURLError(f"EMAIL_URL: {name}={value} is not true/false")


def parse_email_url(url: str) -> dict[str, Any]:
    """Return Django settings (EMAIL_BACKEND, EMAIL_HOST, ...) for `url`; raise EmailURLError."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in BACKENDS:
        raise EmailURLError(f"EMAIL_URL: scheme {scheme or '(none)'}:// is not one of {', '.join(sorted(BACKENDS))}")
    config: dict[str, Any] = {"EMAIL_BACKEND": BACKENDS[scheme]}
    query = parse_qs(parts.query, keep_blank_values=True)
    if scheme == "file":
        path = unquote(parts.path)
        if not path:
            raise EmailURLError("EMAIL_URL: file:// needs a directory, e.g. file:///var/spool/madoguchi-mail")
        config["EMAIL_FILE_PATH"] = path
        return config
    if scheme not in ("smtp", "smtps"):
        return config
    if not parts.hostname:
        raise EmailURLError(f"EMAIL_URL: {scheme}:// needs a host, e.g. {scheme}://user:pass@mail.example.jp:587")
    try:
        port = parts.port
    except ValueError as exc:
        raise EmailURLError(f"EMAIL_URL: the port is not a number ({exc})") from None
    tls, ssl = _flag(query, "tls"), _flag(query, "ssl")
    if scheme == "smtps":
        ssl = True if ssl is None else ssl
    if tls and ssl:
        raise EmailURLError("EMAIL_URL: choose tls (STARTTLS, port 587) or ssl (port 465), not both")
    config.update({
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if ssl else 587 if tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": bool(tls),
        "EMAIL_USE_SSL": bool(ssl),
    })
    if "timeout" in query:
        try:
            config["EMAIL_TIMEOUT"] = int(query["timeout"][-1])
        except ValueError:
            raise EmailURLError(f"EMAIL_URL: timeout={query['timeout'][-1]} is not a whole number of seconds") from None
    return config
