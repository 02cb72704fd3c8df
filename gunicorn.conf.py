"""Gunicorn settings for `make serve-prod`; each can be overridden from the environment."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Threads share a process's loaded code; several processes use several cores.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# Longer than a reader pauses between pages, so an idle connection is not closed just as the
# client reuses it (a "connection reset" for the visitor). Behind a proxy this matters less.
keepalive = int(os.environ.get("WEB_KEEPALIVE", "30"))
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("ACCESS_LOG", "-") or None  # ACCESS_LOG="" turns it off
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "app:create_app()"


def on_starting(server):
    """Refuse per-process rate-limit counts when several processes serve: each would keep its
    own, and every limit would silently multiply by the number of workers."""
    from config import Config

    storage = Config.RATELIMIT_STORAGE_URI
    if server.cfg.workers > 1 and Config.RATELIMIT_ENABLED and storage.startswith("memory://"):
        raise SystemExit(
            f"RATELIMIT_STORAGE_URI is {storage!r} but {server.cfg.workers} worker processes "
            "would serve, each counting on its own, so every rate limit would be multiplied by "
            f"{server.cfg.workers}. Set RATELIMIT_STORAGE_URI=redis://... (shared by all "
            "workers), or WEB_CONCURRENCY=1."
        )
