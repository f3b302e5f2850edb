"""Nothing on the account pages tells whether an address has an account: sign-in, registration,
password reset and a new confirmation link answer a known address as they answer an unknown one.

Pages are compared whole, with the address typed and the form's CSRF token taken out. Timing is
pinned by what the code does for an unknown address (it checks a password hash all the same),
and by a generous comparison of medians that a loaded machine does not upset.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable

import pytest
from flask import Flask
from werkzeug import security
from werkzeug.test import TestResponse

from tests.webapp.auth.conftest import update_user
from tests.webapp.forms_helper import csrf_token_of
from webapp.mail import outbox_of
from webapp.models import Role, User
from webapp.services import accounts

MakeUser = Callable[..., User]
KNOWN = "known.person@example.org"
UNKNOWN = "nobody.here@example.org"
PASSWORD = "a kettle, two owls and a lighthouse"
TOKEN = re.compile(r'name="csrf_token"( type="hidden")? value="[^"]*"|nonce="[^"]*"')
"""What differs on every response whoever asks: the form token and the script nonce."""


def answer(response: TestResponse, address: str) -> tuple[int, str | None, str]:
    """What a person sees: status, where it redirects, and the page with their address blanked."""
    body = TOKEN.sub("TOKEN", response.get_data(as_text=True)).replace(address, "ADDRESS")
    return response.status_code, response.headers.get("Location"), body


def post_as_new_visitor(app: Flask, path: str, data: dict[str, str]) -> TestResponse:
    client = app.test_client()
    token = csrf_token_of(client, path)
    return client.post(path, data={**data, "csrf_token": token})


@pytest.fixture
def known(make_user: MakeUser) -> User:
    return make_user(Role.PROVIDER, email=KNOWN)


def registration(email: str) -> dict[str, str]:
    return {
        "organisation_name": "Brookside Home Care CIC",
        "name": "Ada Brook",
        "email": email,
        "password": PASSWORD,
        "confirm_password": PASSWORD,
    }


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/sign-in", {"password": "not the right one at all"}),
        ("/forgot-password", {}),
        ("/resend-confirmation", {}),
    ],
    ids=["sign-in", "forgot-password", "resend-confirmation"],
)
def test_a_known_and_an_unknown_address_get_the_same_answer(
    app: Flask, known: User, path: str, data: dict[str, str]
):
    for_known = post_as_new_visitor(app, path, {"email": KNOWN, **data})
    for_unknown = post_as_new_visitor(app, path, {"email": UNKNOWN, **data})

    assert answer(for_known, KNOWN) == answer(for_unknown, UNKNOWN)


def test_an_unconfirmed_account_with_a_wrong_password_looks_like_no_account(
    app: Flask, known: User
):
    update_user(app, known.id, email_confirmed_at=None)

    for_known = post_as_new_visitor(app, "/sign-in", {"email": KNOWN, "password": "wrong guess!"})
    for_unknown = post_as_new_visitor(
        app, "/sign-in", {"email": UNKNOWN, "password": "wrong guess!"}
    )

    assert answer(for_known, KNOWN) == answer(for_unknown, UNKNOWN)


def test_registering_a_known_address_looks_like_registering_a_new_one(app: Flask, known: User):
    for_known = post_as_new_visitor(app, "/register", registration(KNOWN))
    for_unknown = post_as_new_visitor(app, "/register", registration(UNKNOWN))

    assert answer(for_known, KNOWN) == answer(for_unknown, UNKNOWN)
    assert "Check your email" in for_known.get_data(as_text=True)
    # Each address is told by email: the new one to confirm, the known one that it has an account.
    assert [message["To"] for message in outbox_of(app)] == [KNOWN, UNKNOWN]


def test_staff_addresses_are_not_revealed_by_registration(app: Flask, make_user: MakeUser):
    make_user(Role.ADMIN, email=KNOWN)

    for_known = post_as_new_visitor(app, "/register", registration(KNOWN))
    for_unknown = post_as_new_visitor(app, "/register", registration(UNKNOWN))

    assert answer(for_known, KNOWN) == answer(for_unknown, UNKNOWN)


class HashCounter:
    """Counts the password hashing done during a request; the real functions still run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.checks = 0
        self.hashes = 0
        real_check, real_hash = security.check_password_hash, security.generate_password_hash

        def check(stored: str, password: str) -> bool:
            self.checks += 1
            return real_check(stored, password)

        def generate(password: str, *args: object, **kwargs: object) -> str:
            self.hashes += 1
            return real_hash(password, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(accounts, "check_password_hash", check)
        monkeypatch.setattr(accounts, "generate_password_hash", generate)

    def reset(self) -> None:
        self.checks = self.hashes = 0


def test_signing_in_with_an_unknown_address_checks_a_password_hash_all_the_same(
    app: Flask, known: User, monkeypatch: pytest.MonkeyPatch
):
    counter = HashCounter(monkeypatch)
    post_as_new_visitor(app, "/sign-in", {"email": KNOWN, "password": "wrong guess!"})
    for_known = counter.checks
    counter.reset()
    post_as_new_visitor(app, "/sign-in", {"email": UNKNOWN, "password": "wrong guess!"})

    assert for_known == counter.checks == 1


def test_registering_a_known_address_hashes_the_password_as_a_new_one_does(
    app: Flask, known: User, monkeypatch: pytest.MonkeyPatch
):
    counter = HashCounter(monkeypatch)
    post_as_new_visitor(app, "/register", registration(KNOWN))
    for_known = counter.hashes
    counter.reset()
    post_as_new_visitor(app, "/register", registration(UNKNOWN))

    assert for_known == counter.hashes == 1


def median_seconds(app: Flask, email: str, runs: int = 5) -> float:
    client = app.test_client()
    token = csrf_token_of(client, "/sign-in")
    data = {"email": email, "password": "wrong guess!", "csrf_token": token}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.post("/sign-in", data=data)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def test_signing_in_takes_about_as_long_for_an_unknown_address(app: Flask, known: User):
    median_seconds(app, UNKNOWN, runs=1)  # the decoy hash is made once per process
    known_time = median_seconds(app, KNOWN)
    unknown_time = median_seconds(app, UNKNOWN)

    # Checking a hash is most of the time: without it an unknown address answers ten times faster.
    assert unknown_time > known_time / 3
    assert known_time > unknown_time / 3
