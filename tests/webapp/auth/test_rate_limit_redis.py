"""Sign-in limits kept in Redis, as in production: shared by every worker process.

Runs when TEST_REDIS_URL names a Redis server (CI sets it). The sign-in counters' keys are
removed before and after, so what the test finds was written by this test. Two server processes
stand for two gunicorn workers: with Redis the eleventh bad password is refused whichever worker
gets it; with `memory://` (which production refuses) each worker counts on its own.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from flask import Flask
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


WORKER = Path(__file__).with_name("limit_worker.py")
PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def start_workers(app: Flask) -> Iterator[Callable[[str], list[str]]]:
    """Start two server processes on the test's database; returns their base URLs."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("the worker processes share the SQLite file of the test")
    processes: list[subprocess.Popen[str]] = []

    def start(limits_uri: str) -> list[str]:
        bases = []
        for _ in range(2):
            process = subprocess.Popen(
                [sys.executable, str(WORKER), url, limits_uri],
                cwd=PROJECT_ROOT,
                env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
                stdout=subprocess.PIPE,
                text=True,
            )
            processes.append(process)
            assert process.stdout is not None
            port = process.stdout.readline().strip()
            assert port.isdigit(), f"worker did not start: {port!r}"
            bases.append(f"http://127.0.0.1:{port}")
        return bases

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def bad_passwords_across(bases: list[str], email: str, count: int) -> list[int]:
    """`count` wrong passwords for `email`, sent to each worker in turn from one browser."""
    with httpx.Client(timeout=30) as browser:
        page = browser.get(f"{bases[0]}/sign-in").text
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert match, "no CSRF token on the sign-in page"
        data = {"email": email, "password": "wrong password", "csrf_token": match.group(1)}
        return [
            browser.post(f"{bases[n % len(bases)]}/sign-in", data=data).status_code
            for n in range(count)
        ]


def test_two_workers_sharing_redis_refuse_the_eleventh_bad_password_between_them(
    make_user: Callable[..., User],
    redis_server: redis.Redis,
    start_workers: Callable[[str], list[str]],
) -> None:
    user = make_user(Role.PROVIDER)
    bases = start_workers(REDIS_URL)

    statuses = bad_passwords_across(bases, user.email, 11)

    assert statuses == [200] * 10 + [429]


def test_two_workers_counting_in_memory_each_allow_ten(
    make_user: Callable[..., User],
    start_workers: Callable[[str], list[str]],
) -> None:
    # Why production refuses memory://: the limit doubles with two workers.
    user = make_user(Role.PROVIDER)
    bases = start_workers("memory://")

    statuses = bad_passwords_across(bases, user.email, 21)

    assert statuses == [200] * 20 + [429]
