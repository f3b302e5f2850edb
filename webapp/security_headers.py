"""Security headers on every response the app sends: pages, PDFs, downloads, assets and errors.

The Content-Security-Policy allows scripts and styles from the app's own origin only, plus the
inline scripts that carry this request's nonce (GOV.UK Frontend's `js-enabled` line and the
module that calls `initAll()`, both in the base template). No `unsafe-inline`: an injected
`<script>`, `onclick=` handler or `style=` attribute does not run. A view that sets a policy of
its own (evidence downloads send `sandbox`) keeps it, and gains the app's directives it lacks.

Pages are never stored by a browser or proxy cache (`Cache-Control: no-store`): signed-in pages
show bid answers, marks and names, and a shared computer must not show them to the next person.
Static assets (GOV.UK Frontend's and the app's own stylesheet) stay cacheable.

HSTS is sent when `HSTS_SECONDS` is above zero, which only the production settings set.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)
REFERRER_POLICY = "strict-origin-when-cross-origin"
STATIC_ENDPOINTS = frozenset({"static", "styles.static"})


def csp_nonce() -> str:
    """This request's script nonce, made on first use (a fresh one for every request)."""
    nonce: str | None = g.get("csp_nonce")
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        g.csp_nonce = nonce
    return nonce


def content_security_policy(nonce: str) -> dict[str, str]:
    """The app's policy, directive by directive, for a response whose scripts carry `nonce`."""
    return {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": "'self'",
        "img-src": "'self'",
        "font-src": "'self'",
        "connect-src": "'self'",
        "manifest-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def _merged_policy(existing: str | None, policy: dict[str, str]) -> str:
    """`policy` as a header value; a view's own `existing` directives win over the app's."""
    own: list[str] = [part.strip() for part in (existing or "").split(";") if part.strip()]
    named = {part.split()[0].lower() for part in own}
    added = [f"{name} {value}" for name, value in policy.items() if name not in named]
    return "; ".join(own + added)


def set_security_headers(response: Response) -> Response:
    """Add the headers to `response` (an `after_request` function)."""
    headers = response.headers
    headers["Content-Security-Policy"] = _merged_policy(
        headers.get("Content-Security-Policy"), content_security_policy(csp_nonce())
    )
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = REFERRER_POLICY
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint not in STATIC_ENDPOINTS and "no-store" not in headers.get(
        "Cache-Control", ""
    ):
        headers["Cache-Control"] = "no-store"
    hsts_seconds = int(current_app.config.get("HSTS_SECONDS", 0))
    if hsts_seconds > 0:
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}"
    return response


def init_app(app: Flask) -> None:
    """Send the headers on every response and give templates the nonce as `cspNonce`.

    `cspNonce` is the name GOV.UK Frontend's page template reads for its inline script.
    """
    app.after_request(set_security_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
