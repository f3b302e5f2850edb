"""Every form of the app refuses a POST without its CSRF token, with a page that says why.

The routes come from the app's URL map, so a form added later is tested without anyone listing
it. Flask-WTF checks the token before the view runs (before it looks anything up), so the ids in
the URLs need not exist: a 400 here means the view was never reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter, Rule

from config import TestingConfig
from tests.webapp.auth.conftest import DEFAULT_PASSWORD
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import csrf_token_of
from webapp import create_app
from webapp.extensions import db
from webapp.models import Role, User

MakeUser = Callable[..., User]

# Forms that may be posted without a token: none. A route added here must say why.
EXEMPT: frozenset[str] = frozenset()


def post_rules(app: Flask) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    return sorted(rules, key=lambda rule: rule.rule)


def example_path(rule: Rule) -> str:
    values = {
        name: 1 if isinstance(converter, IntegerConverter) else "x"
        for name, converter in rule._converters.items()
    }
    built = rule.build(values, append_unknown=False)
    assert built is not None, rule.rule
    return built[1]


@pytest.fixture(scope="module")
def rules() -> Iterator[list[Rule]]:
    app = create_app(TestingConfig())
    yield post_rules(app)
    with app.app_context():
        db.engine.dispose()


def test_the_url_map_has_the_forms_this_test_is_about(rules: list[Rule]):
    endpoints = {rule.endpoint for rule in rules}
    # A sample from each area: if these vanish, the test is reading the wrong map.
    assert {"auth.sign_in", "auth.sign_out", "admin.invite", "provider.submit"} <= endpoints
    assert len(rules) >= 30


@pytest.mark.parametrize("who", ["anonymous", "admin", "provider"])
def test_every_post_route_refuses_a_request_without_the_csrf_token(
    app: Flask,
    client: FlaskClient,
    make_user: MakeUser,
    sign_in: Callable[[User], FlaskClient],
    who: str,
):
    if who != "anonymous":
        sign_in(make_user(Role(who)))

    answers: dict[str, tuple[int, list[str]]] = {}
    for rule in post_rules(app):
        if rule.endpoint in EXEMPT:
            continue
        response = client.post(example_path(rule), data={"email": "someone@example.org"})
        page = parse_page(response)
        answers[rule.rule] = (response.status_code, page.h1s)

    refused = (400, ["The form could not be sent"])
    assert {rule: answer for rule, answer in answers.items() if answer != refused} == {}
    if who != "anonymous":
        assert client.get("/admin/users" if who == "admin" else "/provider/").status_code == 200


def test_a_token_from_another_session_is_refused(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    foreign = csrf_token_of(app.test_client(), "/sign-in")
    admin = make_user(Role.ADMIN)
    client.get("/sign-in")

    response = client.post(
        "/sign-in",
        data={"email": admin.email, "password": DEFAULT_PASSWORD, "csrf_token": foreign},
    )

    assert response.status_code == 400
    assert "The form could not be sent" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session
