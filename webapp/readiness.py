"""Readiness: can this process serve requests now? It must reach its database and its Redis.

`/healthz` says only that the process answers (a liveness check: restart it if not);
`/readyz` says whether its dependencies answer too (send it traffic only if so). Redis is
checked when the settings use it: a `redis://` or `rediss://` `RATELIMIT_STORAGE_URI`, or a
`REDIS_URL`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import redis
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db

REDIS_SCHEMES = ("redis://", "rediss://")
REDIS_TIMEOUT_SECONDS = 2.0


def redis_urls(config: Mapping[str, Any]) -> list[str]:
    """The Redis servers the settings name, each once."""
    urls: list[str] = []
    for name in ("RATELIMIT_STORAGE_URI", "REDIS_URL"):
        url = config.get(name) or ""
        if url.startswith(REDIS_SCHEMES) and url not in urls:
            urls.append(url)
    return urls


def database_ready() -> bool:
    """The database answers `SELECT 1`."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.warning("Readiness: the database did not answer", exc_info=True)
        db.session.rollback()
        return False
    return True


def redis_ready(url: str) -> bool:
    """The Redis server at `url` answers `PING` within a couple of seconds."""
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        current_app.logger.warning("Readiness: Redis did not answer", exc_info=True)
        return False
    finally:
        client.close()


def readiness() -> dict[str, str]:
    """`{"database": "ok", "redis": "error"}`: each dependency the settings use, and its state."""
    checks = {"database": "ok" if database_ready() else "error"}
    urls = redis_urls(current_app.config)
    if urls:
        checks["redis"] = "ok" if all(redis_ready(url) for url in urls) else "error"
    return checks
