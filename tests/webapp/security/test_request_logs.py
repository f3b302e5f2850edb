"""Request logs: one JSON line per request, a request id users can quote, errors with context.

The lines are read as the server writes them: the app logger's JSON handler, on a stream of
the test's own. Nothing a person typed (answers, email addresses, passwords) reaches them.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.award_world import AwardWorld
from tests.webapp.forms_helper import post_form
from webapp import observability
from webapp.models import Role, User

OWN = "kestrel"
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


class LogLines:
    """What the app logged during a test, one parsed JSON object per line."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]

    @property
    def requests(self) -> list[dict[str, Any]]:
        return [entry for entry in self.entries if entry.get("event") == "request"]


@pytest.fixture
def logs(app: Flask) -> Iterator[LogLines]:
    stream = io.StringIO()
    handler = observability.json_log_handler(stream)
    requests = app.logger.getChild("requests")
    level = requests.level
    requests.setLevel(logging.INFO)  # as the app sets it (the browser tests quieten it)
    app.logger.addHandler(handler)
    try:
        yield LogLines(stream)
    finally:
        app.logger.removeHandler(handler)
        requests.setLevel(level)


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-only-failure/<int:bid_id>")
    def fail(bid_id: int) -> str:
        raise RuntimeError(f"deliberate failure for the test, bid {bid_id}")

    return app


def test_each_request_writes_one_json_line_and_returns_its_id(
    client: FlaskClient, logs: LogLines
) -> None:
    response = client.get("/accessibility?utm_source=leaflet")

    [line] = logs.requests
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert GENERATED_ID.fullmatch(line["request_id"])
    assert line["method"] == "GET"
    assert line["path"] == "/accessibility"  # without its query string
    assert line["route"] == "public.accessibility"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert 0 <= line["duration_ms"] < 60_000
    assert line["level"] == "INFO"
    assert "user_id" not in line
    assert "leaflet" not in logs.text


def test_each_request_has_its_own_id(client: FlaskClient, logs: LogLines) -> None:
    ids = {client.get("/").headers["X-Request-Id"] for _ in range(3)}

    assert len(ids) == 3
    assert {line["request_id"] for line in logs.requests} == ids


def test_a_signed_in_users_lines_carry_their_id_and_role_but_no_personal_data(
    award: AwardWorld, logs: LogLines
) -> None:
    provider = award.providers[OWN]
    bid_id = award.bid_ids[OWN]
    with award.app.app_context():
        answers = award.bid(OWN).answers
    long_answers = [v for v in answers.values() if isinstance(v, str) and len(v) > 40]
    assert long_answers, "the bid has text answers to look for"

    browser = award.client_for(provider)
    page = browser.get(f"/provider/bids/{bid_id}/check")
    assert page.status_code == 200
    assert long_answers[0][:40] in page.get_data(as_text=True)  # the page shows them...

    [line] = logs.requests
    assert line["user_id"] == provider.id
    assert line["role"] == "provider"
    assert line["path"] == f"/provider/bids/{bid_id}/check"
    for secret in (*long_answers, provider.email, provider.name, "Kestrel"):
        assert secret[:40] not in logs.text  # ...the log does not


