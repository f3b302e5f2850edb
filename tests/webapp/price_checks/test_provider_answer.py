"""The provider's side of a price check: reading the question, answering once, the dashboard."""

from __future__ import annotations

from tests.webapp.award_world import FLAGGED, AwardWorld
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import csrf_token_in, post_form
from tests.webapp.moderation.pages import text_of
from tests.webapp.price_checks.checks import (
    CODE,
    QUESTION,
    RESPONSE,
    found,
    provider_url,
    stored,
    write_check,
)
from webapp.extensions import db
from webapp.mail import outbox_of
from webapp.models import AuditEvent, PriceCheck


def test_provider_reads_the_question_and_the_flag_reason(award: AwardWorld) -> None:
    check_id = write_check(award)
    response = award.client_for(award.providers[FLAGGED]).get(provider_url(award, check_id))
    page = parse_page(response)
    assert page.status_code == 200
    assert not page.duplicate_ids
    text = text_of(response.get_data(as_text=True))
    assert QUESTION in text
    assert "£24.50 is below £32.14" in text
    assert 'name="response"' in response.get_data(as_text=True)


def test_another_organisation_cannot_know_of_the_check(award: AwardWorld) -> None:
    check_id = write_check(award)
    other = award.client_for(award.providers["kestrel"])
    assert other.get(provider_url(award, check_id)).status_code == 404
    assert other.get(provider_url(award, check_id, key="kestrel")).status_code == 404


def test_staff_are_refused_the_provider_page(award: AwardWorld) -> None:
    check_id = write_check(award)
    client = award.client_for(award.commissioner)
    assert client.get(provider_url(award, check_id)).status_code == 403


def test_a_check_not_yet_asked_is_not_shown(award: AwardWorld) -> None:
    check_id = write_check(award, status="open")
    client = award.client_for(award.providers[FLAGGED])
    assert client.get(provider_url(award, check_id)).status_code == 404
    assert client.get(provider_url(award, 9999)).status_code == 404


def test_answering_records_it_once_audits_and_tells_the_council(award: AwardWorld) -> None:
    check_id = write_check(award)
    client = award.client_for(award.providers[FLAGGED])
    url = provider_url(award, check_id)
    token = csrf_token_in(client.get(url).get_data(as_text=True))
    sent = len(outbox_of(award.app))
    response = client.post(url, data={"csrf_token": token, "response": RESPONSE})
    assert response.status_code == 302
    check = stored(award)
    assert check is not None
    assert (check.status, check.response) == ("answered", RESPONSE)
    assert check.responded_by_id == award.providers[FLAGGED].id
    assert len(award.rows(AuditEvent, action="price_check.answered")) == 1
    [message] = outbox_of(award.app)[sent:]
    assert message["To"] == award.commissioner.email
    # Read-only from now on: no form, and a second answer is refused.
    page = client.get(url).get_data(as_text=True)
    assert 'name="response"' not in page
    assert "It cannot be changed" in page
    again = client.post(url, data={"csrf_token": token, "response": "A different answer"})
    assert again.status_code == 409
    assert found(award).response == RESPONSE


def test_blank_answer_is_refused(award: AwardWorld) -> None:
    check_id = write_check(award)
    client = award.client_for(award.providers[FLAGGED])
    response = post_form(client, provider_url(award, check_id), {"response": "   "})
    assert response.status_code == 200
    assert "Enter your answer to the council’s question" in response.get_data(as_text=True)
    assert found(award).status == "asked"


def test_decision_stays_private_until_the_board_approves(award: AwardWorld) -> None:
    award.mark_all()
    check_id = write_check(award, status="answered")
    with award.app.app_context():
        check = db.session.get(PriceCheck, check_id)
        assert check is not None
        check.status, check.decision = "decided", "disregard"
        check.decision_reason = "The rate cannot fund the promised pay."
        check.decided_by_id, check.decided_at = award.commissioner.id, award.now
        db.session.commit()
    client = award.client_for(award.providers[FLAGGED])
    url = provider_url(award, check_id)
    before = text_of(client.get(url).get_data(as_text=True))
    assert "The council is considering your price" in before
    assert "disregarded" not in before
    assert "cannot fund the promised pay" not in before
    award.submit_to_board()
    assert "disregarded" not in client.get(url).get_data(as_text=True)
    award.approve()
    after = text_of(client.get(url).get_data(as_text=True))
    assert "The council disregarded your tender." in after
    assert "The rate cannot fund the promised pay." in after


def test_dashboard_links_to_an_unanswered_question(award: AwardWorld) -> None:
    check_id = write_check(award)
    client = award.client_for(award.providers[FLAGGED])
    page = parse_page(client.get("/provider/"))
    assert provider_url(award, check_id) in page.links
    assert "Clarification requested" in client.get("/provider/").get_data(as_text=True)
    others = award.client_for(award.providers["kestrel"]).get("/provider/")
    assert "Clarification requested" not in others.get_data(as_text=True)
    with award.app.app_context():
        check = db.session.get(PriceCheck, check_id)
        assert check is not None
        check.status, check.response = "answered", RESPONSE
        db.session.commit()
    assert "Clarification requested" not in client.get("/provider/").get_data(as_text=True)


def test_only_the_asked_flag_is_listed(award: AwardWorld) -> None:
    write_check(award, CODE)
    html = award.client_for(award.providers[FLAGGED]).get("/provider/").get_data(as_text=True)
    assert html.count("Clarification requested") == 1
