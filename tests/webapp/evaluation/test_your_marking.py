"""An evaluator's start page, "Your marking": declarations due, then each bid's marks not
started, in progress or submitted, each with the link to act, all read from stored state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from tests.webapp.award_world import CLOSES_AT, EVALUATED, PROVIDERS, AwardWorld
from tests.webapp.board.states import page_text, submitted
from tests.webapp.conftest import parse_page
from tests.webapp.evaluation.journey import bid_url, declare, mark, mark_bid, round_url, submit
from tests.webapp.forms_helper import post_form
from webapp.extensions import db
from webapp.models import RoundEvaluator

MARKING = "/evaluation/"
HOLLIN_BROOK = "Hollin Brook Care Co-operative"


def test_an_evaluator_lands_on_your_marking_and_the_menu_leads_there(award: AwardWorld) -> None:
    evaluator = award.evaluators[0]
    client = award.app.test_client()
    response = post_form(
        client, "/sign-in", {"email": evaluator.email, "password": "correct horse battery staple"}
    )
    assert response.headers["Location"] == MARKING
    page = parse_page(client.get(MARKING))
    assert page.h1s == ["Your marking"]
    assert page.duplicate_ids == []
    assert MARKING in page.links  # the header's "Your marking"


def test_a_declaration_is_due_before_any_bid_is_listed(award: AwardWorld) -> None:
    client = award.client_for(award.evaluators[0])
    response = client.get(MARKING)
    text = page_text(response)
    assert "CW-2027-0001: Homecare, Lot 1" in text
    assert "Declarations due" in text
    assert f"{round_url(award)}/conflicts" in parse_page(response).links
    assert HOLLIN_BROOK not in text  # no bid before the declaration
    assert "Start marking" not in text


def test_each_bid_shows_its_marks_with_the_link_to_act(award: AwardWorld) -> None:
    client = award.client_for(award.evaluators[0])
    declare(client, award)
    text = page_text(client.get(MARKING))
    assert "Declarations due" not in text
    assert "Your marks: 4 not started" in text
    assert text.count("Start marking") == len(PROVIDERS)

    mark(client, award, "kestrel", EVALUATED[0])  # a draft: one mark, not submitted
    mark_bid(client, award, "hollin-brook")
    submit(client, award, "hollin-brook")
    response = client.get(MARKING)
    links = parse_page(response).links
    text = page_text(response)
    assert "Your marks: 2 not started, 1 in progress, 1 submitted" in text
    assert f"{HOLLIN_BROOK} Submitted See all evaluators' marks" in text
    assert bid_url(award, "hollin-brook", "/panel") in links
    assert "Kestrel Home Care (Employee Owned) Ltd In progress Continue marking" in text
    assert bid_url(award, "kestrel", "/check") in links
    assert bid_url(award, "lantern-trust") in links
    assert bid_url(award, "hollin-brook") not in links  # submitted: nothing left to mark


def test_a_conflicted_bid_offers_nothing_to_do(award: AwardWorld) -> None:
    client = award.client_for(award.evaluators[0])
    declare(client, award, {"kestrel": "My sister is Kestrel's registered manager."})
    response = client.get(MARKING)
    assert "Removed: conflict declared" in page_text(response)
    assert bid_url(award, "kestrel") not in parse_page(response).links
    assert "Your marks: 3 not started" in page_text(response)


def test_the_page_shows_only_the_evaluators_own_marks(award: AwardWorld) -> None:
    grace, daniel = award.evaluators[0], award.evaluators[1]
    declare(award.client_for(daniel), award)
    daniel_client = award.client_for(daniel)
    mark_bid(daniel_client, award, "kestrel")
    submit(daniel_client, award, "kestrel")
    grace_client = award.client_for(grace)
    declare(grace_client, award)
    text = page_text(grace_client.get(MARKING))
    assert "Submitted" not in text
    assert "Daniel Hughes" not in text
    assert "Your marks: 4 not started" in text


def test_a_round_the_evaluator_is_not_assigned_to_is_not_shown(award: AwardWorld) -> None:
    mei = award.evaluators[2]
    with award.app.app_context():
        db.session.execute(db.delete(RoundEvaluator).where(RoundEvaluator.user_id == mei.id))
        db.session.commit()
    text = page_text(award.client_for(mei).get(MARKING))
    assert "Homecare, Lot 1" not in text
    assert "not assigned to evaluate any round" in text


def test_sealed_and_closed_rounds_have_nothing_to_do(award: AwardWorld) -> None:
    client = award.client_for(award.evaluators[0])
    award.now = CLOSES_AT - timedelta(hours=1)
    text = page_text(client.get(MARKING))
    assert "You have nothing to mark at the moment." in text
    assert "Nothing yet: bids are sealed until the deadline" in text
    assert "Declarations due" not in text

    award.now = CLOSES_AT + timedelta(days=1)
    award.mark_all()
    submitted(award)
    response = client.get(MARKING)
    text = page_text(response)
    assert "You have nothing to mark at the moment." in text
    assert "marking has closed (with the board)" in text
    assert not [link for link in parse_page(response).links if "/bids/" in link]


@pytest.fixture
def anonymous_award(app: Flask) -> AwardWorld:
    return AwardWorld(app, anonymise=True)


def test_an_anonymised_round_names_no_bidder(anonymous_award: AwardWorld) -> None:
    award = anonymous_award
    client = award.client_for(award.evaluators[0])
    declare(client, award)
    text = page_text(client.get(MARKING))
    assert "Bid A" in text
    assert "Bid D" in text
    for name in (HOLLIN_BROOK, "Kestrel", "Lantern", "Meridian"):
        assert name not in text


def test_the_round_page_links_the_assigned_evaluator_to_their_marking(award: AwardWorld) -> None:
    url = f"/commissioning/rounds/{award.round_id}"
    links = parse_page(award.client_for(award.evaluators[0]).get(url)).links
    assert round_url(award) in links
    for other in (award.commissioner, award.board):
        assert round_url(award) not in parse_page(award.client_for(other).get(url)).links
    mei = award.evaluators[2]
    with award.app.app_context():
        db.session.execute(db.delete(RoundEvaluator).where(RoundEvaluator.user_id == mei.id))
        db.session.commit()
    assert round_url(award) not in parse_page(award.client_for(mei).get(url)).links
