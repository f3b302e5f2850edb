"""A board pack or summary is made by a report job, once per document, never inside a request.

The queue here is real: RQ on the Redis of the machine (TEST_REDIS_URL, else 127.0.0.1), on a
queue of each test's own that no worker serves until the test runs one (RQ's SimpleWorker, in
this process, in burst mode). Without Redis the same pages run their jobs in a thread: every
other report test downloads its PDFs that way (`downloads.fetched_pdf`).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from pypdf import PdfReader
from rq import Queue

from tests.webapp.award_world import AwardWorld
from tests.webapp.board.states import evaluated, page_text, submitted
from tests.webapp.conftest import parse_page
from tests.webapp.reports.queueing import count, refresh_target, work
from webapp.clock import as_utc
from webapp.extensions import db
from webapp.jobs.heartbeat import beating
from webapp.models import IssuedReport, ReportJob, ReportJobStatus
from webapp.services.issued_reports import BOARD_PACK, issued_pdf
from webapp.services.report_documents import prepare_board_pack
from webapp.services.report_jobs import STALE_ERROR

ROOT = Path(__file__).resolve().parents[3]


def urls(award: AwardWorld) -> dict[str, str]:
    base = f"/commissioning/rounds/{award.round_id}/reports"
    return {"pdf": f"{base}/board-pack.pdf", "download": f"{base}/board-pack/download"}


def with_the_board(award: AwardWorld) -> FlaskClient:
    evaluated(award)
    submitted(award)
    return award.client_for(award.board)


def test_the_pdf_is_queued_not_rendered_and_served_from_the_store_once_made(
    award: AwardWorld, queue: Queue
) -> None:
    board = with_the_board(award)
    pdf, download = urls(award)["pdf"], urls(award)["download"]

    # Before it is made, the PDF's own address sends the person to its download page.
    first = board.get(pdf)
    assert first.status_code == 302
    assert first.headers["Location"] == download
    assert count(award, ReportJob) == 0  # following the link is what asks for it

    making = board.get(download)
    assert making.status_code == 200
    page = parse_page(making)
    assert page.h1s == ["Your board pack PDF is being made"]
    assert page.duplicate_ids == []
    html = making.get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html  # no timed refresh (WCAG 2.2.1): see below
    assert f'data-app-poll-url="{download}" data-app-poll="2"' in html  # the script looks again
    assert page.links.count(download) == 1  # and without it, "Look again" does
    text = page_text(making)
    assert "We are making the board pack for CW-2027-0001: Homecare, Lot 1 as a PDF." in text
    assert "Waiting for its turn." in text
    assert queue.count == 1  # on the queue for a worker: nothing was rendered in the request
    assert count(award, IssuedReport) == 0

    # Looking again, or asking again from another page, joins the same job.
    assert board.get(download).status_code == 200
    assert award.client_for(award.commissioner).get(download).status_code == 200
    assert (queue.count, count(award, ReportJob)) == (1, 1)
    assert board.get(pdf).status_code == 302

    work(award, queue)

    ready = board.get(download)
    assert parse_page(ready).h1s == ["Your board pack PDF is ready"]
    assert refresh_target(ready) == ("0", pdf)  # the download starts by itself
    assert f'data-app-file="{pdf}"' in ready.get_data(as_text=True)  # and in the script
    assert pdf in parse_page(ready).links
    served = board.get(pdf)
    assert served.status_code == 200
    assert served.mimetype == "application/pdf"
    assert (
        served.headers["Content-Disposition"]
        == 'attachment; filename="CW-2027-0001-board-pack.pdf"'
    )
    reader = PdfReader(io.BytesIO(served.get_data()))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert "Homecare, Lot 1" in (reader.pages[0].extract_text() or "")

    # Served from the store from now on: no second job, no second PDF.
    assert board.get(pdf).get_data() == served.get_data()
    assert board.get(download).status_code == 200
    assert (queue.count, count(award, ReportJob), count(award, IssuedReport)) == (0, 1, 1)
    with award.app.app_context():
        [job] = db.session.scalars(sa.select(ReportJob)).all()
        [issued] = db.session.scalars(sa.select(IssuedReport)).all()
        assert (job.status, job.kind, job.attempts) == (ReportJobStatus.DONE.value, BOARD_PACK, 1)
        assert issued.job_id == job.id
        assert issued.source_sha256 == prepare_board_pack(award.round()).source_sha256


def test_a_changed_mark_makes_a_new_pack(award: AwardWorld, queue: Queue) -> None:
    board = with_the_board(award)
    pdf, download = urls(award)["pdf"], urls(award)["download"]
    board.get(download)
    work(award, queue)
    assert board.get(pdf).status_code == 200
    award.now += timedelta(days=1)  # the pack is dated: tomorrow's is another document
    assert board.get(pdf).status_code == 302
    board.get(download)
    assert (queue.count, count(award, ReportJob)) == (1, 2)


def test_a_failed_job_shows_its_error_and_is_tried_again_only_when_asked(
    award: AwardWorld, queue: Queue
) -> None:
    board = with_the_board(award)
    download = urls(award)["download"]
    with award.app.app_context():
        db.session.add(
            ReportJob(
                round_id=award.round_id,
                kind=BOARD_PACK,
                subject="",
                requested_by_id=award.board.id,
                status=ReportJobStatus.FAILED.value,
                error="OSError: No space left on device",
                source_sha256=prepare_board_pack(award.round()).source_sha256,
                created_at=award.now,
                finished_at=award.now,
            )
        )
        db.session.commit()
    failed = board.get(download)
    page = parse_page(failed)
    assert page.h1s == ["Your board pack PDF could not be made"]
    assert "OSError: No space left on device" in page_text(failed)
    assert "#job-error" in page.links
    assert "http-equiv" not in failed.get_data(as_text=True)  # it does not look again by itself
    assert queue.count == 0
    assert f"{download}?again=1" in page.links
    again = board.get(f"{download}?again=1")
    assert parse_page(again).h1s == ["Your board pack PDF is being made"]
    assert (queue.count, count(award, ReportJob)) == (1, 2)


@pytest.mark.parametrize("who", ["evaluator", "provider"])
def test_nobody_else_can_ask_for_the_pack(award: AwardWorld, queue: Queue, who: str) -> None:
    with_the_board(award)
    person = award.evaluators[0] if who == "evaluator" else next(iter(award.providers.values()))
    response = award.client_for(person).get(urls(award)["download"])
    assert response.status_code in (403, 404)
    assert (queue.count, count(award, ReportJob)) == (0, 0)


def test_a_running_job_is_stamped_while_it_runs(award: AwardWorld) -> None:
    award.app.config["REPORT_JOB_HEARTBEAT_SECONDS"] = 0.05
    with award.app.app_context():
        job = ReportJob(
            round_id=award.round_id,
            kind=BOARD_PACK,
            requested_by_id=award.board.id,
            status=ReportJobStatus.RUNNING.value,
            created_at=award.now,
            progressed_at=award.now - timedelta(hours=1),
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    with beating(award.app, job_id):
        time.sleep(0.5)
    with award.app.app_context():
        stamped = db.session.get(ReportJob, job_id)
        assert stamped is not None
        assert stamped.progressed_at is not None
        assert as_utc(stamped.progressed_at) == as_utc(award.now)  # the app's clock, stamped


def test_the_worker_command_needs_a_queue(award: AwardWorld) -> None:
    result = award.app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set, so there is no queue to take jobs from" in result.output


@pytest.mark.slow
def test_a_worker_process_makes_the_queued_pack(award: AwardWorld, queue: Queue) -> None:
    """`flask jobs worker` in a process of its own: RQ forks a work horse per job, which runs it
    on its own database connections and keeps the PDF where the web app serves it from."""
    board = with_the_board(award)
    board.get(urls(award)["download"])
    assert queue.count == 1
    config = award.app.config
    settings = {
        key: config[key]
        for key in (
            "SQLALCHEMY_DATABASE_URI",
            "SQLALCHEMY_ENGINE_OPTIONS",
            "UPLOAD_FOLDER",
            "SECRET_KEY",
            "AUDIT_HMAC_KEY",
            "REDIS_URL",
            "REPORT_QUEUE",
        )
    }
    environment = {**os.environ, "COMMONWEAL_ENV": "development", "PYTHONPATH": str(ROOT)}
    environment.pop("DATABASE_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            f"webapp:create_app({settings!r})",
            "jobs",
            "worker",
            "--burst",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert queue.count == 0
    with award.app.app_context():
        [job] = db.session.scalars(sa.select(ReportJob)).all()
        assert job.status == ReportJobStatus.DONE.value, job.error
        [issued] = db.session.scalars(sa.select(IssuedReport)).all()
        data = issued_pdf(issued)
        assert data is not None
        assert len(PdfReader(io.BytesIO(data)).pages) == issued.pages >= 8


WORKER_ON_THE_TESTS_CLOCK = """
import datetime, sys, time
from webapp import create_app
from webapp.jobs.cli import work
from webapp.services import report_runs
settings, base, started = eval(sys.argv[1])
make_pack = report_runs.RUNNERS["board_pack"]
report_runs.RUNNERS["board_pack"] = lambda job: (time.sleep(120), make_pack(job))  # a long job
app = create_app(settings)
app.config["CLOCK"] = lambda: base + datetime.timedelta(seconds=time.time() - started)
work(app)
"""


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: Linux, where the suite runs)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.slow
def test_a_killed_worker_shows_as_a_failure_within_seconds(award: AwardWorld, queue: Queue) -> None:
    """A worker and its work horse killed while the job runs (SIGKILL: no clean-up of any
    kind) leave a job marked running; its heartbeat stops, and the download page says so once
    the stamp is older than REPORT_JOB_STALE_AFTER (30 s in production; 3 s here, with a beat
    every half second)."""
    board = with_the_board(award)
    started, base = time.time(), award.now
    # The web app and the worker read one clock: the tests' morning, moving in real time.
    award.app.config["CLOCK"] = lambda: base + timedelta(seconds=time.time() - started)
    award.app.config["REPORT_JOB_STALE_AFTER"] = timedelta(seconds=3)
    download = urls(award)["download"]
    board.get(download)
    config = award.app.config
    settings = {
        key: config[key]
        for key in (
            "SQLALCHEMY_DATABASE_URI",
            "SQLALCHEMY_ENGINE_OPTIONS",
            "UPLOAD_FOLDER",
            "SECRET_KEY",
            "AUDIT_HMAC_KEY",
            "REDIS_URL",
            "REPORT_QUEUE",
        )
    }
    settings["REPORT_JOB_HEARTBEAT_SECONDS"] = 0.5
    environment = {**os.environ, "COMMONWEAL_ENV": "development", "PYTHONPATH": str(ROOT)}
    environment.pop("DATABASE_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER_ON_THE_TESTS_CLOCK, repr((settings, base, started))],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        status = ReportJobStatus.QUEUED.value
        give_up = time.monotonic() + 120
        while status != ReportJobStatus.RUNNING.value:
            assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
            assert time.monotonic() < give_up, "no worker took the job"
            time.sleep(0.05)
            with award.app.app_context():
                status = db.session.scalars(sa.select(ReportJob.status)).one()
        # Alive and beating, the job outlives REPORT_JOB_STALE_AFTER and is still being made.
        time.sleep(4)
        assert parse_page(board.get(download)).h1s == ["Your board pack PDF is being made"]
    finally:
        # RQ puts the work horse in a process group of its own: kill it and its worker.
        for pid in [*children_of(worker.pid), worker.pid]:
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=30)
        if worker.stderr:
            worker.stderr.close()
    killed = time.monotonic()
    while True:
        page = board.get(download)
        if parse_page(page).h1s != ["Your board pack PDF is being made"]:
            break
        assert time.monotonic() - killed < 30, "the page still says the pack is being made"
        time.sleep(0.25)
    assert parse_page(page).h1s == ["Your board pack PDF could not be made"]
    assert STALE_ERROR in page_text(page)
    with award.app.app_context():
        [job] = db.session.scalars(sa.select(ReportJob)).all()
        assert job.status == ReportJobStatus.FAILED.value
        assert count(award, IssuedReport) == 0
