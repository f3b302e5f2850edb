"""Fixtures for the hostile-input tests: the provider bid journey, driven through real pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.provider.bidding import BidWorld
from webapp.models import User


@pytest.fixture
def world(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
) -> BidWorld:
    return BidWorld(app, client, make_user, sign_in)
