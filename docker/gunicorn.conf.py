"""Gunicorn's settings in the production image, each overridable from the environment.

PORT (8000), WEB_CONCURRENCY (2 workers) and GUNICORN_TIMEOUT (30 s: no request renders a board
pack or summary PDF; report workers do). Gunicorn writes no access log: the app writes one
JSON line per request itself (webapp/observability.py), with its request id, user and duration.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
accesslog = None
errorlog = "-"
# Worker heartbeats in memory: a container's disk may be slow or read-only.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
control_socket_disable = True
