"""The commissioner's start page: every round, and first the rounds that need their action,
each with what to do and a link to the page to do it on, worked out from stored state."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.webapp.award_world import EVALUATED, AwardWorld
from tests.webapp.board.states import decided, evaluated, page_text, submitted
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import post_form
from webapp.extensions import db
from webapp.models import CommissioningRound, RoundEvaluator, RoundStatus

ROUNDS = "/commissioning/rounds"


def needs_action(text: str) -> str:
    """The "Needs your action" part of the rounds page."""
    return text.split("Needs your action", 1)[1].split("All rounds", 1)[0]


def round_link(award: AwardWorld, tail: str) -> str:
    return f"{ROUNDS}/{award.round_id}/{tail}"


def test_a_commissioner_lands_on_the_rounds_that_need_action(award: AwardWorld) -> None:
    client = award.app.test_client()
    data = {"email": award.commissioner.email, "password": "correct horse battery staple"}
    assert post_form(client, "/sign-in", data).headers["Location"] == ROUNDS
    text = page_text(client.get(ROUNDS))
    assert "Needs your action" in text


def test_a_round_still_being_marked_says_what_is_missing(award: AwardWorld) -> None:
    response = award.client_for(award.commissioner).get(ROUNDS)
    text = needs_action(page_text(response))
    links = parse_page(response).links
    assert "CW-2027-0001: Homecare, Lot 1" in text
    assert "Marking is not complete in CW-2027-0001 (3 outstanding)" in text  # 3 undeclared
    assert "Price checks need a decision in CW-2027-0001 (2 outstanding)" in text
    assert round_link(award, "evaluators") in links
    assert round_link(award, "price-checks") in links
    assert "Ready to submit to the board" not in text


def test_the_list_names_no_bidder_and_no_evaluator(award: AwardWorld) -> None:
    award.mark_all(spread={("kestrel", EVALUATED[0]): (1, 3, 5)})
    text = page_text(award.client_for(award.commissioner).get(ROUNDS))
    assert "Moderation needed" in text
    for name in ("Hollin Brook", "Kestrel", "Lantern", "Meridian", "Grace Okafor"):
        assert name not in text


def test_a_wide_spread_needs_moderation(award: AwardWorld) -> None:
    award.mark_all(spread={("kestrel", EVALUATED[0]): (1, 3, 5)})
    award.decide_price_checks("accept")
    response = award.client_for(award.commissioner).get(ROUNDS)
    text = needs_action(page_text(response))
    assert "Moderation needed" in text
    assert "Marking is not complete" not in text
    assert "Price checks need a decision" not in text
    assert round_link(award, "moderation") in parse_page(response).links


def test_a_ready_round_offers_the_submission_and_leaves_the_list_once_submitted(
    award: AwardWorld,
) -> None:
    evaluated(award)
    client = award.client_for(award.commissioner)
    response = client.get(ROUNDS)
    assert "Ready to submit to the board" in needs_action(page_text(response))
    assert round_link(award, "submit-to-board") in parse_page(response).links
    submission_id = submitted(award)
    text = needs_action(page_text(client.get(ROUNDS)))
    assert "No round needs your action at the moment." in text
    decided(award, submission_id, "refer_back", "Look again at the spread on Kestrel.")
    text = needs_action(page_text(client.get(ROUNDS)))
    assert "Referred back by the board: read its comments" in text
    assert "Look again" not in text  # the round page shows them
    assert "Ready to submit to the board" in text
    assert f"{ROUNDS}/{award.round_id}#board-referral" in parse_page(client.get(ROUNDS)).links


def test_an_awarded_round_needs_nothing(award: AwardWorld) -> None:
    evaluated(award)
    decided(award, submitted(award), "approve")
    text = page_text(award.client_for(award.commissioner).get(ROUNDS))
    assert "No round needs your action at the moment." in needs_action(text)
    assert "Homecare, Lot 1" in text.split("All rounds", 1)[1]


def test_a_draft_asks_to_be_published_and_an_open_round_for_evaluators(
    award: AwardWorld, app: Flask
) -> None:
    with app.app_context():
        round_ = db.session.get(CommissioningRound, award.round_id)
        assert round_ is not None
        round_.status = RoundStatus.DRAFT.value
        round_.closes_at = award.now.replace(year=2028)
        db.session.execute(db.delete(RoundEvaluator))
        db.session.commit()
    client = award.client_for(award.commissioner)
    response = client.get(ROUNDS)
    text = needs_action(page_text(response))
    assert "Draft not published: check it and publish it" in text
    assert "No evaluators assigned yet" in text
    assert round_link(award, "publish") in parse_page(response).links


@pytest.mark.parametrize("who", ["evaluator", "board"])
def test_other_staff_see_the_rounds_without_the_commissioners_actions(
    award: AwardWorld, who: str
) -> None:
    user = award.evaluators[0] if who == "evaluator" else award.board
    response = award.client_for(user).get(ROUNDS)
    text = page_text(response)
    assert response.status_code == 200
    assert "Homecare, Lot 1" in text
    assert "Needs your action" not in text
    assert "Marking is not complete" not in text
    assert round_link(award, "price-checks") not in parse_page(response).links
