"""The pages that issue a round's assessment summaries: start, watch, download; and who may."""

from __future__ import annotations

import hashlib
import io
import re
import time
from datetime import timedelta
from html import unescape

import pytest
from flask import url_for
from flask.testing import FlaskClient
from pypdf import PdfReader
from werkzeug.test import TestResponse

from tests.webapp.award_world import CLOSES_AT, EVALUATED, PROVIDERS, AwardWorld
from tests.webapp.board.states import client_with_token, evaluated
from tests.webapp.forms_helper import csrf_token_in
from webapp.extensions import db
from webapp.models import IssuedReport, ReportJob, ReportJobStatus, User
from webapp.services.issued_reports import ASSESSMENT_SUMMARY, issued_folder
from webapp.services.report_jobs import ASSESSMENT_SUMMARIES
from webapp.services.results import round_inputs

POLL_TIMEOUT_SECONDS = 120


def urls(award: AwardWorld, job_id: int = 0, issued_id: int = 0) -> dict[str, str]:
    with award.app.test_request_context():
        return {
            "issue": url_for("reports.issue_summaries", id=award.round_id),
            "job": url_for("reports.summaries_job", id=award.round_id, job_id=job_id),
            "pdf": url_for("reports.issued_summary_pdf", id=award.round_id, issued_id=issued_id),
            "results": url_for("commissioning.results", id=award.round_id),
        }


def text_of(response: TestResponse) -> str:
    html = response.get_data(as_text=True)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def job_row(
    award: AwardWorld,
    status: ReportJobStatus,
    *,
    total: int = 0,
    done: int = 0,
    error: str | None = None,
) -> int:
    with award.app.app_context():
        job = ReportJob(
            round_id=award.round_id,
            kind=ASSESSMENT_SUMMARIES,
            requested_by_id=award.commissioner.id,
            status=status.value,
            total=total,
            done=done,
            error=error,
            created_at=award.now,
            started_at=award.now,
            progressed_at=award.now,
            finished_at=award.now
            if status in (ReportJobStatus.DONE, ReportJobStatus.FAILED)
            else None,
            inputs_digest="sha256:" + "c" * 64,
        )
        db.session.add(job)
        db.session.commit()
        return job.id


def issued_row(award: AwardWorld, job_id: int, key: str, pdf: bytes) -> int:
    """A stored summary as a finished job leaves it: the file under its hash, and its row."""
    sha256 = "sha256:" + hashlib.sha256(pdf).hexdigest()
    with award.app.app_context():
        (issued_folder() / sha256.removeprefix("sha256:")).write_bytes(pdf)
        row = IssuedReport(
            round_id=award.round_id,
            bid_id=award.bid_ids[key],
            job_id=job_id,
            kind=ASSESSMENT_SUMMARY,
            filename=f"assessment-summary-{key}.pdf",
            pdf_sha256=sha256,
            inputs_digest="sha256:" + "c" * 64,
            pages=3,
            created_at=award.now,
            created_by_id=award.commissioner.id,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def wait_until_finished(client: FlaskClient, url: str) -> TestResponse:
    deadline = time.monotonic() + POLL_TIMEOUT_SECONDS
    while True:
        response = client.get(url)
        assert response.status_code == 200
        if "data-app-poll=" not in response.get_data(as_text=True):
            return response
        assert time.monotonic() < deadline, (
            f"the job was not finished after {POLL_TIMEOUT_SECONDS}s"
        )
        time.sleep(0.5)


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["evaluator", "board", "provider"])
def test_only_commissioners_and_administrators_may_issue_watch_or_download(
    award: AwardWorld, who: str
) -> None:
    job_id = job_row(award, ReportJobStatus.DONE, total=1, done=1)
    issued_id = issued_row(award, job_id, PROVIDERS[0], b"%PDF-1.7 stored summary")
    person: User = {
        "evaluator": award.evaluators[0],
        "board": award.board,
        "provider": award.providers[PROVIDERS[0]],
    }[who]
    client, token = client_with_token(award, person)
    paths = urls(award, job_id, issued_id)
    assert client.post(paths["issue"], data={"csrf_token": token}).status_code == 403
    assert client.get(paths["job"]).status_code == 403
    assert client.get(paths["pdf"]).status_code == 403
    assert len(award.rows(ReportJob)) == 1


