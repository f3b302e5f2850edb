"""Somebody else's ids: another organisation's bids, documents, reports, outcomes, price-check
replies and self-assessments; one round's ids under another round's address; sealed bids
before their deadline; and other evaluators' marks before one's own are in.

Each refusal is a 404 (or 403) that carries none of the data asked for, and a refused change
leaves the database as it was.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.authorisation.world import OTHER, OWN, AccessWorld, Who, database_state
from tests.webapp.award_world import EVALUATED, AwardWorld
from tests.webapp.evaluation.journey import bid_url, declare, mark_bid, submit
from tests.webapp.forms_helper import post_form
from webapp.extensions import db
from webapp.models import (
    CommissioningRound,
    EvaluatorMark,
    MarkSheet,
    MarkSheetStatus,
    SelfAssessment,
)

NAME = "Meridian Crest Homecare Ltd"
"""The organisation whose ids are tried: its name must never appear in a refusal."""


@pytest.fixture
def world(app: Flask) -> AccessWorld:
    return AccessWorld(app)


def _get(client: FlaskClient, url: str) -> TestResponse:
    response = client.get(url)
    response.close()
    return response


def _leaks(world: AccessWorld, response: TestResponse) -> list[str]:
    """Whatever of the tried organisation's data a refusal shows."""
    with world.app.app_context():
        own = world.bid(OWN)
        reference = own.reference or ""
    body = response.get_data()
    text = body.decode("utf-8", "replace")
    markers = [NAME, reference, "Our cost breakdown is attached.", "Please show how you will"]
    found = [marker for marker in markers if marker in text]
    if b"%PDF" in body:
        found.append("a PDF")
    return found


def _refused_without_data(
    world: AccessWorld, client: FlaskClient, urls: list[str], statuses: set[int]
) -> list[str]:
    wrong = []
    for url in urls:
        response = _get(client, url)
        if response.status_code not in statuses:
            wrong.append(f"GET {url}: {response.status_code}")
        elif leaked := _leaks(world, response):
            wrong.append(f"GET {url}: refused but shows {leaked}")
    return wrong


# --- another organisation's ids -------------------------------------------------------------


def test_a_provider_using_another_organisations_ids_finds_nothing(world: AccessWorld) -> None:
    bid, open_bid = world.bid_ids[OWN], world.open_bid_ids[OWN]
    own_bid = world.bid_ids[OTHER]
    section = world.section_id
    urls = [
        f"/provider/bids/{bid}",
        f"/provider/bids/{bid}/check",
        f"/provider/bids/{bid}/receipt",
        f"/provider/bids/{bid}/outcome",
        f"/provider/bids/{bid}/assessment-summary",
        f"/provider/bids/{bid}/assessment-summary/download",
        f"/provider/bids/{bid}/assessment-summary.pdf",
        f"/provider/bids/{bid}/price-checks/{world.check_id}",
        f"/provider/bids/{own_bid}/price-checks/{world.check_id}",  # own bid, their check
        f"/provider/bids/{open_bid}",
        f"/provider/bids/{open_bid}/sections/{section}",
        f"/provider/bids/{open_bid}/change?section={section}",
        f"/provider/bids/{open_bid}/withdraw",
        f"/evidence/{world.bid_evidence_ids[OWN]}",
        f"/evidence/{world.self_assessment_evidence_ids[OWN]}",
        f"/evidence/{world.open_evidence_id}",
    ]
    other = world.client_as(Who.OTHER_PROVIDER)
    assert _refused_without_data(world, other, urls, {404}) == []
    # The owner reaches each of them, so the ids are real.
    owner = world.client_as(Who.PROVIDER)
    reached = [url for url in urls if url != urls[8] and _get(owner, url).status_code < 400]
    assert len(reached) == len(urls) - 1


