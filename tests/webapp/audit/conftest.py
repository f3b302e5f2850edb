"""Fixtures for the audit trail's tests: the commissioning fixtures and a provider's bid journey."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.commissioning.conftest import (  # noqa: F401  (fixtures used here too)
    as_role,
    builtin_version,
    clock,
    make_round,
)
from tests.webapp.provider.bidding import BidWorld
from webapp.models import User


@pytest.fixture
def world(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
) -> BidWorld:
    """Rounds, a provider and its bids, driven through the real pages."""
    return BidWorld(app, client, make_user, sign_in)
