"""Issuing a round's assessment summaries as a job: who may, when, one at a time, and what is kept.

`run_job` is called directly here (the thread it normally runs in is tested in test_jobs.py).
"""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy.exc import IntegrityError

from tests.webapp.award_world import CLOSES_AT, EVALUATED, PROVIDERS, AwardWorld
from tests.webapp.board.states import evaluated
from webapp.audit.log import verify_log
from webapp.extensions import db
from webapp.models import AuditEvent, BidStatus, IssuedReport, ReportJob, ReportJobStatus, User
from webapp.services.issued_reports import issued_for_round, issued_path, issued_pdf, latest_issued
from webapp.services.report_jobs import (
    ASSESSMENT_SUMMARIES,
    NOT_TAKEN_ERROR,
    STALE_ERROR,
    JobAlreadyRunningError,
    ReportJobNotAllowedError,
    ReportJobRefusedError,
    start_summaries_job,
    unfinished_job,
)
from webapp.services.report_runs import run_job
from webapp.services.results import round_inputs


def queued_job(
    award: AwardWorld, status: ReportJobStatus = ReportJobStatus.QUEUED, attempts: int = 0
) -> int:
    """A job row written directly, as `start_summaries_job` would before it is queued."""
    with award.app.app_context():
        job = ReportJob(
            round_id=award.round_id,
            kind=ASSESSMENT_SUMMARIES,
            requested_by_id=award.commissioner.id,
            status=status.value,
            attempts=attempts,
            created_at=award.now,
            started_at=award.now if status == ReportJobStatus.RUNNING else None,
            progressed_at=award.now if status == ReportJobStatus.RUNNING else None,
        )
        db.session.add(job)
        db.session.commit()
        return job.id


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


# --- the whole job ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_job_issues_one_summary_per_bid_kept_with_its_hashes(award: AwardWorld) -> None:
    evaluated(award)
    job_id = queued_job(award)
    with award.app.app_context():
        job = run_job(job_id)
        assert job is not None
        assert (job.status, job.error) == (ReportJobStatus.DONE.value, None)
        round_ = award.round()
        digest = round_inputs(round_).digest
        assert (job.total, job.done, job.inputs_digest) == (len(PROVIDERS), len(PROVIDERS), digest)
        assert job.started_at is not None
        assert job.finished_at is not None

        issued = list(db.session.scalars(sa.select(IssuedReport).order_by(IssuedReport.id)))
        assert sorted(r.bid_id for r in issued) == sorted(award.bid_ids.values())
        for row in issued:
            data = issued_path(row).read_bytes()
            assert row.pdf_sha256 == "sha256:" + hashlib.sha256(data).hexdigest()
            assert issued_pdf(row) == data
            assert row.inputs_digest == digest
            assert row.job_id == job_id
            assert row.created_by_id == award.commissioner.id
            assert row.pages == len(PdfReader(io.BytesIO(data)).pages)
            assert row.filename.startswith("assessment-summary-cw-2027-0001-")
            assert row.filename.endswith(".pdf")
            assert row.bid is not None
            assert f"Assessment summary for {row.bid.organisation.name}" in pdf_text(data)
            assert latest_issued(round_, row.bid) == row
        assert issued_for_round(round_) == sorted(issued, key=lambda r: r.bid.organisation.name)

        [event] = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "report.issued")
        ).all()
        assert event.subject == f"report_job:{job_id}"
        assert event.actor_id == award.commissioner.id
        assert event.round_id == award.round_id
        assert event.summary == f"4 assessment summaries issued from inputs {digest}"
        assert verify_log().ok


def test_a_job_that_fails_ends_failed_with_the_error_and_issues_nothing(
    award: AwardWorld,
) -> None:
    # A stored mark off the framework's scale: the round cannot be scored.
    award.mark_all(points={EVALUATED[0]: 99})
    job_id = queued_job(award)
    with award.app.app_context():
        job = run_job(job_id)
        assert job is not None
        assert job.status == ReportJobStatus.FAILED.value
        assert job.error is not None
        assert "RoundInputError" in job.error
        assert "99" in job.error
        assert job.finished_at is not None
        assert db.session.scalars(sa.select(IssuedReport)).all() == []
        assert unfinished_job(award.round()) is None


