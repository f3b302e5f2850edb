"""Reports in the web app: who may open each one, and what the HTML twin and the PDF show.

Access follows the results and outcome pages: staff and the board see a round's board pack and
any bid's assessment summary once they may see its results; a provider sees only its own
bid's summary, only once the board has approved the award; its self-assessment report is its
own. The PDFs are real: opened with pypdf, they carry the figures the results page shows.
Rendering is slow, so each PDF here is rendered once and refusals are checked without one.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from pypdf import PdfReader
from werkzeug.test import TestResponse

from criteria.result import fmt
from tests.webapp.award_world import CLOSES_AT, EVALUATED, PROVIDERS, AwardWorld
from tests.webapp.board.states import decided, evaluated, page_text, submitted
from tests.webapp.conftest import parse_page
from tests.webapp.reports.downloads import fetched_pdf
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    ConflictDeclaration,
    EvaluatorMark,
    IssuedReport,
    User,
)
from webapp.services.issued_reports import ASSESSMENT_SUMMARY, issued_folder
from webapp.services.results import round_inputs, round_result

INJECTION = '<img src="http://127.0.0.1:9/x"> and file:///etc/passwd'
"""Answer text that must stay text: never fetched, never read as markup."""
MODERATED = EVALUATED[0]
OWN, OTHER = "kestrel", "hollin-brook"
ROLES = ("anonymous", "provider", "evaluator", "board", "commissioner", "admin")


# --- states and helpers ---------------------------------------------------------------------


def evaluated_plainly(award: AwardWorld) -> None:
    """Evaluated, with justifications that name nobody and one moderation carrying markup.

    The world's own justifications start with the evaluator's name; these do not, so a name
    found in a provider's report can only have come from the report itself.
    """
    evaluated(award)
    with award.app.app_context():
        for mark in db.session.scalars(sa.select(EvaluatorMark)):
            mark.justification = f"Marked {mark.points} on the evidence in the answer."
        db.session.commit()
        inputs = round_inputs(award.round())
        points = inputs.marks[award.bid(OWN).reference or ""][MODERATED].marks[0].points
    award.moderate(OWN, MODERATED, points, f"Agreed at moderation. {INJECTION}")


def state(award: AwardWorld, stage: str) -> None:
    if stage == "sealed":
        award.now = CLOSES_AT - timedelta(hours=1)
        return
    evaluated_plainly(award)
    if stage == "evaluating":
        return
    submission_id = submitted(award)
    if stage == "referred back":
        decided(award, submission_id, "refer_back", "Check the marks.")
    elif stage == "awarded":
        decided(award, submission_id, "approve", "Approved as recommended.")


def client(award: AwardWorld, role: str) -> FlaskClient:
    people: dict[str, User] = {
        "provider": award.providers[OWN],
        "other provider": award.providers[OTHER],
        "evaluator": award.evaluators[0],
        "board": award.board,
        "commissioner": award.commissioner,
        "admin": award.admin,
    }
    if role == "anonymous":
        return award.app.test_client()
    return award.client_for(people[role])


def staff_urls(award: AwardWorld, key: str = OWN) -> dict[str, str]:
    base = f"/commissioning/rounds/{award.round_id}/reports"
    bid_id = award.bid_ids[key]
    return {
        "board pack": f"{base}/board-pack",
        "board pack PDF": f"{base}/board-pack.pdf",
        "board pack download": f"{base}/board-pack/download",
        "summary": f"{base}/summaries/{bid_id}",
        "summary PDF": f"{base}/summaries/{bid_id}.pdf",
        "summary download": f"{base}/summaries/{bid_id}/download",
    }


def provider_urls(award: AwardWorld, key: str = OWN) -> dict[str, str]:
    base = f"/provider/bids/{award.bid_ids[key]}/assessment-summary"
    return {"summary": base, "summary PDF": f"{base}.pdf", "summary download": f"{base}/download"}


def refused(response: TestResponse, expected: int) -> bool:
    if expected == 302:
        return response.status_code == 302 and "/sign-in" in response.headers["Location"]
    return response.status_code == expected


def pdf_text(response: TestResponse) -> str:
    reader = PdfReader(io.BytesIO(response.get_data()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def assert_pdf_download(response: TestResponse, filename: str) -> PdfReader:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.get_data()))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged (PDF/UA-1)
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"
    return reader


def report_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Report ")]


# --- who may open which report ---------------------------------------------------------------


def staff_expected(stage: str, role: str) -> int:
    if role == "anonymous":
        return 302
    if role in ("commissioner", "admin"):
        return 404 if stage == "sealed" else 200
    if role == "board" and stage in ("with the board", "awarded"):
        return 200
    return 403


@pytest.mark.parametrize("stage", ["sealed", "evaluating", "with the board", "awarded"])
def test_staff_reports_open_only_to_those_who_may_see_the_results(
    award: AwardWorld, stage: str
) -> None:
    state(award, stage)
    urls = staff_urls(award)
    for role in ROLES:
        expected = staff_expected(stage, role)
        browser = client(award, role)
        for name, url in urls.items():
            if expected == 200 and name.endswith("PDF"):
                continue  # rendered once, in the PDF tests below
            response = browser.get(url)
            if expected == 200:
                assert response.status_code == 200, (role, name)
                assert parse_page(response).duplicate_ids == [], (role, name)
            else:
                assert refused(response, expected), (role, name, response.status_code)


def test_a_summary_for_a_bid_of_another_round_or_none_is_not_found(award: AwardWorld) -> None:
    evaluated_plainly(award)
    browser = client(award, "commissioner")
    base = f"/commissioning/rounds/{award.round_id}/reports"
    assert browser.get(f"{base}/summaries/999999").status_code == 404
    assert browser.get(f"{base}/summaries/999999.pdf").status_code == 404
    assert browser.get(f"{base}/summaries/999999/download").status_code == 404
    assert browser.get("/commissioning/rounds/999999/reports/board-pack").status_code == 404


def provider_expected(stage: str, role: str) -> int:
    if role == "anonymous":
        return 302
    if role == "provider":
        return 200 if stage == "awarded" else 404
    if role == "other provider":
        return 404
    return 403  # staff and the board: this is the provider portal


@pytest.mark.parametrize("stage", ["evaluating", "with the board", "referred back", "awarded"])
def test_a_providers_summary_opens_only_to_its_own_organisation_once_awarded(
    award: AwardWorld, stage: str
) -> None:
    state(award, stage)
    for role in (*ROLES, "other provider"):
        expected = provider_expected(stage, role)
        browser = client(award, role)
        for name, url in provider_urls(award).items():
            if expected == 200 and name.endswith("PDF"):
                continue
            response = browser.get(url)
            if expected == 200:
                assert response.status_code == 200, (role, name)
            else:
                assert refused(response, expected), (role, name, response.status_code)
    # Nothing was issued to anyone by being refused.
    assert award.rows(AuditEvent, action="report.issued") == []


def test_the_self_assessment_report_is_the_providers_own(award: AwardWorld) -> None:
    for role in ROLES:
        browser = client(award, role)
        for url in (
            "/provider/self-assessment/report",
            "/provider/self-assessment/report.pdf",
            "/provider/self-assessment/report/download",
        ):
            if role == "provider":
                if url.endswith("/report"):  # the PDF is rendered once, below
                    response = browser.get(url)
                    assert response.status_code == 200
                    assert "Self-assessment report Kestrel Home Care" in page_text(response)
                continue
            expected = 302 if role == "anonymous" else 403
            assert refused(browser.get(url), expected), (role, url)


# --- the HTML twins -----------------------------------------------------------------------------


def test_the_board_pack_twin_is_a_service_page_with_the_report_and_its_figures(
    award: AwardWorld,
) -> None:
    state(award, "evaluating")
    response = client(award, "commissioner").get(staff_urls(award)["board pack"])
    page = parse_page(response)
    assert page.title.startswith("Board pack: Homecare, Lot 1 – Commonweal")
    assert page.h1s == ["Homecare, Lot 1"]
    assert staff_urls(award)["board pack download"] in page.links
    html = response.get_data(as_text=True)
    assert INJECTION not in html
    assert "&lt;img src=&#34;http://127.0.0.1:9/x&#34;&gt;" in html
    text = page_text(response)
    with award.app.app_context():
        inputs = round_inputs(award.round())
        result = round_result(inputs)
    assert "Draft: evaluation in progress" in text
    assert inputs.digest in text
    for bid in result.bids:
        assert bid.name in text
        assert fmt(bid.total, 2) in text
    assert "Grace Okafor" in text  # the board sees who marked what


def test_each_table_of_a_twin_scrolls_in_a_region_of_its_own_with_a_unique_name(
    award: AwardWorld,
) -> None:
    state(award, "evaluating")
    html = client(award, "commissioner").get(staff_urls(award)["board pack"]).get_data(True)
    report = html.split('<div class="app-report">', 1)[1]
    regions = re.findall(
        r'<div class="app-table-wrap" role="region" aria-label="([^"]+)" tabindex="0">'
        r"\s*<table\b",
        report,
    )
    assert len(regions) == report.count("<table") > 5
    assert len(set(regions)) == len(regions)
    assert regions[0].startswith("Table 1: Bids by rank")
    assert report.count("</table></div>") == len(regions)


def test_the_board_pack_lists_each_evaluators_latest_declarations(award: AwardWorld) -> None:
    state(award, "evaluating")
    late = award.evaluators[2]
    with award.app.app_context():
        db.session.add(
            ConflictDeclaration(
                round_id=award.round_id,
                evaluator_id=late.id,
                bid_id=award.bid_ids["lantern-trust"],
                has_conflict=True,
                details="Worked for the trust until last year.",
                declared_at=award.now + timedelta(minutes=5),
            )
        )
        db.session.commit()
    text = page_text(client(award, "commissioner").get(staff_urls(award)["board pack"]))
    assert (
        f"{late.name} Conflict with Lantern Trust Home Support: Worked for the trust until "
        "last year. No conflict with the other 3 bids."
    ) in text
    assert f"{award.evaluators[0].name} No conflict with any of the 4 bids." in text


def test_a_referred_back_round_is_a_draft_again(award: AwardWorld) -> None:
    state(award, "referred back")
    text = page_text(client(award, "commissioner").get(staff_urls(award)["board pack"]))
    assert "Draft: referred back by the board on 2 April 2027" in text


def test_a_summary_twin_names_no_evaluator(award: AwardWorld) -> None:
    state(award, "awarded")
    response = client(award, "provider").get(provider_urls(award)["summary"])
    text = page_text(response)
    assert parse_page(response).duplicate_ids == []
    assert "Assessment summary for Kestrel Home Care (Employee Owned) Ltd" in text
    assert "Approved by the board on 2 April 2027" in text
    assert "Agreed at moderation." in text
    for evaluator in award.evaluators:
        assert evaluator.name not in text
    assert provider_urls(award)["summary download"] in parse_page(response).links


# --- links to the reports --------------------------------------------------------------------


def test_the_results_and_board_pages_link_the_reports(award: AwardWorld) -> None:
    state(award, "with the board")
    urls = staff_urls(award)
    results = parse_page(
        client(award, "commissioner").get(f"/commissioning/rounds/{award.round_id}/results")
    )
    assert urls["board pack"] in results.links
    assert urls["board pack download"] in results.links
    for key in PROVIDERS:
        assert staff_urls(award, key)["summary"] in results.links, key
        assert staff_urls(award, key)["summary download"] in results.links, key
    board = parse_page(client(award, "board").get(f"/board/rounds/{award.round_id}"))
    assert urls["board pack"] in board.links
    assert urls["board pack download"] in board.links
    # Slow PDFs are reached through their "being prepared" page, never linked bare.
    for page in (results, board):
        assert not [link for link in page.links if link.endswith(".pdf")]


def test_the_board_page_does_not_link_a_pack_the_board_may_not_open(award: AwardWorld) -> None:
    state(award, "referred back")
    board = parse_page(client(award, "board").get(f"/board/rounds/{award.round_id}"))
    assert board.status_code == 200
    assert staff_urls(award)["board pack"] not in board.links


def test_the_outcome_and_self_assessment_pages_link_the_providers_reports(
    award: AwardWorld,
) -> None:
    state(award, "awarded")
    browser = client(award, "provider")
    outcome = parse_page(browser.get(f"/provider/bids/{award.bid_ids[OWN]}/outcome"))
    assert provider_urls(award)["summary"] in outcome.links
    assert provider_urls(award)["summary download"] in outcome.links
    results = parse_page(browser.get("/provider/self-assessment/results"))
    assert "/provider/self-assessment/report" in results.links
    assert "/provider/self-assessment/report/download" in results.links
    for page in (outcome, results):
        assert not [link for link in page.links if link.endswith(".pdf")]


# --- the self-assessment report's PDF (made by a job: test_self_assessment_report_jobs.py) -----


def test_the_twins_download_links_go_to_the_pdfs_status_page(award: AwardWorld) -> None:
    response = client(award, "provider").get("/provider/self-assessment/report")
    html = response.get_data(as_text=True)
    assert 'href="/provider/self-assessment/report/download" id="download-pdf"' in html
    assert "report.pdf" not in html


# --- the PDFs -----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.one_database
def test_the_board_pack_pdf_carries_the_results_pages_figures_and_the_inputs_digest(
    award: AwardWorld, caplog: pytest.LogCaptureFixture
) -> None:
    state(award, "with the board")
    caplog.set_level(logging.WARNING)
    results_text = page_text(
        client(award, "commissioner").get(f"/commissioning/rounds/{award.round_id}/results")
    )
    response = fetched_pdf(client(award, "board"), staff_urls(award)["board pack PDF"])
    reader = assert_pdf_download(response, "CW-2027-0001-board-pack.pdf")
    assert reader.metadata is not None
    assert reader.metadata.title == "Board pack: Homecare, Lot 1"
    assert 8 <= len(reader.pages) <= 60
    text = pdf_text(response)
    with award.app.app_context():
        inputs = round_inputs(award.round())
        result = round_result(inputs)
    assert "Homecare, Lot 1" in text
    assert "Submitted for the board's decision on 2 April 2027" in text
    assert inputs.digest in text.replace(" ", "")
    for bid in result.bids:
        assert bid.name in text
        assert fmt(bid.total, 2) in results_text  # the same figure on the results page...
        assert fmt(bid.total, 2) in text  # ...and in the pack
    assert "Grace Okafor" in text
    assert "127.0.0.1:9/x" in text.replace(" ", "")  # shown as text, not fetched
    assert report_logs(caplog) == []  # no renderer warning, nothing refused


@pytest.mark.slow
def test_a_staff_summary_pdf_is_the_bidders_summary(award: AwardWorld) -> None:
    state(award, "evaluating")
    response = fetched_pdf(client(award, "admin"), staff_urls(award)["summary PDF"])
    reference = f"CW-2027-0001-B{award.bid_ids[OWN]}-1"
    assert_pdf_download(response, f"{reference}-assessment-summary.pdf")
    text = pdf_text(response)
    assert "Kestrel Home Care (Employee Owned) Ltd" in text
    assert "Draft: evaluation in progress" in text
    for evaluator in award.evaluators:
        assert evaluator.name not in text


@pytest.mark.slow
def test_a_provider_downloads_its_summary_and_the_issue_is_recorded(
    award: AwardWorld, caplog: pytest.LogCaptureFixture
) -> None:
    state(award, "awarded")
    caplog.set_level(logging.WARNING)
    response = fetched_pdf(client(award, "provider"), provider_urls(award)["summary PDF"])
    reference = f"CW-2027-0001-B{award.bid_ids[OWN]}-1"
    reader = assert_pdf_download(response, f"{reference}-assessment-summary.pdf")
    assert 2 <= len(reader.pages) <= 20
    text = pdf_text(response)
    with award.app.app_context():
        inputs = round_inputs(award.round())
        result = round_result(inputs)
        own = result.bid(award.bid(OWN).reference or "")
        winner = result.bid(award.bid(OTHER).reference or "")
    assert own.name in text
    assert winner.name in text
    assert fmt(own.total, 2) in text
    assert fmt(winner.total, 2) in text
    assert "Agreed at moderation." in text
    assert "127.0.0.1:9/x" in text.replace(" ", "")
    for evaluator in award.evaluators:
        assert evaluator.name not in text
    assert report_logs(caplog) == []
    [event] = award.rows(AuditEvent, action="report.issued")
    assert event.actor_id == award.providers[OWN].id
    assert event.subject == reference
    assert own.name in event.summary


def test_a_provider_gets_the_summary_issued_from_the_same_inputs(award: AwardWorld) -> None:
    """Once the round's summaries are issued, the provider downloads that very PDF."""
    state(award, "awarded")
    issued_bytes = b"%PDF-1.7\n% the summary as it was issued\n"
    sha = hashlib.sha256(issued_bytes).hexdigest()
    with award.app.app_context():
        round_ = award.round()
        (issued_folder() / sha).write_bytes(issued_bytes)
        db.session.add(
            IssuedReport(
                round_id=round_.id,
                bid_id=award.bid_ids[OWN],
                kind=ASSESSMENT_SUMMARY,
                filename="issued.pdf",
                pdf_sha256=f"sha256:{sha}",
                inputs_digest=round_inputs(round_).digest,
                pages=1,
                created_at=award.now,
                created_by_id=award.commissioner.id,
            )
        )
        db.session.commit()
    response = client(award, "provider").get(provider_urls(award)["summary PDF"])
    assert response.status_code == 200
    assert response.get_data() == issued_bytes
    assert response.headers["Cache-Control"] == "private, no-store"
    [event] = award.rows(AuditEvent, action="report.issued")
    assert event.subject == f"CW-2027-0001-B{award.bid_ids[OWN]}-1"


@pytest.mark.slow
def test_the_self_assessment_report_pdf_names_the_organisation(
    award: AwardWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    response = fetched_pdf(client(award, "provider"), "/provider/self-assessment/report.pdf")
    name = "Kestrel Home Care (Employee Owned) Ltd"
    filename = "self-assessment-Kestrel-Home-Care-Employee-Owned-Ltd-2027-04-02.pdf"
    reader = assert_pdf_download(response, filename)
    assert reader.metadata is not None
    assert reader.metadata.title == f"Self-assessment report for {name}"
    assert name in pdf_text(response)
    assert re.search(r"You scored \S+ of the \S+ points", pdf_text(response))
    assert report_logs(caplog) == []
