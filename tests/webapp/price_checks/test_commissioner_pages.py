"""The commissioner's price-check pages: the list, asking the provider, and the decision."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.webapp.award_world import CLOSES_AT, EVALUATED, FLAGGED, AwardWorld
from tests.webapp.board.states import page_text
from tests.webapp.confirming import confirmation_fields, confirmation_form
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import csrf_token_in, post_form
from tests.webapp.moderation.pages import client_with_token, text_of
from tests.webapp.price_checks.checks import (
    CODE,
    OTHER_CODE,
    RESPONSE,
    check_url,
    found,
    list_url,
    stored,
    write_check,
)
from webapp.mail import outbox_of
from webapp.models import AuditEvent, PriceCheck


@pytest.mark.parametrize("who", ["commissioner", "admin"])
def test_list_shows_each_flag_with_its_reason_and_status(award: AwardWorld, who: str) -> None:
    award.mark_all()
    response = award.client_for(getattr(award, who)).get(list_url(award))
    page = parse_page(response)
    assert page.status_code == 200
    assert not page.duplicate_ids
    text = text_of(response.get_data(as_text=True))
    assert "Abnormally low price" in text
    assert "Price does not fund the promised pay" in text
    assert "£24.50 is below £32.14" in text
    assert text.count("Not asked") == 2
    assert check_url(award, CODE) in page.links
    assert check_url(award, OTHER_CODE) in page.links


@pytest.mark.parametrize("who", ["evaluator", "board", "provider"])
def test_other_roles_are_refused(award: AwardWorld, who: str) -> None:
    user = {
        "evaluator": award.evaluators[0],
        "board": award.board,
        "provider": award.providers[FLAGGED],
    }[who]
    client, token = client_with_token(award, user)
    assert client.get(list_url(award)).status_code == 403
    assert client.get(check_url(award)).status_code == 403
    data = {"csrf_token": token, "action": "ask", "question": "Explain"}
    assert client.post(check_url(award), data=data).status_code == 403
    assert award.rows(PriceCheck) == []


def test_before_the_deadline_the_pages_do_not_exist(award: AwardWorld) -> None:
    award.now = CLOSES_AT - timedelta(minutes=1)
    client = award.client_for(award.commissioner)
    assert client.get(list_url(award)).status_code == 404
    assert client.get(check_url(award)).status_code == 404


def test_unflagged_bid_or_unknown_flag_is_not_found(award: AwardWorld) -> None:
    client = award.client_for(award.commissioner)
    assert client.get(check_url(award, CODE, key="kestrel")).status_code == 404
    assert client.get(check_url(award, "too_expensive")).status_code == 404


def test_question_is_prefilled_quoting_the_flag_and_no_decision_before_asking(
    award: AwardWorld,
) -> None:
    html = award.client_for(award.commissioner).get(check_url(award)).get_data(as_text=True)
    assert "£24.50 is below £32.14" in html.split('name="question"', 1)[1]
    assert 'name="decision"' not in html


def test_asking_records_the_question_emails_the_provider_and_audits(award: AwardWorld) -> None:
    client = award.client_for(award.commissioner)
    sent = len(outbox_of(award.app))
    response = post_form(
        client, check_url(award), {"action": "ask", "question": "Please explain the rate."}
    )
    assert response.status_code == 302
    check = stored(award)
    assert check is not None
    assert (check.status, check.question) == ("asked", "Please explain the rate.")
    assert check.asked_by_id == award.commissioner.id
    [event] = award.rows(AuditEvent, action="price_check.asked")
    assert event.subject == f"price_check:{check.id}"
    [message] = outbox_of(award.app)[sent:]
    assert message["To"] == award.providers[FLAGGED].email
    assert f"/provider/bids/{award.bid_ids[FLAGGED]}/price-checks/{check.id}" in (
        message.get_content()
    )
    listing = text_of(client.get(list_url(award)).get_data(as_text=True))
    assert "Asked on 2 April 2027 at 11:00am" in listing  # London summer time


def test_blank_question_is_refused(award: AwardWorld) -> None:
    client = award.client_for(award.commissioner)
    response = post_form(client, check_url(award), {"action": "ask", "question": "  "})
    assert response.status_code == 200
    assert "Enter the question for the provider" in response.get_data(as_text=True)
    assert award.rows(PriceCheck) == []


def test_a_decision_before_asking_is_refused(award: AwardWorld) -> None:
    client = award.client_for(award.commissioner)
    data = {"action": "decide", "decision": "disregard", "reason": "Too low."}
    response = post_form(client, check_url(award), data)
    assert response.status_code == 409
    assert "Ask the provider to explain the price before" in response.get_data(as_text=True)
    assert award.rows(PriceCheck) == []


def test_decision_after_the_answer_is_recorded_and_final(award: AwardWorld) -> None:
    award.mark_all()
    write_check(award, status="answered")
    client = award.client_for(award.commissioner)
    page = client.get(check_url(award)).get_data(as_text=True)
    assert RESPONSE in page
    assert 'name="question"' not in page  # answered: no asking again
    data = {"action": "decide", "decision": "disregard", "reason": "Rate cannot fund pay."}
    asked = client.post(check_url(award), data={**data, "csrf_token": csrf_token_in(page)})
    assert asked.status_code == 200  # "Are you sure": nothing recorded yet
    assert found(award).status == "answered"
    response = client.post(check_url(award), data=confirmation_fields(asked))
    assert response.status_code == 302
    check = stored(award)
    assert check is not None
    assert (check.status, check.decision) == ("decided", "disregard")
    assert check.decision_reason == "Rate cannot fund pay."
    assert len(award.rows(AuditEvent, action="price_check.decided")) == 1
    assert "Disregarded" in client.get(list_url(award)).get_data(as_text=True)
    # Deciding again is refused, and the first decision stands.
    again = client.post(
        check_url(award),
        data={**data, "decision": "accept", "csrf_token": csrf_token_in(page)},
    )
    assert again.status_code == 409
    assert "A price decision is final" in again.get_data(as_text=True)
    assert found(award).decision == "disregard"


def test_deciding_without_an_answer_says_so_in_the_reason(award: AwardWorld) -> None:
    write_check(award, status="asked")
    client = award.client_for(award.commissioner)
    assert "The provider has not answered yet" in client.get(check_url(award)).get_data(True)
    data = {"action": "decide", "decision": "accept", "reason": "Price is plausible."}
    assert post_form(client, check_url(award), data).status_code == 302
    check = stored(award)
    assert check is not None
    assert check.decision_reason is not None
    assert check.decision_reason.startswith("Decided without an answer from the provider")
    assert check.decision_reason.endswith("Price is plausible.")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "Because."}, "Select whether to accept the price or disregard the tender"),
        ({"decision": "accept", "reason": " "}, "Enter the reason for your decision"),
        ({"decision": "ignore", "reason": "Because."}, "Not a valid choice"),
    ],
)
def test_invalid_decisions_are_refused(
    award: AwardWorld, data: dict[str, str], message: str
) -> None:
    write_check(award, status="answered")
    client = award.client_for(award.commissioner)
    response = post_form(client, check_url(award), {"action": "decide", **data})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert found(award).status == "answered"


def test_nothing_changes_while_with_the_board(award: AwardWorld) -> None:
    write_check(award, status="answered")
    client = award.client_for(award.commissioner)
    page = client.get(check_url(award)).get_data(as_text=True)
    award.submit_to_board()
    locked = client.get(check_url(award)).get_data(as_text=True)
    assert "The results are with the board" in locked
    assert 'name="decision"' not in locked
    data = {"action": "decide", "decision": "accept", "reason": "OK", "csrf_token": ""}
    data["csrf_token"] = csrf_token_in(page) or ""
    response = client.post(check_url(award), data=data)
    assert response.status_code == 409
    assert found(award).status == "answered"


def test_flag_on_a_bid_excluded_otherwise_needs_no_decision(award: AwardWorld) -> None:
    award.mark_all(spread={(FLAGGED, c): (0, 0, 0) for c in EVALUATED})
    client = award.client_for(award.commissioner)
    text = text_of(client.get(list_url(award)).get_data(as_text=True))
    assert text.count("No decision needed: the bid is excluded") == 2
    page = text_of(client.get(check_url(award)).get_data(as_text=True))
    assert "No decision needed: the bid is excluded" in page
    assert "below the published minimum" in page


def test_a_post_that_names_no_step_is_a_bad_request(award: AwardWorld) -> None:
    client = award.client_for(award.commissioner)
    response = post_form(client, check_url(award), {"action": "delete", "question": "Hm"})
    assert response.status_code == 400
    assert award.rows(PriceCheck) == []


# --- "Are you sure" before a tender is disregarded -------------------------------------------


def test_disregarding_asks_are_you_sure_with_the_reason_and_records_nothing(
    award: AwardWorld,
) -> None:
    award.mark_all()
    write_check(award, status="answered")
    client = award.client_for(award.commissioner)
    reason = "Travel time is unpaid,\nso the promised pay is not funded."
    data = {"action": "decide", "decision": "disregard", "reason": reason}
    asked = post_form(client, check_url(award), data)
    page = parse_page(asked)
    text = page_text(asked)
    assert asked.status_code == 200
    assert page.h1s == [
        "Are you sure you want to disregard the tender of Meridian Crest Homecare Ltd?"
    ]
    assert page.duplicate_ids == []
    assert "The bid will be excluded from the ranking, with your reason given as why" in text
    assert "Reason Travel time is unpaid, so the promised pay is not funded." in text
    assert check_url(award) in page.links  # cancel
    action, fields = confirmation_form(asked)
    assert action == check_url(award)
    assert fields["action"] == "decide"
    assert fields["decision"] == "disregard"
    assert fields["reason"] == reason
    assert fields["confirmed"] == "yes"
    assert found(award).status == "answered"
    assert award.rows(AuditEvent, action="price_check.decided") == []
    # Cancel: the check page again, still waiting for a decision.
    assert 'name="decision"' in client.get(check_url(award)).get_data(as_text=True)

    assert client.post(check_url(award), data=fields).status_code == 302
    check = found(award)
    assert (check.status, check.decision, check.decision_reason) == ("decided", "disregard", reason)
    assert len(award.rows(AuditEvent, action="price_check.decided")) == 1
    again = client.post(check_url(award), data=fields)
    assert again.status_code == 409
    assert len(award.rows(AuditEvent, action="price_check.decided")) == 1


def test_a_disregard_posted_without_the_confirmation_is_not_recorded(award: AwardWorld) -> None:
    write_check(award, status="answered")
    client = award.client_for(award.commissioner)
    data = {"action": "decide", "decision": "disregard", "reason": "Too low.", "confirmed": "no"}
    response = post_form(client, check_url(award), data)
    assert response.status_code == 200
    assert "Are you sure you want to disregard the tender" in response.get_data(as_text=True)
    assert found(award).status == "answered"
    assert award.rows(AuditEvent, action="price_check.decided") == []


def test_accepting_a_price_needs_no_confirmation_page(award: AwardWorld) -> None:
    write_check(award, status="answered")
    client = award.client_for(award.commissioner)
    data = {"action": "decide", "decision": "accept", "reason": "The breakdown adds up."}
    assert post_form(client, check_url(award), data).status_code == 302
    assert found(award).decision == "accept"


def test_a_disregard_already_decided_is_refused_before_any_confirmation(
    award: AwardWorld,
) -> None:
    write_check(award, status="answered")
    client = award.client_for(award.commissioner)
    page = client.get(check_url(award)).get_data(as_text=True)
    token = csrf_token_in(page)
    accept = {"action": "decide", "decision": "accept", "reason": "Fine.", "csrf_token": token}
    assert client.post(check_url(award), data=accept).status_code == 302
    disregard = {**accept, "decision": "disregard"}
    response = client.post(check_url(award), data=disregard)
    assert response.status_code == 409
    assert "Are you sure" not in response.get_data(as_text=True)
    assert found(award).decision == "accept"
