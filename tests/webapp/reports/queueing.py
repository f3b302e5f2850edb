"""Serving a test's own report queue (the `queue` fixture in conftest.py) when the test says.

`work` runs RQ's SimpleWorker on it, in this process, in burst mode, so a test sees a document
before and after it is made.
"""

from __future__ import annotations

import os
import re

import sqlalchemy as sa
from rq import Queue, SimpleWorker
from werkzeug.test import TestResponse

from tests.webapp.award_world import AwardWorld
from webapp.extensions import db
from webapp.models import IssuedReport, ReportJob

REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


def work(award: AwardWorld, jobs: Queue) -> None:
    """A report worker takes every job on the queue and runs it to its end."""
    worker = SimpleWorker([jobs], connection=jobs.connection)
    with award.app.app_context():
        from webapp.jobs.worker import use_app

        use_app(award.app)
        assert worker.work(burst=True)


def count(award: AwardWorld, model: type[ReportJob] | type[IssuedReport]) -> int:
    with award.app.app_context():
        return len(db.session.scalars(sa.select(model)).all())


def refresh_target(response: TestResponse) -> tuple[str, str]:
    found = re.search(
        r'<meta http-equiv="refresh" content="(\d+); url=([^"]+)">', response.get_data(as_text=True)
    )
    assert found is not None, "the page does not refresh itself"
    return found.group(1), found.group(2)
