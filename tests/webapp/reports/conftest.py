"""The report tests' queue: RQ on the machine's Redis, on a queue of each test's own.

`queue` points the app's report jobs at an RQ queue that no worker serves (TEST_REDIS_URL, else
127.0.0.1) until the test runs one with `queueing.work`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Queue

from tests.webapp.award_world import AwardWorld
from tests.webapp.reports.queueing import REDIS_URL


@pytest.fixture
def queue(award: AwardWorld) -> Iterator[Queue]:
    """The app's report jobs go to an RQ queue of this test's own, with no worker yet."""
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except OSError as error:  # pragma: no cover - Redis runs wherever the suite runs
        pytest.fail(f"Redis is not answering on {REDIS_URL}: {error}")
    name = f"test-reports-{uuid.uuid4().hex}"
    award.app.config.update(REDIS_URL=REDIS_URL, REPORT_QUEUE=name)
    jobs = Queue(name, connection=connection)
    try:
        yield jobs
    finally:
        jobs.empty()
        jobs.delete(delete_jobs=True)
        connection.close()
