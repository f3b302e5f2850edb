"""When a request reached the server: stamped before Flask does anything else with it.

`RequestTiming` wraps the app's WSGI callable and leaves the time in the environ
(`webapp.clock.RECEIVED_AT_KEY`), read by `webapp.clock.received_at()`. Deadlines are judged by
that time, so a request that waited for a free worker is judged by when it arrived.

Behind a reverse proxy the request may also have queued before it reached this process. When
`TRUST_REQUEST_START_HEADER` is on, the proxy's `X-Request-Start` header is used instead, if it
is well formed and plausible: nginx sends `t=<seconds>.<milliseconds>` (`t=${msec}`), others
send whole milliseconds or microseconds since the epoch, with or without `t=`. A value in the
future (beyond a small clock skew), older than `MAX_PROXY_QUEUE`, or not a number is ignored
and the request keeps the time it reached the app. Without the setting a client could send the
header itself, so it is never read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from webapp.clock import RECEIVED_AT_KEY

__all__ = [
    "ALLOWED_SKEW",
    "MAX_PROXY_QUEUE",
    "RequestTiming",
    "init_app",
    "proxy_request_start",
]

ALLOWED_SKEW = timedelta(seconds=2)
"""How far a proxy's clock may run ahead of this server's before its stamp is ignored."""
MAX_PROXY_QUEUE = timedelta(minutes=2)
"""A proxy stamp older than this (compared with arrival at the app) is taken to be wrong."""

_STAMP = re.compile(r"^\s*(?:t=)?(\d{1,19}(?:\.\d{1,9})?)\s*$")
# Epoch seconds have 10 digits until 2286; milliseconds 13, microseconds 16, nanoseconds 19.
_UNITS = ((1e17, 1e9), (1e14, 1e6), (1e11, 1e3), (0.0, 1.0))

StartResponse = Callable[..., Any]


def proxy_request_start(header: str | None, arrived: datetime) -> datetime | None:
    """The moment an `X-Request-Start` header gives, or None when it is missing or implausible.

    `arrived` is when the request reached the app; the stamp must not be later than that by
    more than `ALLOWED_SKEW`, nor earlier by more than `MAX_PROXY_QUEUE`.
    """
    if not header:
        return None
    found = _STAMP.match(header)
    if found is None:
        return None
    number = float(found.group(1))
    if not math.isfinite(number) or number <= 0:
        return None
    divisor = next(divisor for floor, divisor in _UNITS if number >= floor)
    try:
        stamp = datetime.fromtimestamp(number / divisor, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if stamp > arrived + ALLOWED_SKEW or stamp < arrived - MAX_PROXY_QUEUE:
        return None
    return min(stamp, arrived)


class RequestTiming:
    """WSGI middleware: stamps `environ[RECEIVED_AT_KEY]` with the app's clock on arrival."""

    def __init__(self, app: Flask, wsgi_app: Callable[[dict[str, Any], StartResponse], Any]):
        self.app = app
        self.wsgi_app = wsgi_app

    def _clock(self) -> datetime:
        clock = self.app.config.get("CLOCK")
        return (clock() if clock else datetime.now(UTC)).astimezone(UTC)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        arrived = self._clock()
        if self.app.config.get("TRUST_REQUEST_START_HEADER"):
            stamp = proxy_request_start(environ.get("HTTP_X_REQUEST_START"), arrived)
            arrived = stamp or arrived
        environ[RECEIVED_AT_KEY] = arrived
        result: Iterable[bytes] = self.wsgi_app(environ, start_response)
        return result


def init_app(app: Flask) -> None:
    """Wrap the app's WSGI callable, outermost, so the stamp is taken first."""
    app.wsgi_app = RequestTiming(app, app.wsgi_app)  # type: ignore[method-assign]
