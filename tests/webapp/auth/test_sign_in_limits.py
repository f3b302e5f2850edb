"""Sign-in limits per account and per client address, with the address read through a
configured number of proxies (`PROXY_FIX_X_FOR`), and a limit on registering.

The shipped settings are 10 attempts a minute per account and 50 per address; the tests run
with 15 per address (still above the per-account limit), since each attempt checks a password
hash and 50 of them take a while.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import TestingConfig
from tests.webapp.auth.conftest import DEFAULT_PASSWORD
from tests.webapp.forms_helper import csrf_token_of
from webapp import create_app
from webapp.extensions import db
from webapp.models import Role, User

MakeUser = Callable[..., User]
PER_ACCOUNT = 10
PER_ADDRESS = 15


@pytest.fixture
def app_config(app_config: TestingConfig) -> TestingConfig:
    """Behind one proxy, which appends the client's address to X-Forwarded-For."""
    app_config.PROXY_FIX_X_FOR = 1
    app_config.SIGN_IN_ADDRESS_RATE_LIMIT = f"{PER_ADDRESS} per minute"
    return app_config


class Attempts:
    """Sign-in attempts from one browser session, each from the address given."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = csrf_token_of(client, "/sign-in")

    def sign_in(self, email: str, password: str = "not the password", *, address: str) -> int:
        response = self.client.post(
            "/sign-in",
            data={"email": email, "password": password, "csrf_token": self.token},
            headers={"X-Forwarded-For": address},
        )
        return response.status_code


def test_the_shipped_settings_are_the_documented_ones():
    settings = TestingConfig()
    assert f"{PER_ACCOUNT} per minute" == settings.SIGN_IN_RATE_LIMIT
    assert settings.SIGN_IN_ADDRESS_RATE_LIMIT == "50 per minute"
    assert settings.PROXY_FIX_X_FOR == 0


def test_guesses_at_one_account_are_limited_however_many_addresses_they_come_from(
    client: FlaskClient, make_user: MakeUser
):
    victim = make_user(Role.PROVIDER)
    attempts = Attempts(client)

    statuses = [
        attempts.sign_in(victim.email, address=f"203.0.113.{n}") for n in range(PER_ACCOUNT)
    ]
    # The same account however it is typed, from yet another address, with the right password.
    refused = attempts.sign_in(
        f"  {victim.email.upper()} ", DEFAULT_PASSWORD, address="198.51.100.1"
    )

    assert statuses == [200] * PER_ACCOUNT
    assert refused == 429


def test_one_address_trying_many_accounts_is_limited(client: FlaskClient, make_user: MakeUser):
    attempts = Attempts(client)

    statuses = [
        attempts.sign_in(f"guess{n}@example.org", address="203.0.113.9") for n in range(PER_ADDRESS)
    ]
    refused = attempts.sign_in("guess-last@example.org", address="203.0.113.9")

    assert statuses == [200] * PER_ADDRESS
    assert refused == 429


def test_a_limited_address_does_not_lock_the_right_password_out_elsewhere(
    app: Flask, client: FlaskClient, make_user: MakeUser
):
    provider = make_user(Role.PROVIDER)
    attacker = Attempts(client)
    for n in range(PER_ADDRESS + 1):
        attacker.sign_in(f"guess{n}@example.org", address="203.0.113.9")
    assert attacker.sign_in(provider.email, DEFAULT_PASSWORD, address="203.0.113.9") == 429

    at_work = Attempts(app.test_client())

    assert at_work.sign_in(provider.email, DEFAULT_PASSWORD, address="198.51.100.20") == 302


def test_an_account_limited_from_one_address_still_refuses_the_right_password(
    client: FlaskClient, make_user: MakeUser
):
    # Letting the right password through would tell the guesser which guess was right.
    victim = make_user(Role.PROVIDER)
    attempts = Attempts(client)
    for _ in range(PER_ACCOUNT):
        attempts.sign_in(victim.email, address="203.0.113.9")

    assert attempts.sign_in(victim.email, DEFAULT_PASSWORD, address="203.0.113.9") == 429


def test_registering_is_limited_per_address(app: Flask, client: FlaskClient):
    limit = int(str(app.config["REGISTER_RATE_LIMIT"]).split()[0])
    token = csrf_token_of(client, "/register")

    def register(n: int, address: str) -> int:
        data = {
            "organisation_name": f"Care {n} Ltd",
            "name": "Ada Brook",
            "email": f"ada{n}@example.org",
            "password": "a kettle, two owls and a lighthouse",
            "confirm_password": "a kettle, two owls and a lighthouse",
            "csrf_token": token,
        }
        return client.post("/register", data=data, headers={"X-Forwarded-For": address}).status_code

    statuses = [register(n, "203.0.113.9") for n in range(limit)]

    assert statuses == [200] * limit
    assert register(limit, "203.0.113.9") == 429
    assert register(limit + 1, "198.51.100.20") == 200


def test_without_a_configured_proxy_x_forwarded_for_is_ignored(
    app_config: TestingConfig, make_user: MakeUser
):
    app_config.PROXY_FIX_X_FOR = 0
    direct = create_app(app_config)
    try:
        attempts = Attempts(direct.test_client())
        statuses = [
            attempts.sign_in(f"guess{n}@example.org", address=f"203.0.113.{n}")
            for n in range(PER_ADDRESS + 1)
        ]
    finally:
        with direct.app_context():
            db.session.remove()
            db.engine.dispose()

    # A client cannot choose its own address: all of these came from the same one.
    assert statuses == [200] * PER_ADDRESS + [429]