def test_signing_in_logs_neither_the_email_nor_the_password(
    client: FlaskClient, make_user: Callable[..., User], logs: LogLines
) -> None:
    user = make_user(Role.COMMISSIONER, email="priya.shah@council.example")

    response = post_form(
        client,
        "/sign-in",
        {"email": "priya.shah@council.example", "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    lines = logs.requests
    assert [(line["method"], line["status"]) for line in lines] == [("GET", 200), ("POST", 302)]
    assert "priya" not in logs.text.lower()
    assert "horse" not in logs.text
    assert user.name not in logs.text


def test_a_secret_in_the_path_is_logged_as_the_routes_placeholder(
    client: FlaskClient, logs: LogLines
) -> None:
    client.get("/reset-password/ImFiYzEyMyI.secret-reset-token-value")

    [line] = logs.requests
    assert line["path"] == "/reset-password/<token>"
    assert "secret-reset-token-value" not in logs.text


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted", "untrusted"])
def test_a_well_formed_request_id_from_a_trusted_proxy_is_kept(
    app: Flask, logs: LogLines, trusted: bool
) -> None:
    app.config["TRUST_REQUEST_ID_HEADER"] = trusted
    sent = "proxy-3f9a0c1e-7b2d-4f6a"

    response = app.test_client().get("/", headers={"X-Request-Id": sent})

    kept = response.headers["X-Request-Id"]
    assert (kept == sent) is trusted
    assert logs.requests[0]["request_id"] == kept


@pytest.mark.parametrize(
    "sent",
    ["short", "x" * 129, "id with spaces 12345", "<script>alert(1)</script>", '"},{"level":"x'],
    ids=["too-short", "too-long", "spaces", "markup", "json"],
)
def test_a_malformed_request_id_is_replaced(app: Flask, logs: LogLines, sent: str) -> None:
    app.config["TRUST_REQUEST_ID_HEADER"] = True

    response = app.test_client().get("/", headers={"X-Request-Id": sent})

    assert GENERATED_ID.fullmatch(response.headers["X-Request-Id"])
    assert len(logs.entries) == 1


def test_a_server_error_shows_its_reference_and_is_logged_with_context(
    failing_app: Flask,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    logs: LogLines,
) -> None:
    user = make_user(Role.EVALUATOR)
    client = sign_in(user)
    client.get("/")  # loads the user, as every page does before it fails

    response = client.get("/test-only-failure/42")

    assert response.status_code == 500
    reference = response.headers["X-Request-Id"]
    html = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in html
    assert "Quote this reference if you contact us: <code" in html
    assert reference in html
    errors = [entry for entry in logs.entries if entry["level"] == "ERROR"]
    [error] = errors
    assert error["request_id"] == reference
    assert error["route"] == "fail"
    assert error["method"] == "GET"
    assert "RuntimeError: deliberate failure for the test, bid 42" in error["traceback"]
    assert "Traceback (most recent call last)" in error["traceback"]
    request_line = logs.requests[-1]
    assert (request_line["request_id"], request_line["status"]) == (reference, 500)


def test_a_server_error_logs_the_signed_in_user(
    failing_app: Flask,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    logs: LogLines,
) -> None:
    user = make_user(Role.EVALUATOR)
    client = sign_in(user)

    @failing_app.get("/test-only-signed-in-failure")
    def signed_in_failure() -> str:
        from flask_login import current_user

        assert current_user.is_authenticated
        raise RuntimeError("deliberate failure after loading the user")

    client.get("/test-only-signed-in-failure")

    [error] = [entry for entry in logs.entries if entry["level"] == "ERROR"]
    assert (error["user_id"], error["role"]) == (user.id, "evaluator")
    assert user.email not in logs.text


def test_a_server_error_on_a_route_with_a_secret_logs_no_secret(
    failing_app: Flask, logs: LogLines
) -> None:
    @failing_app.get("/test-only-token-failure/<token>")
    def token_failure(token: str) -> str:
        raise RuntimeError("deliberate failure for the test")

    response = failing_app.test_client().get("/test-only-token-failure/secret-token-value")

    assert response.status_code == 500
    [error] = [entry for entry in logs.entries if entry["level"] == "ERROR"]
    assert error["message"] == "Exception on /test-only-token-failure/<token> [GET]"
    assert "secret-token-value" not in logs.text


@pytest.mark.parametrize(
    ("path", "status"), [("/no-such-page", 404), ("/commissioning/rounds", 403)]
)
def test_not_found_and_refused_pages_show_their_reference(
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    path: str,
    status: int,
) -> None:
    sign_in(make_user(Role.PROVIDER))

    response = client.get(path)

    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert "Quote this reference if you contact us:" in html
    assert response.headers["X-Request-Id"] in html
