"""Sign-in limits kept in Redis, as in production: shared by every worker process.

Runs when TEST_REDIS_URL names a Redis server (CI sets it); the keys live under a prefix of
this test's own and are deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
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


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"commonweal-test-{uuid.uuid4().hex}"
    yield prefix
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
    server.close()


def test_sign_in_attempts_are_counted_in_redis_and_the_eleventh_is_refused(
    app_config: TestingConfig,
    make_user: Callable[..., User],
    redis_prefix: str,
) -> None:
    app_config.RATELIMIT_STORAGE_URI = REDIS_URL
    app_config.RATELIMIT_KEY_PREFIX = redis_prefix
    app = create_app(app_config)
    try:
        user = make_user(Role.PROVIDER)
        client: FlaskClient = app.test_client()
        token = csrf_token_of(client, "/sign-in")
        attempt = {"email": user.email, "password": "wrong password", "csrf_token": token}

        statuses = [client.post("/sign-in", data=attempt).status_code for _ in range(11)]
        server = redis.Redis.from_url(REDIS_URL)
        keys = list(server.scan_iter(f"*{redis_prefix}*"))
        server.close()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    assert statuses == [200] * 10 + [429]
    assert keys, "the attempts were not counted in Redis"
