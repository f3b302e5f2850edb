"""Helpers for the account tests: the mail outbox, links in messages, signing in for real."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.forms_helper import post_form
from webapp.extensions import db
from webapp.mail import outbox_of
from webapp.models import User

LINK = re.compile(r"https?://\S+")
DEFAULT_PASSWORD = "correct horse battery staple"  # make_user's, in tests/conftest.py


def last_message(app: Flask) -> EmailMessage:
    outbox = outbox_of(app)
    assert outbox, "no email was sent"
    return outbox[-1]


def link_in(message: EmailMessage) -> str:
    """The path of the one link in `message` (the test client takes paths)."""
    links = LINK.findall(message.get_content())
    assert len(links) == 1, links
    return re.sub(r"^https?://[^/]+", "", links[0])


def sign_in_with(
    client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD, *, url: str = "/sign-in"
) -> TestResponse:
    return post_form(client, url, {"email": email, "password": password})


def reload(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.expunge(user)
        return user


def update_user(app: Flask, user_id: int, **values: object) -> User:
    """Change stored fields that `make_user` always sets (password hash, confirmation)."""
    with app.app_context():
        db.session.execute(db.update(User).where(User.id == user_id).values(**values))
        db.session.commit()
    return reload(app, user_id)


@pytest.fixture
def move_clock(app: Flask) -> Callable[[timedelta], None]:
    """Stand the app's clock `delta` after the real time (links expire by this clock)."""

    def move(delta: timedelta) -> None:
        app.config["CLOCK"] = lambda: datetime.now(UTC) + delta

    return move
