"""Absolute links for emails, on `PUBLIC_BASE_URL` when it is configured.

In a request, without `PUBLIC_BASE_URL`, the link uses the request's own host. Outside one (a
command run by a scheduler, say) there is no request to ask, so the link is built on
`PUBLIC_BASE_URL`, or on the development address when that is not set either.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def email_link(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint` with `values`, for a message sent by email."""
    base: str | None = current_app.config.get("PUBLIC_BASE_URL")
    if has_request_context():
        if base:
            return base.rstrip("/") + url_for(endpoint, **values)
        return url_for(endpoint, _external=True, **values)
    adapter = current_app.url_map.bind("localhost")
    return (base or DEVELOPMENT_BASE_URL).rstrip("/") + adapter.build(endpoint, values)
