"""Request ids and structured logs: one JSON line per request, errors with their context.

Every request gets an id: the `X-Request-Id` a trusted proxy sent (`TRUST_REQUEST_ID_HEADER`),
when it is well formed, or a fresh random one. The id goes back in the response's
`X-Request-Id` header, onto the error pages a user sees ("Quote this reference…"), and into every
log record written while the request runs, with the route and the signed-in user's id.

The app logger writes JSON lines. A request's line says who asked for what and how it went,
never what was sent: the method, the path without its query string (a secret in a path, such as
a password-reset token, is logged as the route's placeholder), the status, the time taken, and
the signed-in user's id and role. No answer text, email address or name reaches it.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import IO, Any

from flask import Flask, Response, current_app, g, has_request_context, request
from flask.logging import default_handler, wsgi_errors_stream

REQUEST_ID_HEADER = "X-Request-Id"
# Letters, digits, dot, underscore and hyphen: uuids, hex ids and the ids proxies make.
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
MAX_LOGGED_PATH = 200
STATIC_ENDPOINTS = frozenset({"static", "styles.static"})

# The attributes of a log record that `JsonFormatter` writes, beside its message.
_CONTEXT_FIELDS = ("request_id", "method", "route", "user_id", "role")


def request_id() -> str:
    """This request's id, chosen on first use."""
    chosen: str | None = g.get("request_id")
    if chosen is None:
        chosen = _incoming_request_id() or uuid.uuid4().hex
        g.request_id = chosen
    return chosen


def _incoming_request_id() -> str | None:
    if not current_app.config.get("TRUST_REQUEST_ID_HEADER", False):
        return None
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    return sent if WELL_FORMED_REQUEST_ID.fullmatch(sent) else None


def signed_in_user() -> tuple[int, str] | None:
    """The id and role of the user this request has loaded, if one is signed in.

    Only a user the request already loaded (every page does, for its navigation) is reported:
    logging never costs a database query, and never fails because the database did.
    """
    user = g.get("_login_user")  # where Flask-Login keeps the user it loaded for this request
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return int(user.id), str(user.role)


def loggable_path() -> str:
    """The request's path without its query string; a route's text arguments stay hidden.

    A path such as `/reset-password/<token>` carries a secret, so a route with any argument
    that is not a number is logged as its rule. Asset paths are logged as they are.
    """
    rule = request.url_rule
    arguments = request.view_args or {}
    if (
        rule is not None
        and request.endpoint not in STATIC_ENDPOINTS
        and any(not isinstance(value, int) for value in arguments.values())
    ):
        return rule.rule
    return request.path[:MAX_LOGGED_PATH]


class RequestContextFilter(logging.Filter):
    """Adds the request id, method, route and signed-in user to records made during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = request_id()
            record.method = request.method
            record.route = request.endpoint or "(no route)"
            if record.msg == f"Exception on {request.path} [{request.method}]":
                # Flask's own message for an unhandled error: the path as it is logged above.
                record.msg = f"Exception on {loggable_path()} [{request.method}]"
            user = signed_in_user()
            if user is not None:
                record.user_id, record.role = user
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, context, and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _CONTEXT_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def json_log_handler(stream: IO[str] | Any = wsgi_errors_stream) -> logging.Handler:
    """A handler writing JSON lines, with request context, to `stream` (the server's log)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    handler.set_name("commonweal-json")
    return handler


def _start_request() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    started: float = g.get("request_started", time.perf_counter())
    fields: dict[str, Any] = {
        "event": "request",
        "path": loggable_path(),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    current_app.logger.getChild("requests").info(
        "%s %s %s", request.method, fields["path"], response.status_code, extra={"fields": fields}
    )
    return response


def init_app(app: Flask) -> None:
    """Give every request an id and a log line, and make the app logger write JSON lines."""
    logger = app.logger
    if not any(handler.name == "commonweal-json" for handler in logger.handlers):
        logger.removeHandler(default_handler)
        logger.addHandler(json_log_handler())
    requests = logger.getChild("requests")
    if requests.level == logging.NOTSET:
        requests.setLevel(logging.INFO)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.context_processor(lambda: {"request_id": request_id()})
