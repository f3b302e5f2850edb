"""`flask --app webapp jobs worker`: a report worker taking jobs from the RQ queue."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from rq import Worker

from webapp.jobs.queue import queue_name, redis_connection, uses_rq
from webapp.jobs.worker import use_app

__all__ = ["jobs_cli", "work"]


@click.group("jobs", help="Background jobs that make reports.")
def jobs_cli() -> None:
    pass


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Take report jobs from the REPORT_QUEUE queue on REDIS_URL and run them, until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not uses_rq(app):
        raise click.ClickException(
            "REDIS_URL is not set, so there is no queue to take jobs from: the web app runs "
            "its report jobs itself. Set REDIS_URL (for example redis://127.0.0.1:6379/0) for "
            "the web app and the workers alike."
        )
    work(app, burst=burst, say=click.echo)


def work(app: Flask, *, burst: bool = False, say: Callable[[str], object] = print) -> None:
    """Be a report worker for `app`: take jobs from its queue until stopped (or, with `burst`,
    until the queue is empty). RQ forks a work horse for each job, which runs it in `app`."""
    use_app(app)
    name = queue_name(app)
    worker = Worker([name], connection=redis_connection(app))
    say(f"==> Report worker {worker.name} taking jobs from the '{name}' queue")
    worker.work(burst=burst, with_scheduler=False)
