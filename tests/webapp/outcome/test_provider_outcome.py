"""A provider's outcome: published only after the board approves, and only for its own bid."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from criteria.wording import plain
from tests.webapp.award_world import EVALUATED, EXAMPLE, FLAGGED, PROVIDERS, AwardWorld
from tests.webapp.board.states import awarded, decided, evaluated, page_text, submitted
from webapp.extensions import db
from webapp.models import EvaluatorMark
from webapp.services.results import round_inputs, round_result

SCORE = re.compile(r"\b\d{1,3}\.\d{2}\b")
"""A score as the pages show one (79.09): none may reach a provider before the award."""


def outcome_url(award: AwardWorld, key: str) -> str:
    return f"/provider/bids/{award.bid_ids[key]}/outcome"


def provider_pages(award: AwardWorld, key: str) -> list[str]:
    bid_id = award.bid_ids[key]
    return ["/provider/", f"/provider/bids/{bid_id}", f"/provider/bids/{bid_id}/receipt"]


@pytest.mark.parametrize("stage", ["evaluating", "with the board", "referred back"])
def test_provider_reading_results_before_the_board_decision_is_refused(
    award: AwardWorld, stage: str
) -> None:
    evaluated(award)
    if stage != "evaluating":
        submission_id = submitted(award)
        if stage == "referred back":
            decided(award, submission_id, "refer_back", "Check the marks.")
    client = award.client_for(award.providers["kestrel"])
    assert client.get(outcome_url(award, "kestrel")).status_code == 404
    for url in provider_pages(award, "kestrel"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 404), url
        assert "/outcome" not in html, url
        assert SCORE.findall(page_text(response)) == [], url
        assert "Hollin Brook" not in html, url


def test_an_unsuccessful_bidder_sees_its_rank_scores_the_winner_and_reasons(
    award: AwardWorld,
) -> None:
    awarded(award)
    response = award.client_for(award.providers["kestrel"]).get(outcome_url(award, "kestrel"))
    assert response.status_code == 200
    text = page_text(response)
    with award.app.app_context():
        result = round_result(round_inputs(award.round()))
        own = result.bid(award.bid("kestrel").reference or "")
        winner = result.bid(award.bid("hollin-brook").reference or "")
    assert "Your bid was not successful." in text
    assert "Your position Ranked 3 of 4 ranked bids" in text
    assert "Your total score 77.14 out of 100" in text
    assert "Winning tender Hollin Brook Care Co-operative, 79.09 out of 100" in text
    assert "Quality 40.00 31.50 31.50" in text  # pillar: available, yours, the winner's
    for score in own.criteria:
        if score.weight > 0 and score.status != "not_applicable":
            assert plain(score.reason, EXAMPLE.framework) in text
            assert plain(winner.criterion(score.criterion_id).reason, EXAMPLE.framework) in text
    assert "$" not in text
    assert "How to score more next time" in text
    assert "You scored" in text  # improvement advice, most points first


def test_the_winner_is_told_it_was_successful(award: AwardWorld) -> None:
    awarded(award)
    text = page_text(
        award.client_for(award.providers["hollin-brook"]).get(outcome_url(award, "hollin-brook"))
    )
    assert "Your bid was successful" in text
    assert "Ranked 1 of 4 ranked bids" in text
    assert "Winning tender’s score" not in text


def test_evaluators_reasons_are_shown_without_their_names(award: AwardWorld) -> None:
    evaluated(award)
    with award.app.app_context():
        for index, mark in enumerate(db.session.scalars(sa.select(EvaluatorMark))):
            mark.justification = f"Clear evidence, point {index}."
        db.session.commit()
    award.moderate("kestrel", EVALUATED[0], 4, "The panel agreed on strong local evidence.")
    decided(award, submitted(award), "approve")
    text = page_text(
        award.client_for(award.providers["kestrel"]).get(outcome_url(award, "kestrel"))
    )
    assert "The panel agreed on strong local evidence." in text
    assert "Clear evidence, point" in text
    for evaluator in award.evaluators:
        assert evaluator.name not in text
    assert award.commissioner.name not in text


def test_an_excluded_bid_is_told_why(award: AwardWorld) -> None:
    award.mark_all()
    award.decide_price_checks("disregard")
    decided(award, submitted(award), "approve")
    text = page_text(award.client_for(award.providers[FLAGGED]).get(outcome_url(award, FLAGGED)))
    assert "Excluded: your bid could not be ranked" in text
    assert "Why your bid was excluded" in text
    assert "This excluded your bid:" in text


def test_the_dashboard_links_the_outcome_once_published(award: AwardWorld) -> None:
    awarded(award)
    client = award.client_for(award.providers["lantern-trust"])
    html = client.get("/provider/").get_data(as_text=True)
    assert outcome_url(award, "lantern-trust") in html
    assert outcome_url(award, "kestrel") not in html


def test_another_organisations_outcome_is_not_found(award: AwardWorld) -> None:
    awarded(award)
    client = award.client_for(award.providers["kestrel"])
    for key in PROVIDERS:
        if key != "kestrel":
            assert client.get(outcome_url(award, key)).status_code == 404
    assert client.get("/provider/bids/99999/outcome").status_code == 404


@pytest.mark.parametrize("who", ["commissioner", "board", "evaluator", "admin"])
def test_staff_do_not_use_the_provider_outcome_page(award: AwardWorld, who: str) -> None:
    awarded(award)
    user = {
        "commissioner": award.commissioner,
        "board": award.board,
        "evaluator": award.evaluators[0],
        "admin": award.admin,
    }[who]
    assert award.client_for(user).get(outcome_url(award, "kestrel")).status_code == 403
