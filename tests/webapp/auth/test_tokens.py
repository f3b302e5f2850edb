"""Signed links: one purpose each, bound to the state they change, expiring by the app's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash

from webapp.auth import tokens
from webapp.extensions import db
from webapp.models import Role, User

MakeUser = Callable[..., User]


def test_a_token_names_its_user_and_matches_until_the_state_changes(
    app: Flask, make_user: MakeUser
):
    with app.app_context():
        user = db.session.get(User, make_user(Role.BOARD).id)
        assert user is not None
        token = tokens.make_token(tokens.RESET_PASSWORD, user)

        user_id, binding = tokens.token_user_id(tokens.RESET_PASSWORD, token)
        assert user_id == user.id
        assert tokens.token_matches(tokens.RESET_PASSWORD, user, binding)

        user.password_hash = generate_password_hash("an entirely new password")
        assert not tokens.token_matches(tokens.RESET_PASSWORD, user, binding)


def test_a_token_carries_no_password_hash(app: Flask, make_user: MakeUser):
    with app.app_context():
        user = db.session.get(User, make_user(Role.BOARD).id)
        assert user is not None
        token = tokens.make_token(tokens.RESET_PASSWORD, user)

    assert user.password_hash is not None
    assert user.password_hash.split("$")[-1] not in token


@pytest.mark.parametrize(
    ("made_for", "read_as"),
    [
        (tokens.CONFIRM_EMAIL, tokens.RESET_PASSWORD),
        (tokens.RESET_PASSWORD, tokens.ACCEPT_INVITE),
        (tokens.ACCEPT_INVITE, tokens.CONFIRM_EMAIL),
    ],
)
def test_a_token_for_one_purpose_is_refused_for_another(
    app: Flask, make_user: MakeUser, made_for: tokens.Purpose, read_as: tokens.Purpose
):
    with app.app_context():
        user = db.session.get(User, make_user(Role.BOARD).id)
        assert user is not None
        token = tokens.make_token(made_for, user)

        with pytest.raises(tokens.TokenError) as refused:
            tokens.token_user_id(read_as, token)
    assert not refused.value.expired


@pytest.mark.parametrize(
    "purpose", [tokens.CONFIRM_EMAIL, tokens.RESET_PASSWORD, tokens.ACCEPT_INVITE]
)
def test_tokens_expire_by_the_apps_clock(
    app: Flask,
    make_user: MakeUser,
    move_clock: Callable[[timedelta], None],
    purpose: tokens.Purpose,
):
    with app.app_context():
        user = db.session.get(User, make_user(Role.BOARD).id)
        assert user is not None
        token = tokens.make_token(purpose, user)

        move_clock(purpose.max_age - timedelta(seconds=5))
        assert tokens.token_user_id(purpose, token)[0] == user.id

        move_clock(purpose.max_age + timedelta(seconds=5))
        with pytest.raises(tokens.TokenError) as refused:
            tokens.token_user_id(purpose, token)
    assert refused.value.expired


def test_a_token_signed_with_another_key_is_refused(app: Flask, make_user: MakeUser):
    with app.app_context():
        user = db.session.get(User, make_user(Role.BOARD).id)
        assert user is not None
        token = tokens.make_token(tokens.CONFIRM_EMAIL, user)
        app.config["SECRET_KEY"] = "a different secret key of a good length, for this test"

        with pytest.raises(tokens.TokenError):
            tokens.token_user_id(tokens.CONFIRM_EMAIL, token)
