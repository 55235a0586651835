"""gunicorn settings for one app server of a multi-machine deployment (docs/deploy.md).

Start with `gunicorn -c /etc/madoguchi/gunicorn.conf.py`. Everything not set here comes from
madoguchi's own defaults (madoguchi/ops/gunicorn_conf.py: JSON logs, no separate access log,
the search index loaded before the first request).
"""

import os

from madoguchi.ops.gunicorn_conf import *  # noqa: F403  (the project's defaults, then this machine's)
from madoguchi.ops.gunicorn_conf import _cores

# Listen on the private network the proxy reaches; HOST/PORT from /etc/madoguchi/env.
bind = [f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"]
# Sync workers: 2 per core; each holds one database connection while it serves a request.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores())
# Only the reverse proxy's X-Forwarded-Proto is believed (a client could claim https otherwise).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "10.0.1.10")
# Replace a worker after this many requests (with jitter so they don't all restart at once):
# bounds the effect of any slow leak without restarting the service.
max_requests = 5000
max_requests_jitter = 500
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm"
control_socket = "/run/madoguchi/gunicorn.ctl"
