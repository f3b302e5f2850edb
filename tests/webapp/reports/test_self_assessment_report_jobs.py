"""A provider's self-assessment report is made by a report job, once per state of its answers.

It belongs to no round: its job and its stored PDF name the self-assessment instead, and only
that provider's organisation ever gets it. The queue is real (RQ on the machine's Redis, on a
queue of the test's own, served when the test says).
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader
from rq import Queue

from tests.webapp.award_world import AwardWorld
from tests.webapp.board.states import page_text
from tests.webapp.conftest import parse_page
from tests.webapp.reports.queueing import count, refresh_target, work
from webapp.extensions import db
from webapp.models import IssuedReport, ReportJob, ReportJobStatus, SelfAssessment
from webapp.services.issued_reports import SELF_ASSESSMENT_REPORT

PDF = "/provider/self-assessment/report.pdf"
DOWNLOAD = "/provider/self-assessment/report/download"
OWN, OTHER = "kestrel", "hollin-brook"
NAME = "Kestrel Home Care (Employee Owned) Ltd"


def test_the_report_is_queued_not_rendered_and_served_from_the_store_once_made(
    award: AwardWorld, queue: Queue
) -> None:
    provider = award.client_for(award.providers[OWN])

    first = provider.get(PDF)
    assert first.status_code == 302
    assert first.headers["Location"] == DOWNLOAD
    assert count(award, ReportJob) == 0  # following the link is what asks for it

    making = provider.get(DOWNLOAD)
    assert making.status_code == 200
    page = parse_page(making)
    assert page.h1s == ["Your self-assessment report PDF is being made"]
    assert page.duplicate_ids == []
    text = page_text(making)
    assert f"We are making the self-assessment report for {NAME} as a PDF." in text
    assert "Waiting for its turn." in text
    assert "Back to your self-assessment results" in text
    assert queue.count == 1  # on the queue for a worker: nothing was rendered in the request
    assert count(award, IssuedReport) == 0

    assert provider.get(DOWNLOAD).status_code == 200  # looking again joins the same job
    assert (queue.count, count(award, ReportJob)) == (1, 1)

    work(award, queue)

    ready = provider.get(DOWNLOAD)
    assert parse_page(ready).h1s == ["Your self-assessment report PDF is ready"]
    assert refresh_target(ready) == ("0", PDF)
    served = provider.get(PDF)
    assert served.status_code == 200
    assert served.mimetype == "application/pdf"
    assert served.headers["Cache-Control"] == "private, no-store"
    filename = served.headers["Content-Disposition"]
    assert filename.startswith('attachment; filename="self-assessment-Kestrel-Home-Care-')
    reader = PdfReader(io.BytesIO(served.get_data()))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.metadata is not None
    assert reader.metadata.title == f"Self-assessment report for {NAME}"

    assert provider.get(PDF).get_data() == served.get_data()  # from the store: no second job
    assert (queue.count, count(award, ReportJob), count(award, IssuedReport)) == (0, 1, 1)
    with award.app.app_context():
        [job] = db.session.scalars(sa.select(ReportJob)).all()
        [issued] = db.session.scalars(sa.select(IssuedReport)).all()
        [assessment] = db.session.scalars(sa.select(SelfAssessment)).all()
        assert (job.kind, job.status) == (SELF_ASSESSMENT_REPORT, ReportJobStatus.DONE.value)
        assert (job.round_id, job.self_assessment_id) == (None, assessment.id)
        assert job.subject == f"self-assessment:{assessment.id}"
        assert (issued.round_id, issued.self_assessment_id) == (None, assessment.id)
        assert issued.job_id == job.id


def test_a_changed_answer_makes_a_new_report(award: AwardWorld, queue: Queue) -> None:
    provider = award.client_for(award.providers[OWN])
    provider.get(DOWNLOAD)
    work(award, queue)
    assert provider.get(PDF).status_code == 200
    with award.app.app_context():
        [assessment] = db.session.scalars(sa.select(SelfAssessment)).all()
        answers = dict(assessment.answers)
        answers["q_cqc_provider_id"] = "1-999999999"
        assessment.answers = answers
        db.session.commit()
    assert provider.get(PDF).status_code == 302  # the report made before is not this one
    provider.get(DOWNLOAD)
    assert (queue.count, count(award, ReportJob)) == (1, 2)


def test_each_provider_gets_its_own_organisations_report_only(
    award: AwardWorld, queue: Queue
) -> None:
    own = award.client_for(award.providers[OWN])
    other = award.client_for(award.providers[OTHER])
    own.get(DOWNLOAD)
    work(award, queue)
    own_pdf = own.get(PDF).get_data()

    # The other provider's address is the same, but it is asked for its own report.
    assert other.get(PDF).status_code == 302
    other.get(DOWNLOAD)
    work(award, queue)
    other_pdf = other.get(PDF)
    assert other_pdf.status_code == 200
    assert other_pdf.get_data() != own_pdf
    text = "".join(
        page.extract_text() or "" for page in PdfReader(io.BytesIO(other_pdf.data)).pages
    )
    assert NAME not in text
    with award.app.app_context():
        jobs = db.session.scalars(sa.select(ReportJob).order_by(ReportJob.id)).all()
        owners = {job.self_assessment_id for job in jobs}
        assert len(jobs) == len(owners) == 2