def test_a_provider_cannot_change_another_organisations_bid_or_reply(world: AccessWorld) -> None:
    """Posted with a valid token of the attacker's own session, to the victim's ids."""
    open_bid = world.open_bid_ids[OWN]
    own_open_bid = world.open_bid_ids[OTHER]
    token_page = f"/provider/bids/{own_open_bid}/withdraw"
    other = world.client_as(Who.OTHER_PROVIDER)
    posts = {
        f"/provider/bids/{open_bid}/sections/{world.section_id}": {"version": "1"},
        f"/provider/bids/{open_bid}/submit": {"full_name": "Mallory", "confirm": "y"},
        f"/provider/bids/{open_bid}/withdraw": {},
        f"/provider/bids/{open_bid}/sections/{world.section_id}/pending/x/remove": {},
        f"/provider/bids/{world.bid_ids[OWN]}/price-checks/{world.check_id}": {
            "response": "Ignore the figures: we withdraw."
        },
        f"/provider/rounds/{world.round_id}/bid": {},  # a closed round
    }
    with world.app.app_context():
        before = database_state()
    for url, data in posts.items():
        response = post_form(other, url, data, token_from=token_page)
        assert response.status_code in {403, 404, 409} or (
            response.status_code == 302 and url.endswith("/bid")
        ), (url, response.status_code)
        assert not _leaks(world, response), url
    with world.app.app_context():
        assert database_state() == before


def test_self_assessments_are_the_organisations_own(world: AccessWorld) -> None:
    """Self-assessment pages take no id: each organisation sees only its own answers."""
    secret = "Our own staff survey: 97 per cent would recommend us."
    with world.app.app_context():
        assessment = db.session.get(SelfAssessment, world.self_assessment_ids[OWN])
        assert assessment is not None
        assessment.answers = {**assessment.answers, "_marker": secret}
        db.session.commit()
    other = world.client_as(Who.OTHER_PROVIDER)
    for url in (
        "/provider/self-assessment",
        "/provider/self-assessment/results",
        f"/provider/self-assessment/sections/{world.section_id}",
        "/provider/self-assessment/report",
    ):
        response = _get(other, url)
        assert response.status_code == 200, url
        assert secret not in response.get_data(as_text=True), url
        assert NAME not in response.get_data(as_text=True), url
    assert world.self_assessment(OTHER).answers.get("_marker") is None


# --- one round's ids under another round's address ------------------------------------------


def test_ids_of_one_round_are_not_found_under_another(world: AccessWorld) -> None:
    closed, open_ = world.round_id, world.open_round_id
    open_bid = world.open_bid_ids[OWN]
    world.now = world.now + timedelta(days=8)  # both rounds closed: nothing is sealed
    base = "/commissioning/rounds"
    manager_urls = [
        f"{base}/{closed}/results/{open_bid}",
        f"{base}/{closed}/reports/summaries/{open_bid}",
        f"{base}/{closed}/reports/summaries/{open_bid}/download",
        f"{base}/{closed}/reports/summaries/{open_bid}.pdf",
        f"{base}/{open_}/reports/issued/{world.issued_id}.pdf",
        f"{base}/{open_}/reports/jobs/{world.job_id}",
        f"{base}/{closed}/price-checks/{open_bid}/{world.flag_code}",
        f"{base}/{closed}/moderation/{open_bid}/{world.criterion_id}",
    ]
    commissioner = world.client_as(Who.COMMISSIONER)
    assert _refused_without_data(world, commissioner, manager_urls, {404}) == []
    evaluator = world.client_as(Who.EVALUATOR)
    evaluator_urls = [
        f"/evaluation/rounds/{closed}/bids/{open_bid}",
        f"/evaluation/rounds/{closed}/bids/{open_bid}/criteria/{world.criterion_id}",
        f"/evaluation/rounds/{closed}/bids/{open_bid}/panel",
    ]
    assert _refused_without_data(world, evaluator, evaluator_urls, {404}) == []
    assert _get(world.client_as(Who.BOARD), f"/board/rounds/{open_}").status_code == 404


# --- sealed bids ----------------------------------------------------------------------------


def _sealed_urls(world: AccessWorld) -> dict[Who, list[str]]:
    round_id, bid = world.open_round_id, world.open_bid_ids[OWN]
    staff = [
        f"/evidence/{world.open_evidence_id}",
        f"/commissioning/rounds/{round_id}",
        f"/commissioning/rounds/{round_id}/results",
        f"/commissioning/rounds/{round_id}/results/{bid}",
        f"/commissioning/rounds/{round_id}/reports/summaries/{bid}",
        f"/commissioning/rounds/{round_id}/reports/board-pack",
    ]
    return {
        Who.COMMISSIONER: staff,
        Who.ADMIN: staff,
        Who.BOARD: staff,
        Who.EVALUATOR: [
            *staff,
            f"/evaluation/rounds/{round_id}",
            f"/evaluation/rounds/{round_id}/bids/{bid}",
            f"/evaluation/rounds/{round_id}/bids/{bid}/criteria/{world.criterion_id}",
        ],
    }


