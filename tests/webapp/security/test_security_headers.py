"""Security headers, read from real responses of every kind: pages, errors, JSON, PDFs, assets.

The Content-Security-Policy has no `unsafe-inline`: an inline script runs only with this
response's nonce, and no page carries a `style=` attribute, a `<style>` element or an `on…=`
handler that the policy would block (and so break).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from config import ProductionConfig, TestingConfig
from tests.webapp.award_world import AwardWorld
from tests.webapp.reports.downloads import fetched_pdf
from webapp import create_app
from webapp.models import Role, User

OWN = "kestrel"


def fetch(client: FlaskClient, path: str) -> TestResponse:
    """GET `path`, its body read and the response closed (assets are open files until then)."""
    with client.get(path) as response:
        response.get_data()
    return response


def policy(response: TestResponse) -> dict[str, str]:
    """The response's Content-Security-Policy, directive by directive."""
    header = response.headers.get("Content-Security-Policy", "")
    directives: dict[str, str] = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            assert name not in directives, f"directive {name} given twice: {header}"
            directives[name] = value.strip()
    return directives


def assert_security_headers(response: TestResponse) -> None:
    csp = policy(response)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["default-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_-]{22,}'", csp["script-src"]), csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


class _InlineCode(HTMLParser):
    """Collects inline scripts, their nonces, and attributes a strict policy blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.script_nonces: list[str | None] = []
        self.blocked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            self.script_nonces.append(attributes.get("nonce"))
        if tag == "style":
            self.blocked.append("<style> element")
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.blocked.append(f"{name}= on <{tag}>")
            if name in ("href", "src") and (attributes[name] or "").startswith("javascript:"):
                self.blocked.append(f"javascript: URL on <{tag}>")


def assert_inline_code_allowed(response: TestResponse) -> None:
    """Every inline script carries this response's nonce; nothing else inline is left to block."""
    parser = _InlineCode()
    parser.feed(response.get_data(as_text=True))
    nonce = policy(response)["script-src"].split("'nonce-")[1].rstrip("'")
    assert parser.script_nonces, "the page has GOV.UK Frontend's inline scripts"
    assert parser.script_nonces == [nonce] * len(parser.script_nonces)
    assert parser.blocked == []


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    """The test app with a route that fails, to see the headers on a real 500 page."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-only-failure")
    def fail() -> str:
        raise RuntimeError("deliberate failure for the test")

    return app


@pytest.mark.parametrize(
    ("path", "status", "kind"),
    [
        ("/", 200, "text/html"),
        ("/sign-in", 200, "text/html"),
        ("/accessibility", 200, "text/html"),
        ("/no-such-page", 404, "text/html"),
        ("/test-only-failure", 500, "text/html"),
        ("/healthz", 200, "application/json"),
        ("/readyz", 200, "application/json"),
        ("/assets/govuk-frontend.min.css", 200, "text/css"),
        ("/assets/govuk-frontend.min.js", 200, "text/javascript"),
        ("/styles/commonweal.css", 200, "text/css"),
    ],
)
def test_every_kind_of_response_carries_the_security_headers(
    failing_app: Flask, path: str, status: int, kind: str
) -> None:
    response = fetch(failing_app.test_client(), path)

    assert response.status_code == status
    assert response.mimetype == kind
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # only production sends HSTS


@pytest.mark.parametrize("path", ["/", "/sign-in", "/no-such-page", "/test-only-failure"])
def test_anonymous_pages_inline_scripts_run_only_by_nonce(failing_app: Flask, path: str) -> None:
    assert_inline_code_allowed(failing_app.test_client().get(path))


def test_each_response_gets_a_fresh_nonce(client: FlaskClient) -> None:
    first, second = (policy(client.get("/"))["script-src"] for _ in range(2))

    assert first != second


def test_a_refused_page_and_a_redirect_carry_them_too(
    client: FlaskClient, make_user: Callable[..., User], sign_in: Callable[[User], FlaskClient]
) -> None:
    redirect = client.get("/provider/")
    assert redirect.status_code == 302
    assert_security_headers(redirect)

    sign_in(make_user(Role.PROVIDER))
    refused = client.get("/commissioning/rounds")
    assert refused.status_code == 403
    assert_security_headers(refused)
    assert_inline_code_allowed(refused)


def test_signed_in_pages_pdfs_and_downloads_carry_them_and_are_never_cached(
    award: AwardWorld,
) -> None:
    provider = award.client_for(award.providers[OWN])
    bid_id = award.bid_ids[OWN]
    for path in (
        "/provider/",
        f"/provider/bids/{bid_id}",
        f"/provider/bids/{bid_id}/receipt",
        "/provider/self-assessment/report",  # a report's HTML twin
    ):
        page = provider.get(path)
        assert page.status_code == 200, path
        assert_security_headers(page)
        assert_inline_code_allowed(page)
        assert "no-store" in page.headers["Cache-Control"], path

    pdf = fetched_pdf(provider, "/provider/self-assessment/report.pdf")
    assert pdf.mimetype == "application/pdf"
    assert_security_headers(pdf)
    assert "no-store" in pdf.headers["Cache-Control"]

    staff = award.client_for(award.commissioner)
    page = staff.get(f"/commissioning/rounds/{award.round_id}")
    assert page.status_code == 200
    assert_security_headers(page)
    assert "no-store" in page.headers["Cache-Control"]


def test_an_evidence_download_keeps_its_sandbox_and_gains_the_rest(app: Flask) -> None:
    @app.get("/test-only-own-policy")
    def own_policy() -> tuple[str, int, dict[str, str]]:
        return "x", 200, {"Content-Security-Policy": "sandbox"}

    response = app.test_client().get("/test-only-own-policy")

    csp = policy(response)
    assert "sandbox" in csp
    assert csp["frame-ancestors"] == "'none'"
    assert csp["default-src"] == "'self'"


def test_static_assets_may_be_cached_and_pages_may_not(client: FlaskClient) -> None:
    asset = fetch(client, "/assets/govuk-frontend.min.css")
    assert "no-store" not in asset.headers.get("Cache-Control", "")
    own_asset = fetch(client, "/styles/commonweal.css")
    assert "no-store" not in own_asset.headers.get("Cache-Control", "")
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"


def test_production_sends_hsts(tmp_path: object) -> None:
    settings = ProductionConfig(
        {
            "SECRET_KEY": "k" * 48,
            "DATABASE_URL": "sqlite://",
            "PUBLIC_BASE_URL": "https://commonweal.council.example",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "AUDIT_HMAC_KEY": "audit-key-for-tests-0123456789abcdef0123456789",
        }
    )
    response = create_app(settings).test_client().get("/healthz")

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert_security_headers(response)


def test_testing_sends_no_hsts() -> None:
    response = create_app(TestingConfig("sqlite://")).test_client().get("/healthz")

    assert "Strict-Transport-Security" not in response.headers