@pytest.mark.parametrize("status", [ReportJobStatus.DONE, ReportJobStatus.FAILED])
def test_a_finished_job_is_not_run_again(award: AwardWorld, status: ReportJobStatus) -> None:
    job_id = queued_job(award, status, attempts=1)
    with award.app.app_context():
        job = run_job(job_id)
        assert job is not None
        assert (job.status, job.attempts) == (status.value, 1)
        assert db.session.scalars(sa.select(IssuedReport)).all() == []
        assert run_job(job_id + 1000) is None


@pytest.mark.slow
def test_a_job_whose_worker_died_runs_again_until_its_retries_are_spent(
    award: AwardWorld,
) -> None:
    """A job left running by a dead worker is retried when its queue hands it out again."""
    assert award.app.config["REPORT_JOB_RETRIES"] == 1
    retried = queued_job(award, ReportJobStatus.RUNNING, attempts=1)
    with award.app.app_context():
        job = run_job(retried)
        assert job is not None
        assert (job.status, job.attempts) == (ReportJobStatus.DONE.value, 2)
    spent = queued_job(award, ReportJobStatus.RUNNING, attempts=2)
    with award.app.app_context():
        job = run_job(spent)
        assert job is not None
        assert (job.status, job.attempts) == (ReportJobStatus.FAILED.value, 2)
        assert job.error is not None
        assert "stopped without finishing 2 times" in job.error


# --- starting: who, when, one at a time --------------------------------------------------------


@pytest.mark.parametrize("who", ["evaluator", "board", "provider"])
def test_only_commissioners_and_administrators_may_start(award: AwardWorld, who: str) -> None:
    people: dict[str, User] = {
        "evaluator": award.evaluators[0],
        "board": award.board,
        "provider": award.providers[PROVIDERS[0]],
    }
    with award.app.app_context(), pytest.raises(ReportJobNotAllowedError):
        start_summaries_job(award.round(), db.session.merge(people[who]))
    assert award.rows(ReportJob) == []


def test_a_round_still_open_is_refused(award: AwardWorld) -> None:
    award.now = CLOSES_AT - timedelta(minutes=1)
    with award.app.app_context(), pytest.raises(ReportJobRefusedError, match="after the round"):
        start_summaries_job(award.round(), db.session.merge(award.commissioner))
    assert award.rows(ReportJob) == []


def test_a_round_without_submitted_bids_is_refused(award: AwardWorld) -> None:
    with award.app.app_context():
        for key in PROVIDERS:
            award.bid(key).status = BidStatus.WITHDRAWN.value
        db.session.commit()
        with pytest.raises(ReportJobRefusedError, match="no submitted bids"):
            start_summaries_job(award.round(), db.session.merge(award.commissioner))
    assert award.rows(ReportJob) == []


def test_a_second_job_is_refused_while_one_is_running(award: AwardWorld) -> None:
    running = queued_job(award, ReportJobStatus.RUNNING)
    with award.app.app_context():
        with pytest.raises(JobAlreadyRunningError) as refused:
            start_summaries_job(award.round(), db.session.merge(award.admin))
        assert refused.value.job.id == running
    assert [j.id for j in award.rows(ReportJob)] == [running]


def test_the_database_keeps_one_unfinished_job_per_round(award: AwardWorld) -> None:
    queued_job(award)
    with pytest.raises(IntegrityError):
        queued_job(award)
    queued_job(award, ReportJobStatus.DONE)
    queued_job(award, ReportJobStatus.FAILED)
    assert len(award.rows(ReportJob)) == 3


def test_a_running_job_without_a_heartbeat_for_30_seconds_is_failed_when_read(
    award: AwardWorld,
) -> None:
    job_id = queued_job(award, ReportJobStatus.RUNNING)
    award.now += timedelta(seconds=25)
    with award.app.app_context():
        assert unfinished_job(award.round()) is not None
    award.now += timedelta(seconds=10)
    with award.app.app_context():
        assert unfinished_job(award.round()) is None
        job = db.session.get(ReportJob, job_id)
        assert job is not None
        assert job.status == ReportJobStatus.FAILED.value
        assert job.error == STALE_ERROR


def test_a_queued_job_no_worker_takes_is_given_up_after_ten_minutes(award: AwardWorld) -> None:
    job_id = queued_job(award)
    award.now += timedelta(minutes=9)
    with award.app.app_context():
        assert unfinished_job(award.round()) is not None
    award.now += timedelta(minutes=2)
    with award.app.app_context():
        assert unfinished_job(award.round()) is None
        job = db.session.get(ReportJob, job_id)
        assert job is not None
        assert (job.status, job.error) == (ReportJobStatus.FAILED.value, NOT_TAKEN_ERROR)
