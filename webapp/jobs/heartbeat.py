"""A running job's heartbeat: its `progressed_at` stamped every few seconds while it runs.

Rendering one board pack reports no progress for many seconds; without a heartbeat a job would
have to be given minutes before anyone could tell that its worker had died. With one, a running
job whose stamp is older than `REPORT_JOB_STALE_AFTER` has lost its worker, whatever it makes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from webapp.clock import now
from webapp.extensions import db
from webapp.models import ReportJob, ReportJobStatus

__all__ = ["beating"]


@contextmanager
def beating(app: Flask, job_id: int) -> Iterator[None]:
    """Stamp job `job_id` every `REPORT_JOB_HEARTBEAT_SECONDS` until the block ends."""
    interval = float(app.config["REPORT_JOB_HEARTBEAT_SECONDS"])
    stop = threading.Event()

    def beat() -> None:
        with app.app_context():
            try:
                while not stop.wait(interval):
                    db.session.execute(
                        sa.update(ReportJob)
                        .where(
                            ReportJob.id == job_id,
                            ReportJob.status == ReportJobStatus.RUNNING.value,
                        )
                        .values(progressed_at=now())
                    )
                    db.session.commit()
            finally:
                db.session.remove()

    thread = threading.Thread(target=beat, name=f"report-job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 10)
