"""Sign-in limits kept in Redis, as in production: shared by every worker process.

Runs when TEST_REDIS_URL names a Redis server (CI sets it). The sign-in counters' keys are
removed before and after, so what the test finds was written by this test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
import redis
from flask.testing import FlaskClient

from config import TestingConfig
from tests.webapp.forms_helper import csrf_token_of
from webapp import create_app
from webapp.extensions import db
from webapp.models import Role, User

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to test Redis limits")


SIGN_IN_KEYS = "*auth.sign_in*"


@pytest.fixture
def redis_server() -> Iterator[redis.Redis]:
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(SIGN_IN_KEYS):
        server.delete(key)
    yield server
    for key in server.scan_iter(SIGN_IN_KEYS):
        server.delete(key)
    server.close()


def test_sign_in_attempts_are_counted_in_redis_and_the_eleventh_is_refused(
    app_config: TestingConfig,
    make_user: Callable[..., User],
    redis_server: redis.Redis,
) -> None:
    app_config.RATELIMIT_STORAGE_URI = REDIS_URL
    app = create_app(app_config)
    try:
        user = make_user(Role.PROVIDER)
        client: FlaskClient = app.test_client()
        token = csrf_token_of(client, "/sign-in")
        attempt = {"email": user.email, "password": "wrong password", "csrf_token": token}

        statuses = [client.post("/sign-in", data=attempt).status_code for _ in range(11)]
        keys = list(redis_server.scan_iter(SIGN_IN_KEYS))
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    assert statuses == [200] * 10 + [429]
    assert keys, "the attempts were not counted in Redis"