def test_nobody_at_the_council_reads_a_bid_before_the_deadline(world: AccessWorld) -> None:
    """Pages that exist before the deadline may answer 200, but name no bidder and show no
    answer or document; the bid's own pages are not found."""
    with world.app.app_context():
        round_ = db.session.get(CommissioningRound, world.open_round_id)
        assert round_ is not None
        closes_at = round_.closes_at
    world.now = closes_at - timedelta(seconds=1)
    wrong = []
    for who, urls in _sealed_urls(world).items():
        client = world.client_as(who)
        for url in urls:
            response = _get(client, url)
            if response.status_code >= 500 or response.status_code in {301, 302, 303}:
                wrong.append(f"{who} GET {url}: {response.status_code}")
            elif leaked := _leaks_open_bid(world, response):
                wrong.append(f"{who} GET {url}: shows {leaked} before the deadline")
    assert wrong == []

    # At the deadline the same people read what their role allows.
    world.now = closes_at
    commissioner = world.client_as(Who.COMMISSIONER)
    assert _get(commissioner, f"/evidence/{world.open_evidence_id}").status_code == 200
    page = _get(commissioner, f"/commissioning/rounds/{world.open_round_id}")
    assert NAME in page.get_data(as_text=True)
    evaluator = world.client_as(Who.EVALUATOR)
    opened = _get(
        evaluator, f"/evaluation/rounds/{world.open_round_id}/bids/{world.open_bid_ids[OWN]}"
    )
    assert opened.status_code == 302  # on to declare conflicts first: the bid is there


def _leaks_open_bid(world: AccessWorld, response: TestResponse) -> list[str]:
    with world.app.app_context():
        reference = world.rows(CommissioningRound, id=world.open_round_id)[0].reference
    body = response.get_data()
    text = body.decode("utf-8", "replace")
    found = [m for m in (NAME, f"{reference}-B") if m in text]
    if b"%PDF" in body:
        found.append("a document")
    return found


# --- other evaluators' marks ----------------------------------------------------------------


def test_submitting_one_bids_marks_does_not_open_another_bids_panel(award: AwardWorld) -> None:
    grace, daniel = award.evaluators[:2]
    secret = "Daniel's private reasons: their rota evidence is thin."
    with award.app.app_context():
        for key in ("kestrel", "lantern-trust"):
            sheet = MarkSheet(
                round_id=award.round_id,
                bid_id=award.bid_ids[key],
                evaluator_id=daniel.id,
                status=MarkSheetStatus.SUBMITTED.value,
                submitted_at=award.now,
            )
            sheet.marks = [
                EvaluatorMark(criterion_id=c, points=1, justification=secret) for c in EVALUATED
            ]
            db.session.add(sheet)
        db.session.commit()
    award.declare_no_conflicts(daniel)
    client = award.client_for(grace)
    declare(client, award)
    mark_bid(client, award, "kestrel", points=4)
    assert submit(client, award, "kestrel").status_code == 302
    assert secret.replace("'", "&#39;") in client.get(bid_url(award, "kestrel", "/panel")).text
    for tail in ("", "/check", "/panel", f"/criteria/{EVALUATED[0]}"):
        response = client.get(bid_url(award, "lantern-trust", tail))
        assert secret.replace("'", "&#39;") not in response.text, tail
        assert "Daniel Hughes" not in response.text, tail
    assert client.get(bid_url(award, "lantern-trust", "/panel")).status_code == 403


def test_an_anonymised_rounds_page_names_no_bidder_to_evaluators(app: Flask) -> None:
    award = AwardWorld(app, anonymise=True)
    url = f"/commissioning/rounds/{award.round_id}"
    with award.app.app_context():
        names = [award.bid(key).organisation.name for key in award.bid_ids]
        references = [award.bid(key).reference or "" for key in award.bid_ids]
    for evaluator in award.evaluators:
        html = award.client_for(evaluator).get(url).text
        assert "4 bids submitted" in html
        assert [n for n in names if n in html] == []
        assert [r for r in references if r in html] == []
    managers = award.client_for(award.commissioner).get(url).text
    assert all(name in managers for name in names)