def test_signed_out_people_are_sent_to_sign_in(award: AwardWorld) -> None:
    job_id = job_row(award, ReportJobStatus.DONE)
    response = award.app.test_client().get(urls(award, job_id)["job"])
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_the_results_page_offers_the_button_to_managers_only(award: AwardWorld) -> None:
    paths = urls(award)
    for person in (award.commissioner, award.admin):
        html = award.client_for(person).get(paths["results"]).get_data(as_text=True)
        assert "Issue all assessment summaries" in html
        assert f'action="{paths["issue"]}"' in html
        assert csrf_token_in(html)
    award.approve()
    board_page = award.client_for(award.board).get(paths["results"])
    assert board_page.status_code == 200
    assert "Issue all assessment summaries" not in board_page.get_data(as_text=True)


# --- refusals ----------------------------------------------------------------------------------


def test_starting_while_a_job_runs_is_refused_with_a_link_to_it(award: AwardWorld) -> None:
    running = job_row(award, ReportJobStatus.RUNNING, total=4, done=1)
    client, token = client_with_token(award, award.commissioner)
    response = client.post(urls(award)["issue"], data={"csrf_token": token})
    assert response.status_code == 409
    text = text_of(response)
    assert "already being issued" in text
    assert urls(award, running)["job"] in response.get_data(as_text=True)
    assert [j.id for j in award.rows(ReportJob)] == [running]


def test_a_round_still_open_is_refused(award: AwardWorld) -> None:
    award.now = CLOSES_AT - timedelta(hours=1)
    client, token = client_with_token(award, award.admin)
    response = client.post(urls(award)["issue"], data={"csrf_token": token})
    assert response.status_code == 409
    assert "only be issued after the round has closed" in text_of(response)
    assert award.rows(ReportJob) == []


def test_a_post_without_the_csrf_token_starts_nothing(award: AwardWorld) -> None:
    response = award.client_for(award.commissioner).post(urls(award)["issue"])
    assert response.status_code == 400
    assert award.rows(ReportJob) == []


# --- the status page ---------------------------------------------------------------------------


def test_a_running_job_shows_its_progress_and_updates_itself(award: AwardWorld) -> None:
    job_id = job_row(award, ReportJobStatus.RUNNING, total=8, done=5)
    page = urls(award, job_id)["job"]
    response = award.client_for(award.commissioner).get(page)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The page's script looks again every 2 seconds; without it, a link does it by hand.
    # No timed <meta http-equiv="refresh">: WCAG 2.2.1 rules it out.
    assert 'http-equiv="refresh"' not in html
    assert f'data-app-state="running:5/8" data-app-poll-url="{page}" data-app-poll="2"' in html
    assert f'href="{page}" role="button" draggable="false" id="look-again"' in html
    assert 'max="8" value="5"' in html
    text = text_of(response)
    assert "Issuing assessment summaries: 5 of 8 done" in text
    assert "updates itself every 2 seconds" in text
    assert "Look again in a few seconds" in text
    assert "Download" not in text


def test_a_job_of_another_round_is_not_found(award: AwardWorld) -> None:
    job_id = job_row(award, ReportJobStatus.RUNNING)
    with award.app.test_request_context():
        elsewhere = url_for("reports.summaries_job", id=award.round_id + 1, job_id=job_id)
    assert award.client_for(award.commissioner).get(elsewhere).status_code == 404


def test_a_failed_job_shows_the_error_and_offers_to_start_again(award: AwardWorld) -> None:
    job_id = job_row(
        award, ReportJobStatus.FAILED, error="RoundInputError: mark 9 is off the scale"
    )
    response = award.client_for(award.commissioner).get(urls(award, job_id)["job"])
    html = response.get_data(as_text=True)
    assert "data-app-poll=" not in html  # nothing more to wait for
    text = text_of(response)
    assert "Assessment summaries not issued" in text
    assert "RoundInputError: mark 9 is off the scale" in text
    assert "Start again" in text
    assert f'action="{urls(award)["issue"]}"' in html


