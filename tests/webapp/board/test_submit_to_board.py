"""Putting a round's results to the board: readiness, the submission, and refusals."""

from __future__ import annotations

import pytest

from tests.webapp.award_world import EVALUATED, FLAGGED, AwardWorld
from tests.webapp.board.states import client_with_token, decided, evaluated, page_text, submitted
from tests.webapp.forms_helper import csrf_token_of, post_form
from webapp.mail import outbox_of
from webapp.models import AuditEvent, BoardSubmission
from webapp.services.award import (
    AwardStage,
    EvaluationLockedError,
    award_stage,
    ensure_evaluation_open,
    readiness,
    result_digest,
)
from webapp.services.results import round_inputs, round_result

ANY_FORM = "/commissioning/rounds/new"
"""A page with a form, for a CSRF token when the page posted to shows none (it refuses)."""


def submit_url(award: AwardWorld) -> str:
    return f"/commissioning/rounds/{award.round_id}/submit-to-board"


def test_an_unmarked_round_lists_what_is_missing_and_offers_no_button(award: AwardWorld) -> None:
    response = award.client_for(award.commissioner).get(submit_url(award))
    text = page_text(response)
    assert response.status_code == 200
    assert "Not ready for the board" in text
    assert "Still awaiting evaluation: Hollin Brook Care Co-operative" in text
    assert "Submit to the board" not in text


def test_undecided_price_checks_and_wide_spreads_stop_the_submission(award: AwardWorld) -> None:
    award.mark_all(spread={("kestrel", EVALUATED[0]): (1, 3, 5)})
    with award.app.app_context():
        reasons = readiness(award.round())
    assert any("Meridian Crest" in r for r in reasons)
    assert any("Kestrel" in r for r in reasons)
    client = award.client_for(award.commissioner)
    response = post_form(client, submit_url(award), {"note": ""}, token_from=ANY_FORM)
    assert response.status_code == 409
    assert "The results cannot be submitted" in page_text(response)
    assert award.rows(BoardSubmission) == []


def test_a_ready_round_shows_the_recommendation_and_the_form(award: AwardWorld) -> None:
    evaluated(award)
    with award.app.app_context():
        assert readiness(award.round()) == []
    text = page_text(award.client_for(award.commissioner).get(submit_url(award)))
    assert "Ready for the board" in text
    assert "Recommended: Hollin Brook Care Co-operative, with 79.09 points" in text


def test_submitting_records_the_digests_the_recommendation_audits_and_emails_the_board(
    award: AwardWorld,
) -> None:
    evaluated(award)
    outbox = outbox_of(award.app)
    sent_before = len(outbox)
    response = post_form(
        award.client_for(award.commissioner),
        submit_url(award),
        {"note": "Both price flags were accepted after clarification."},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/commissioning/rounds/{award.round_id}"
    [submission] = award.rows(BoardSubmission)
    with award.app.app_context():
        inputs = round_inputs(award.round())
        result = round_result(inputs)
        assert award_stage(award.round()) == AwardStage.WITH_BOARD
    assert submission.inputs_digest == inputs.digest
    assert submission.result_digest == result_digest(result.to_json())
    assert submission.recommended_bid_id == award.bid_ids["hollin-brook"]
    assert submission.note == "Both price flags were accepted after clarification."
    assert submission.submitted_by_id == award.commissioner.id
    assert submission.decision is None
    [event] = award.rows(AuditEvent, action="board.submitted")
    assert event.subject == f"board_submission:{submission.id}"
    assert event.round_id == award.round_id
    assert event.actor_id == award.commissioner.id
    assert event.after_digest is not None
    sent = outbox[sent_before:]
    assert [m["To"] for m in sent] == [award.board.email]
    assert f"/board/rounds/{award.round_id}" in sent[0].get_content()


def test_after_submission_nothing_that_feeds_the_result_may_change(award: AwardWorld) -> None:
    evaluated(award)
    post_form(award.client_for(award.commissioner), submit_url(award), {})
    with award.app.app_context(), pytest.raises(EvaluationLockedError, match="with the board"):
        ensure_evaluation_open(award.round())


def test_a_second_submission_is_refused_while_the_results_are_with_the_board(
    award: AwardWorld,
) -> None:
    evaluated(award)
    client = award.client_for(award.commissioner)
    token = csrf_token_of(client, submit_url(award))  # a double click sends the form twice
    assert client.post(submit_url(award), data={"csrf_token": token}).status_code == 302
    response = client.post(submit_url(award), data={"csrf_token": token})
    assert response.status_code == 409
    assert "already with the board" in page_text(response)
    assert len(award.rows(BoardSubmission)) == 1
    assert len(award.rows(AuditEvent, action="board.submitted")) == 1


def test_after_a_referral_the_commissioner_can_submit_again(award: AwardWorld) -> None:
    evaluated(award)
    first = submitted(award)
    decided(award, first, "refer_back", "Check the Kestrel marks again.")
    client = award.client_for(award.commissioner)
    assert "Ready for the board" in page_text(client.get(submit_url(award)))
    assert post_form(client, submit_url(award), {}).status_code == 302
    rows = award.rows(BoardSubmission)
    assert [r.id for r in rows if r.decision is None] != [first]
    assert len(rows) == 2


def test_after_the_award_the_submission_page_refuses(award: AwardWorld) -> None:
    evaluated(award)
    decided(award, submitted(award), "approve")
    response = award.client_for(award.admin).get(submit_url(award))
    assert "The board has already approved the award" in page_text(response)
    assert "Submit to the board" not in page_text(response)


@pytest.mark.parametrize("who", ["evaluator", "board", "provider"])
def test_only_managers_may_submit(award: AwardWorld, who: str) -> None:
    evaluated(award)
    user = {
        "evaluator": award.evaluators[0],
        "board": award.board,
        "provider": award.providers[FLAGGED],
    }[who]
    client, token = client_with_token(award, user)
    assert client.get(submit_url(award)).status_code == 403
    assert client.post(submit_url(award), data={"csrf_token": token}).status_code == 403
    assert award.rows(BoardSubmission) == []
