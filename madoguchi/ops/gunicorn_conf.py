"""gunicorn settings for `make serve` (and the systemd unit in docs/deploy/): all from the environment.

HOST / PORT   where to listen (127.0.0.1:8000); behind a reverse proxy on another machine, HOST=0.0.0.0
WEB_CONCURRENCY   worker processes (default 2 × the cores this process may use)
GUNICORN_TIMEOUT  seconds a request may take before its worker is replaced (30)
FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers are believed (127.0.0.1)
"""

from __future__ import annotations

import os
from typing import Any


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


wsgi_app = "madoguchi.wsgi:application"
bind = [f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"]
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores())
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = timeout
keepalive = 5  # seconds: longer than nothing, shorter than a proxy's idle timeout (nginx: 60 s)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1"
# No gunicorn access log: madoguchi.request writes one JSON line per request with its id instead.
accesslog = None
errorlog = "-"
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "madoguchi.ops.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "madoguchi.ops.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "json"}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}


# gunicornc's control socket: one per port, so two servers on one machine (tests, bench) don't collide.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or f"/tmp/madoguchi-gunicorn-{bind[0].rsplit(':', 1)[1]}.ctl"


def post_worker_init(worker: Any) -> None:
    """Load the search index before the first request, so /readyz is green as soon as it can be."""
    from madoguchi.search.status import index_ready

    index_ready()
