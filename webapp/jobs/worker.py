"""What runs a report job: in an RQ worker's process, or in a thread of the web process.

`perform` is the function RQ calls by name, in the work-horse process RQ forks for each job.
The horse uses the app of the worker that forked it (`use_app`, set by `flask jobs worker`) or
makes one (`create_app()`, configured from the environment like the web app), drops the
database connections it inherited from its parent when it was forked (a connection must not be
shared across a fork; a SimpleWorker runs jobs in its own process and keeps its pool), and
runs the job in an app context of its own, whose session is removed at the end.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from flask import Flask
from werkzeug.utils import import_string

__all__ = ["RUN_JOB", "perform", "run_in_context", "use_app"]

RUN_JOB = "webapp.services.report_runs:run_job"
"""The services' `run_job(job_id)`, named: the reports services queue jobs through this package,
so importing them here would make the two depend on each other."""

_worker_app: Flask | None = None
_worker_pid: int | None = None


def run_in_context(app: Flask, job_id: int) -> None:
    """Run the job to its end inside an app context of its own."""
    from webapp.extensions import db

    run_job: Callable[[int], object] = import_string(RUN_JOB)
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def use_app(app: Flask) -> None:
    """Run the jobs of this worker process in `app`."""
    global _worker_app, _worker_pid
    _worker_app = app
    _worker_pid = os.getpid()


def perform(job_id: int) -> None:
    """The RQ entry point: run report job `job_id` in this worker's app."""
    from webapp.extensions import db

    if _worker_app is None:
        from webapp import create_app

        use_app(create_app())
    assert _worker_app is not None
    if os.getpid() != _worker_pid:
        # A horse forked from the worker: its pooled connections are the parent's to close.
        with _worker_app.app_context():
            db.engine.dispose(close=False)
    run_in_context(_worker_app, job_id)
