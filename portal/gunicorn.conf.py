"""gunicorn configuration for production (and the benchmark, which runs it as is).

Run with ``gunicorn -c portal/gunicorn.conf.py portal.wsgi``. Every value can
be set from the environment; the defaults suit a small machine behind a
TLS-terminating proxy.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two processes per core plus one keeps the cores busy while others wait on
# PostgreSQL; threads let a process overlap database round trips.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# Keep-alive between the proxy and gunicorn saves a TCP handshake per beacon.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
backlog = 2048
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
# Recycle workers now and then so a slow leak never takes a process down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "portal-web"
