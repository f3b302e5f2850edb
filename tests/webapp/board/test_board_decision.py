"""The board's pages: the queue, the results with the recommendation, and the one decision."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.test import TestResponse

from tests.webapp.award_world import FLAGGED, PROVIDERS, AwardWorld
from tests.webapp.board.states import (
    client_with_token,
    decided,
    evaluated,
    page_text,
    submitted,
)
from tests.webapp.confirming import confirmation_fields
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import csrf_token_of, post_form
from webapp.extensions import db
from webapp.mail import outbox_of
from webapp.models import AuditEvent, BoardDecisionKind, BoardSubmission, User
from webapp.services.award import (
    AwardStage,
    BoardRefusedError,
    EvaluationLockedError,
    award_stage,
    ensure_evaluation_open,
    record_decision,
)


def board_url(award: AwardWorld) -> str:
    return f"/board/rounds/{award.round_id}"


def decide_and_confirm(award: AwardWorld, answers: dict[str, str]) -> TestResponse:
    """Post the decision form, check the "Are you sure" page, then confirm from it."""
    client = award.client_for(award.board)
    asked = post_form(client, board_url(award), answers)
    assert asked.status_code == 200
    assert parse_page(asked).h1s[0].startswith("Are you sure you want to")
    return client.post(board_url(award), data=confirmation_fields(asked))


def test_the_queue_lists_rounds_awaiting_a_decision_and_decided_ones(award: AwardWorld) -> None:
    client = award.client_for(award.board)
    assert "No results are waiting for a decision." in page_text(client.get("/board/"))
    evaluated(award)
    first = submitted(award)
    text = page_text(client.get("/board/"))
    assert text.startswith("Decisions waiting for you")
    assert (
        "Results submitted to the board, awaiting its decision Round Recommended bid Submitted "
        "Homecare, Lot 1" in text
    )
    assert "Hollin Brook Care Co-operative" in text
    assert "Not ready to decide" not in text
    decided(award, first, "approve")
    text = page_text(client.get("/board/"))
    assert "No results are waiting for a decision." in text
    assert "Past decisions Round Decision Decided Homecare, Lot 1" in text
    assert "Approved 2 April 2027 at 11:00am by Ruth Bamber" in text


def test_the_board_sees_the_results_the_recommendation_and_the_decision_form(
    award: AwardWorld,
) -> None:
    evaluated(award)
    submitted(award, note="Price flags accepted after clarification.")
    response = award.client_for(award.board).get(board_url(award))
    page = parse_page(response)
    text = page_text(response)
    assert response.status_code == 200
    assert page.duplicate_ids == []
    assert "Recommended bid Hollin Brook Care Co-operative" in text
    assert "Commissioner’s note Price flags accepted after clarification." in text
    assert "Probability of ranking first" in text
    assert "What is the board's decision?" in text
    assert "Record the decision" in text
    events = f"/commissioning/rounds/{award.round_id}/events"
    assert events in page.links
    assert award.client_for(award.board).get(events).status_code == 200


def test_approving_awards_the_round_audits_and_tells_every_bidder(award: AwardWorld) -> None:
    evaluated(award)
    submission_id = submitted(award)
    outbox = outbox_of(award.app)
    sent_before = len(outbox)
    response = decide_and_confirm(award, {"decision": "approve", "comments": ""})
    assert response.status_code == 302
    [row] = award.rows(BoardSubmission, id=submission_id)
    assert row.decision == "approve"
    assert row.decided_by_id == award.board.id
    assert row.decided_at is not None
    [event] = award.rows(AuditEvent, action="board.decided")
    assert event.subject == f"board_submission:{submission_id}"
    assert event.before_digest != event.after_digest
    with award.app.app_context():
        assert award_stage(award.round()) == AwardStage.AWARDED
        with pytest.raises(EvaluationLockedError, match="approved the award"):
            ensure_evaluation_open(award.round())
    sent = outbox[sent_before:]
    assert sorted(m["To"] for m in sent) == sorted(award.providers[k].email for k in PROVIDERS)
    kestrel = next(m for m in sent if m["To"] == award.providers["kestrel"].email)
    assert f"/provider/bids/{award.bid_ids['kestrel']}/outcome" in kestrel.get_content()
    text = page_text(award.client_for(award.board).get(board_url(award)))
    assert "Approved on 2 April 2027 at 11:00am by Ruth Bamber" in text
    assert "Record the decision" not in text


def test_referring_back_needs_comments(award: AwardWorld) -> None:
    evaluated(award)
    submission_id = submitted(award)
    response = post_form(
        award.client_for(award.board), board_url(award), {"decision": "refer_back", "comments": " "}
    )
    assert response.status_code == 200
    assert "Enter the board's comments" in page_text(response)
    [row] = award.rows(BoardSubmission, id=submission_id)
    assert row.decision is None
    assert award.rows(AuditEvent, action="board.decided") == []


def test_a_referral_reopens_evaluation_and_the_commissioner_sees_why(award: AwardWorld) -> None:
    evaluated(award)
    submitted(award)
    comments = "Look again at the spread of marks on Kestrel's person-centred care answer."
    response = decide_and_confirm(award, {"decision": "refer_back", "comments": comments})
    assert response.status_code == 302
    with award.app.app_context():
        assert award_stage(award.round()) == AwardStage.EVALUATING
        ensure_evaluation_open(award.round())  # marks and moderation may change again
    text = page_text(
        award.client_for(award.commissioner).get(f"/commissioning/rounds/{award.round_id}")
    )
    assert "The board referred the results back" in text
    assert comments in text
    assert "Submit the results to the board" in text


def test_a_second_decision_on_the_same_submission_is_refused(award: AwardWorld) -> None:
    evaluated(award)
    submission_id = submitted(award)
    first, second = award.client_for(award.board), award.client_for(award.board)
    # Both open the form before either decides; the second then sees the first's decision.
    first_token = csrf_token_of(first, board_url(award))
    second_token = csrf_token_of(second, board_url(award))
    data = {"submission": str(submission_id), "comments": "", "confirmed": "yes"}
    approve = first.post(
        board_url(award), data={**data, "decision": "approve", "csrf_token": first_token}
    )
    assert approve.status_code == 302
    refer = {**data, "decision": "refer_back", "comments": "No.", "csrf_token": second_token}
    # Neither the confirmation page nor the confirmed post is offered once it is decided.
    unconfirmed = {k: v for k, v in refer.items() if k != "confirmed"}
    for posted in (unconfirmed, refer):
        response = second.post(board_url(award), data=posted)
        assert response.status_code == 409
        assert "The board has already decided on these results" in page_text(response)
    [row] = award.rows(BoardSubmission, id=submission_id)
    assert row.decision == "approve"
    assert row.comments is None
    assert len(award.rows(AuditEvent, action="board.decided")) == 1


def test_an_old_submission_cannot_be_decided_after_a_new_one(award: AwardWorld) -> None:
    evaluated(award)
    old = submitted(award)
    decided(award, old, "refer_back", "Check again.")
    submitted(award)
    client, token = client_with_token(award, award.board)
    data = {"submission": str(old), "decision": "approve", "confirmed": "yes"}
    response = client.post(board_url(award), data={**data, "csrf_token": token})
    assert response.status_code == 409
    [row] = award.rows(BoardSubmission, id=old)
    assert row.decision == "refer_back"


def test_results_that_changed_since_submission_cannot_be_decided(award: AwardWorld) -> None:
    evaluated(award)
    submission_id = award.submit_to_board()  # digests that no longer match the inputs
    client, token = client_with_token(award, award.board)
    text = page_text(client.get(board_url(award)))
    assert "The results have changed since they were submitted to the board" in text
    assert "Record the decision" not in text
    for confirmed in ({}, {"confirmed": "yes"}):
        data = {"decision": "approve", "csrf_token": token, **confirmed}
        response = client.post(board_url(award), data=data)
        assert response.status_code == 409
        assert "Are you sure" not in page_text(response)
    [row] = award.rows(BoardSubmission, id=submission_id)
    assert row.decision is None


def test_a_round_never_put_to_the_board_is_not_found(award: AwardWorld) -> None:
    client = award.client_for(award.board)
    assert client.get(board_url(award)).status_code == 404
    assert client.get(f"/board/rounds/{award.round_id + 9}").status_code == 404


@pytest.mark.parametrize("who", ["commissioner", "admin", "evaluator", "provider"])
def test_only_board_members_use_the_board_pages(award: AwardWorld, who: str) -> None:
    evaluated(award)
    submission_id = submitted(award)
    user = {
        "commissioner": award.commissioner,
        "admin": award.admin,
        "evaluator": award.evaluators[0],
        "provider": award.providers[FLAGGED],
    }[who]
    client, token = client_with_token(award, user)
    assert client.get("/board/").status_code == 403
    assert client.get(board_url(award)).status_code == 403
    data = {"decision": "approve", "csrf_token": token, "confirmed": "yes"}
    response = client.post(board_url(award), data=data)
    assert response.status_code == 403
    [row] = award.rows(BoardSubmission, id=submission_id)
    assert row.decision is None


def test_the_round_page_shows_the_stage_to_staff(award: AwardWorld) -> None:
    url = f"/commissioning/rounds/{award.round_id}"
    evaluated(award)
    response = award.client_for(award.commissioner).get(url)
    assert "Stage Evaluating" in page_text(response)
    links = parse_page(response).links
    for path in ("results", "submit-to-board", "moderation", "price-checks", "events"):
        assert f"{url}/{path}" in links, path
    submitted(award)
    text = page_text(award.client_for(award.board).get(url))
    assert "Stage With the board" in text
    assert parse_page(award.client_for(award.board).get(url)).links.count(board_url(award)) == 1
    evaluator_text = page_text(award.client_for(award.evaluators[0]).get(url))
    assert "Stage With the board" in evaluator_text
    assert "Results" not in evaluator_text.split("Evaluation and award", 1)[1]


def test_of_two_decisions_racing_only_the_first_is_kept(award: AwardWorld) -> None:
    evaluated(award)
    submission_id = submitted(award)
    with award.app.app_context():
        board = db.session.get(User, award.board.id)
        stale = db.session.get(BoardSubmission, submission_id)
        assert stale is not None
        assert board is not None
        assert stale.decision is None  # read before the other decision lands
        with db.engine.begin() as other:  # another request decides meanwhile
            other.execute(
                sa.update(BoardSubmission)
                .where(BoardSubmission.id == submission_id)
                .values(decision="approve", decided_by_id=board.id, decided_at=award.now)
            )
        with pytest.raises(BoardRefusedError, match="already decided"):
            record_decision(
                stale, by=board, decision=BoardDecisionKind.REFER_BACK, comments="Look again."
            )
    [row] = award.rows(BoardSubmission, id=submission_id)
    assert row.decision == "approve"
    assert award.rows(AuditEvent, action="board.decided") == []


# --- "Are you sure" before the decision is recorded -----------------------------------------


def test_the_decision_form_comes_after_the_results_it_decides_on(award: AwardWorld) -> None:
    evaluated(award)
    submitted(award)
    html = award.client_for(award.board).get(board_url(award)).get_data(as_text=True)
    results = html.index("The results</h2>")
    assert html.index("Probability of ranking first") > results
    assert html.index('id="decision-form"') > html.index("Probability of ranking first")
    assert html.index('href="#decision-form"') < results


def test_approving_asks_are_you_sure_and_records_nothing_until_confirmed(
    award: AwardWorld,
) -> None:
    evaluated(award)
    submission_id = submitted(award)
    outbox = outbox_of(award.app)
    sent_before = len(outbox)
    client = award.client_for(award.board)
    comments = "The ranking is stable & every flag was decided."
    asked = post_form(client, board_url(award), {"decision": "approve", "comments": comments})
    page = parse_page(asked)
    text = page_text(asked)
    assert asked.status_code == 200
    assert page.h1s == ["Are you sure you want to approve the award?"]
    assert page.duplicate_ids == []
    assert "Every bidder will be emailed that their outcome is available" in text
    assert f"Comments {comments}" in text
    assert "Recommended bid Hollin Brook Care Co-operative" in text
    assert board_url(award) in page.links  # cancel
    fields = confirmation_fields(asked)
    assert fields["decision"] == "approve"
    assert fields["comments"] == comments
    assert fields["submission"] == str(submission_id)
    assert fields["confirmed"] == "yes"
    [row] = award.rows(BoardSubmission, id=submission_id)
    assert row.decision is None
    assert award.rows(AuditEvent, action="board.decided") == []
    assert len(outbox) == sent_before

    assert client.post(board_url(award), data=fields).status_code == 302
    [row] = award.rows(BoardSubmission, id=submission_id)
    assert row.decision == "approve"
    assert row.comments == comments
    assert len(award.rows(AuditEvent, action="board.decided")) == 1
    assert len(outbox) == sent_before + len(PROVIDERS)

    again = client.post(board_url(award), data=fields)  # the confirmation sent twice
    assert again.status_code == 409
    assert len(award.rows(AuditEvent, action="board.decided")) == 1
    assert len(outbox) == sent_before + len(PROVIDERS)


def test_referring_back_restates_the_consequence_and_cancel_changes_nothing(
    award: AwardWorld,
) -> None:
    evaluated(award)
    submission_id = submitted(award)
    client = award.client_for(award.board)
    comments = "Look again at Kestrel's marks."
    asked = post_form(client, board_url(award), {"decision": "refer_back", "comments": comments})
    page = parse_page(asked)
    assert page.h1s == ["Are you sure you want to refer the results back to the commissioner?"]
    assert "Evaluation reopens" in page_text(asked)
    assert confirmation_fields(asked)["comments"] == comments
    cancelled = client.get(board_url(award))  # the "Cancel" link
    assert "Record the decision" in page_text(cancelled)
    [row] = award.rows(BoardSubmission, id=submission_id)
    assert row.decision is None
    with award.app.app_context():
        assert award_stage(award.round()) == AwardStage.WITH_BOARD
    assert award.rows(AuditEvent, action="board.decided") == []


def test_a_decision_posted_without_the_confirmation_is_not_recorded(award: AwardWorld) -> None:
    evaluated(award)
    submission_id = submitted(award)
    client, token = client_with_token(award, award.board)
    data = {"submission": str(submission_id), "decision": "approve", "csrf_token": token}
    for confirmed in ("", "no"):
        response = client.post(board_url(award), data={**data, "confirmed": confirmed})
        assert response.status_code == 200
        assert "Are you sure you want to approve the award?" in page_text(response)
    [row] = award.rows(BoardSubmission, id=submission_id)
    assert row.decision is None
    assert award.rows(AuditEvent, action="board.decided") == []


# --- the board's start page ------------------------------------------------------------------


def test_a_board_member_lands_on_the_decisions_waiting_for_them(award: AwardWorld) -> None:
    client = award.app.test_client()
    response = post_form(
        client, "/sign-in", {"email": award.board.email, "password": "correct horse battery staple"}
    )
    assert response.headers["Location"] == "/board/"
    page = parse_page(client.get("/board/"))
    assert page.h1s == ["Decisions waiting for you"]
    assert "/board/" in page.links  # the header's "Your decisions"


def test_results_that_changed_are_listed_as_not_ready_to_decide(award: AwardWorld) -> None:
    evaluated(award)
    award.submit_to_board()  # digests that no longer match the inputs
    text = page_text(award.client_for(award.board).get("/board/"))
    assert "Not ready to decide: The results have changed since they were submitted" in text


def test_only_the_latest_past_decisions_are_listed(award: AwardWorld) -> None:
    evaluated(award)
    for number in range(12):
        decided(award, submitted(award), "refer_back", f"Look again, time {number + 1}.")
    response = award.client_for(award.board).get("/board/")
    html = response.get_data(as_text=True)
    decided_table = html[
        html.index('id="decided"') : html.index("</table>", html.index('id="decided"'))
    ]
    assert decided_table.count("Referred back") == 10
    assert "The 10 latest decisions are shown. 2 earlier decisions" in page_text(response)
