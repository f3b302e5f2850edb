"""One bid's drill-down: every criterion as the engine explained it, with marks and moderation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from criteria.wording import plain
from tests.webapp.award_world import CLOSES_AT, EVALUATED, EXAMPLE, FLAGGED, AwardWorld
from tests.webapp.board.states import evaluated, page_text, submitted
from tests.webapp.conftest import parse_page
from webapp.extensions import db
from webapp.models import Bid, BidStatus, Organisation
from webapp.services.results import round_inputs, round_result


def bid_url(award: AwardWorld, bid_id: int) -> str:
    return f"/commissioning/rounds/{award.round_id}/results/{bid_id}"


def test_every_criterion_shows_its_answer_rule_points_and_reason(award: AwardWorld) -> None:
    evaluated(award)
    response = award.client_for(award.commissioner).get(bid_url(award, award.bid_ids["kestrel"]))
    assert response.status_code == 200
    assert parse_page(response).duplicate_ids == []
    text = page_text(response)
    with award.app.app_context():
        bid = round_result(round_inputs(award.round())).bid(award.bid("kestrel").reference or "")
    assert "Status Ranked 3 of 4 Total 77.14 out of 100" in text
    assert bid.criteria
    for score in bid.criteria:
        assert score.prompt in text
        assert plain(score.reason, EXAMPLE.framework) in text
    assert "$" not in text
    assert (
        "Answer 13.5 Rule Bands Points 10.00 of 10.00; gate passed Weight 3.60 of 100 "
        "Contribution 3.60" in text
    )


def test_evaluator_marks_show_with_names_justifications_and_the_moderated_mark(
    award: AwardWorld,
) -> None:
    evaluated(award)
    criterion = EVALUATED[0]
    award.moderate("kestrel", criterion, 2, "Agreed at panel: little evidence of outcomes.")
    text = page_text(
        award.client_for(award.commissioner).get(bid_url(award, award.bid_ids["kestrel"]))
    )
    for evaluator in award.evaluators:
        assert f"{evaluator.name}: " in text
    assert "Moderated mark 2: Agreed at panel: little evidence of outcomes." in text
    assert text.count("Not moderated") == len(EVALUATED) - 1


def test_price_flags_and_their_decisions_show_on_the_flagged_bid(award: AwardWorld) -> None:
    award.mark_all()
    client = award.client_for(award.commissioner)
    text = page_text(client.get(bid_url(award, award.bid_ids[FLAGGED])))
    assert text.count("Decision needed.") == 2
    award.decide_price_checks("disregard")
    text = page_text(client.get(bid_url(award, award.bid_ids[FLAGGED])))
    assert "Status Excluded" in text
    assert "Why this bid is excluded" in text
    assert "Decision: bid disregarded." in text


def test_a_bid_not_in_the_round_is_not_found(award: AwardWorld) -> None:
    evaluated(award)
    with award.app.app_context():
        organisation = Organisation(name="Late Start Care")
        db.session.add(organisation)
        db.session.flush()
        draft = Bid(
            round_id=award.round_id,
            organisation_id=organisation.id,
            status=BidStatus.DRAFT.value,
            answers={},
        )
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    client = award.client_for(award.commissioner)
    assert client.get(bid_url(award, draft_id)).status_code == 404
    assert client.get(bid_url(award, draft_id + 100)).status_code == 404
    other_round = f"/commissioning/rounds/{award.round_id + 1}/results/{award.bid_ids['kestrel']}"
    assert client.get(other_round).status_code == 404


def test_before_the_deadline_no_bid_can_be_opened(award: AwardWorld) -> None:
    award.now = CLOSES_AT - timedelta(minutes=5)
    response = award.client_for(award.commissioner).get(bid_url(award, award.bid_ids["kestrel"]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["evaluator", "provider"])
def test_evaluators_and_providers_are_refused(award: AwardWorld, who: str) -> None:
    evaluated(award)
    user = award.evaluators[1] if who == "evaluator" else award.providers["kestrel"]
    response = award.client_for(user).get(bid_url(award, award.bid_ids["kestrel"]))
    assert response.status_code == 403


def test_the_board_opens_a_bid_once_the_results_are_submitted(award: AwardWorld) -> None:
    evaluated(award)
    client = award.client_for(award.board)
    url = bid_url(award, award.bid_ids["kestrel"])
    assert client.get(url).status_code == 403
    submitted(award)
    assert client.get(url).status_code == 200