def test_a_finished_job_lists_each_summary_with_hashes_and_a_download(award: AwardWorld) -> None:
    job_id = job_row(award, ReportJobStatus.DONE, total=2, done=2)
    first = issued_row(award, job_id, PROVIDERS[0], b"%PDF-1.7 first")
    second = issued_row(award, job_id, PROVIDERS[1], b"%PDF-1.7 second")
    response = award.client_for(award.commissioner).get(urls(award, job_id)["job"])
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "Assessment summaries issued" in text
    assert "2 summaries issued" in text
    assert "data-app-poll=" not in html
    for issued_id, content in ((first, b"%PDF-1.7 first"), (second, b"%PDF-1.7 second")):
        assert f'href="{urls(award, job_id, issued_id)["pdf"]}"' in html
        full = hashlib.sha256(content).hexdigest()
        assert f"sha256:{full[:12]}…" in text
        assert f"sha256:{full}" in text
    assert "Hollin Brook Care Co-operative" in text
    assert "Lantern Trust Home Support" in text


# --- downloads ---------------------------------------------------------------------------------


def test_a_download_serves_the_stored_bytes_privately(award: AwardWorld) -> None:
    job_id = job_row(award, ReportJobStatus.DONE, total=1, done=1)
    issued_id = issued_row(award, job_id, PROVIDERS[0], b"%PDF-1.7 the stored summary")
    response = award.client_for(award.admin).get(urls(award, job_id, issued_id)["pdf"])
    assert response.status_code == 200
    assert response.data == b"%PDF-1.7 the stored summary"
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="assessment-summary-{PROVIDERS[0]}.pdf"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_stored_pdf_that_changed_on_disk_is_not_served(award: AwardWorld) -> None:
    job_id = job_row(award, ReportJobStatus.DONE, total=1, done=1)
    issued_id = issued_row(award, job_id, PROVIDERS[0], b"%PDF-1.7 original")
    [row] = award.rows(IssuedReport)
    with award.app.app_context():
        (issued_folder() / row.pdf_sha256.removeprefix("sha256:")).write_bytes(b"%PDF tampered")
    response = award.client_for(award.commissioner).get(urls(award, job_id, issued_id)["pdf"])
    assert response.status_code == 404


def test_a_report_of_another_round_is_not_found(award: AwardWorld) -> None:
    job_id = job_row(award, ReportJobStatus.DONE, total=1, done=1)
    issued_id = issued_row(award, job_id, PROVIDERS[0], b"%PDF-1.7 x")
    with award.app.test_request_context():
        elsewhere = url_for(
            "reports.issued_summary_pdf", id=award.round_id + 1, issued_id=issued_id
        )
    assert award.client_for(award.commissioner).get(elsewhere).status_code == 404


# --- through the pages, in the background ---------------------------------------------------


def test_a_job_that_fails_in_the_background_ends_failed_with_the_error_shown(
    award: AwardWorld,
) -> None:
    award.mark_all(points={EVALUATED[0]: 99})  # off the scale: the round cannot be scored
    client, token = client_with_token(award, award.commissioner)
    response = client.post(urls(award)["issue"], data={"csrf_token": token})
    assert response.status_code == 302
    [job] = award.rows(ReportJob)
    assert response.headers["Location"] == urls(award, job.id)["job"]
    page = wait_until_finished(client, response.headers["Location"])
    text = text_of(page)
    assert "Assessment summaries not issued" in text
    assert "RoundInputError" in text
    [job] = award.rows(ReportJob)
    assert job.status == ReportJobStatus.FAILED.value
    assert award.rows(IssuedReport) == []


@pytest.mark.slow
def test_issuing_through_the_pages_renders_every_summary_in_the_background(
    award: AwardWorld,
) -> None:
    evaluated(award)
    client, token = client_with_token(award, award.commissioner)
    response = client.post(urls(award)["issue"], data={"csrf_token": token})
    assert response.status_code == 302
    page = wait_until_finished(client, response.headers["Location"])
    assert "Assessment summaries issued" in text_of(page)

    [job] = award.rows(ReportJob)
    assert (job.status, job.done, job.total) == ("done", len(PROVIDERS), len(PROVIDERS))
    issued = award.rows(IssuedReport)
    assert sorted(r.bid_id for r in issued) == sorted(award.bid_ids.values())
    with award.app.app_context():
        digest = round_inputs(award.round()).digest
    assert {r.inputs_digest for r in issued} == {digest}
    winner = next(r for r in issued if r.bid_id == award.bid_ids["hollin-brook"])
    download = client.get(urls(award, job.id, winner.id)["pdf"])
    assert download.status_code == 200
    assert "sha256:" + hashlib.sha256(download.data).hexdigest() == winner.pdf_sha256
    reader = PdfReader(io.BytesIO(download.data))
    assert "Hollin Brook Care Co-operative" in " ".join(
        p.extract_text() or "" for p in reader.pages
    )
