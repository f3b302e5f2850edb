"""A provider's outcome: published only after the board approves, and only for its own bid."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from criteria.wording import plain
from tests.webapp.award_world import EVALUATED, EXAMPLE, FLAGGED, PROVIDERS, AwardWorld
from tests.webapp.board.states import awarded, decided, evaluated, page_text, submitted
from webapp.extensions import db
from webapp.models import BoardSubmission, EvaluatorMark, User
from webapp.provider.outcome import london_date
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
    # The commissioner who moderated is named only as the round's contact, never beside a mark.
    assert text.count(award.commissioner.name) == 1
    assert f"Who to contact Commissioner {award.commissioner.name}" in text


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


# --- what happens next ---------------------------------------------------------------------------


def test_an_unsuccessful_bidder_is_told_what_happens_next(award: AwardWorld) -> None:
    awarded(award)
    client = award.client_for(award.providers["kestrel"])
    response = client.get(outcome_url(award, "kestrel"))
    text = page_text(response)
    html = response.get_data(as_text=True)
    next_steps = text[text.index("What happens next") :]
    assert "standstill period of 8 working days" in next_steps
    assert "Procurement Act 2023" in next_steps
    assert "before the standstill period ends" in next_steps  # when to raise a concern
    assert "The contract will be awarded to the winning tender" in next_steps
    # Who to contact: the commissioner who created the round, at the council.
    assert "Commissioner Priya Shah" in next_steps
    assert f"Email {award.commissioner.email}" in next_steps
    assert f'href="mailto:{award.commissioner.email}?subject=' in html
    with award.app.app_context():
        council = award.app.config["COUNCIL_NAME"]
    assert f"Council {council}" in next_steps
    bid_id = award.bid_ids["kestrel"]
    summary = f"/provider/bids/{bid_id}/assessment-summary"
    assert 'id="next-summary-link"' in html
    assert html.count(f'href="{summary}"') >= 2
    assert client.get(summary).status_code == 200


def test_the_approval_date_is_given_and_no_standstill_date_is_made_up(award: AwardWorld) -> None:
    awarded(award)
    with award.app.app_context():
        submission = award.rows(BoardSubmission)[-1]
        approved = london_date(submission.decided_at)
    text = page_text(
        award.client_for(award.providers["kestrel"]).get(outcome_url(award, "kestrel"))
    )
    assert f"The council’s board approved the award on {approved}." in text
    assert "The contract award notice gives the date the standstill period ends." in text


def test_the_winner_is_told_the_council_will_be_in_touch_about_the_contract(
    award: AwardWorld,
) -> None:
    awarded(award)
    text = page_text(
        award.client_for(award.providers["hollin-brook"]).get(outcome_url(award, "hollin-brook"))
    )
    assert "The council will contact you about signing the contract" in text
    assert "The contract will be awarded to the winning tender" not in text


def test_without_a_commissioner_to_answer_the_council_is_the_contact(award: AwardWorld) -> None:
    awarded(award)
    with award.app.app_context():
        commissioner = db.session.get(User, award.commissioner.id)
        commissioner.is_active = False
        db.session.commit()
    response = award.client_for(award.providers["kestrel"]).get(outcome_url(award, "kestrel"))
    text = page_text(response)
    assert "Priya Shah" not in text
    assert "mailto:" not in response.get_data(as_text=True)
    assert "Write to the council’s commissioning team, quoting the round’s reference" in text
