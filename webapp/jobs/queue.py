"""Getting a committed report job run: on the RQ queue when there is Redis, else in a thread."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa
from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry

from webapp.jobs.worker import run_in_context

__all__ = [
    "RUNNER",
    "enqueue",
    "queue_name",
    "redis_connection",
    "report_queue",
    "uses_rq",
    "wait_for_threads",
]

RUNNER = "webapp.jobs.worker.perform"
"""What a worker runs, by name: RQ stores the name, so the queue needs no import of it."""


def uses_rq(app: Flask) -> bool:
    return bool(app.config.get("REDIS_URL"))


def redis_connection(app: Flask) -> Redis:
    return Redis.from_url(app.config["REDIS_URL"])


def queue_name(app: Flask) -> str:
    """The RQ queue of report jobs: `REPORT_QUEUE` ("reports")."""
    return str(app.config["REPORT_QUEUE"])


def report_queue(app: Flask) -> Queue:
    return Queue(queue_name(app), connection=redis_connection(app))


def enqueue(job_id: int) -> None:
    """Have the committed job `job_id` run: queued for an RQ worker, or started in a thread.

    On RQ the job gets `REPORT_JOB_TIMEOUT` seconds and `REPORT_JOB_RETRIES` retries after a
    crash of its worker's process; the RQ job id is `report-<id>`, so queueing a job twice
    (after a retry of our own) replaces nothing that is running.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if uses_rq(app):
        retries = int(app.config["REPORT_JOB_RETRIES"])
        report_queue(app).enqueue(
            RUNNER,
            job_id,
            job_id=f"report-{job_id}",
            job_timeout=int(app.config["REPORT_JOB_TIMEOUT"]),
            retry=Retry(max=retries) if retries else None,
            failure_ttl=7 * 24 * 3600,
        )
        return
    if _in_memory_sqlite(app):
        # Another thread would open a different, empty in-memory database: run it here.
        run_in_context(app, job_id)
        return
    thread = threading.Thread(
        target=run_in_context, args=(app, job_id), name=f"report-job-{job_id}", daemon=True
    )
    threads = _threads(app)
    threads[:] = [running for running in threads if running.is_alive()]
    threads.append(thread)
    thread.start()


def wait_for_threads(app: Flask, timeout: float = 120.0) -> list[threading.Thread]:
    """Wait up to `timeout` seconds for the app's job threads to end; return any still running.

    For a clean stop of the process that started them (and for tests, before their database
    goes): a job cut off by the end of its process would be reported stale, not lost.
    """
    deadline = time.monotonic() + timeout
    for thread in _threads(app):
        thread.join(max(0.0, deadline - time.monotonic()))
    return [thread for thread in _threads(app) if thread.is_alive()]


def _threads(app: Flask) -> list[threading.Thread]:
    threads: list[threading.Thread] = app.extensions.setdefault("report_job_threads", [])
    return threads


def _in_memory_sqlite(app: Flask) -> bool:
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
