"""Checking answers, the declaration, submitting, the receipt, resubmitting and withdrawing."""

from __future__ import annotations

import re

import sqlalchemy as sa
from werkzeug.test import TestResponse

from tests.webapp.conftest import parse_page
from tests.webapp.provider.bidding import (
    SECTION_ANSWERS,
    BidWorld,
    section_url,
)
from tests.webapp.provider.page_forms import read_form
from webapp.extensions import db
from webapp.models import AuditEvent, BidStatus


def text_of(response: TestResponse) -> str:
    return " ".join(response.get_data(as_text=True).split())


def form_action(response: TestResponse) -> str:
    """Where the page's form posts to."""
    found = re.search(r'<form method="post" action="([^"]*)"', response.get_data(as_text=True))
    assert found is not None
    return found.group(1)


# --- check your answers, submit, receipt -------------------------------------------------------


def test_check_answers_lists_every_section_with_change_links(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    response = world.client.get(f"/provider/bids/{bid_id}")
    assert "You have completed 5 of 5 sections." in text_of(response)
    assert f"/provider/bids/{bid_id}/check" in response.get_data(as_text=True)

    response = world.client.get(f"/provider/bids/{bid_id}/check")
    page = parse_page(response)
    assert page.status_code == 200
    assert page.h1s == ["Check your answers before submitting your bid"]
    assert "govuk-summary-list" in page.classes
    body = text_of(response)
    assert "£13.50" in body
    assert "An elected staff forum that meets managers at least every quarter" in body
    assert "accounts.pdf" in body
    assert "safeguarding.pdf" in body
    assert f"{section_url(bid_id, 'fair_work')}?return_to=check#fw_lowest_hourly_pay" in page.links
    assert f"{section_url(bid_id, 'quality')}?return_to=check#q_safeguarding-evidence" in page.links
    assert "I confirm that the answers" in body
    assert "Accept and submit" in body


def test_the_declaration_needs_the_box_ticked_and_a_name(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    response = world.post(
        f"/provider/bids/{bid_id}/submit",
        {"full_name": "  "},
        page=f"/provider/bids/{bid_id}/check",
    )
    assert response.status_code == 200
    assert parse_page(response).title.startswith("Error: ")
    form = read_form(response.get_data(as_text=True))
    assert form.error_links == [
        ("#confirm", "Confirm the declaration to submit your bid"),
        ("#full_name", "Enter your full name"),
    ]
    assert world.bid(bid_id).status == BidStatus.DRAFT.value


def test_an_incomplete_bid_cannot_be_submitted(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.save(bid_id, "price")
    body = text_of(world.client.get(f"/provider/bids/{bid_id}/check"))
    assert "You cannot submit your bid yet" in body
    assert "Accept and submit" not in body
    response = world.post(
        f"/provider/bids/{bid_id}/submit",
        {"confirm": "y", "full_name": "Alex Jones"},
        page=section_url(bid_id, "price"),  # the check page has no form to take a token from
    )
    assert response.status_code == 302
    assert "Complete every section before you submit your bid." in text_of(
        world.client.get(response.headers["Location"])
    )
    assert world.bid(bid_id).status == BidStatus.DRAFT.value


def test_submitting_gives_a_receipt_with_the_reference_and_london_time(world: BidWorld) -> None:
    round_id = world.round()
    world.provider()
    bid_id = world.start(round_id)
    world.complete(bid_id)
    response = world.submit(bid_id, "Alex Jones")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/provider/bids/{bid_id}/receipt")
    bid = world.bid(bid_id)
    assert bid.status == BidStatus.SUBMITTED.value
    assert bid.reference == f"WGN-2027-001-B{bid_id}-1"
    assert bid.declaration_name == "Alex Jones"

    response = world.client.get(f"/provider/bids/{bid_id}/receipt")
    page = parse_page(response)
    assert page.h1s == ["Bid submitted"]
    assert "govuk-panel" in page.classes
    body = text_of(response)
    assert f"WGN-2027-001-B{bid_id}-1" in body
    assert "1 March 2027 at 10:00am" in body  # NOW, in London (GMT in early March)
    assert "signed by Alex Jones" in body
    dashboard = text_of(world.client.get("/provider/"))
    assert "Submitted" in dashboard
    assert f"WGN-2027-001-B{bid_id}-1" in dashboard


def test_the_receipt_of_a_bid_not_submitted_goes_back_to_the_bid(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.client.get(f"/provider/bids/{bid_id}/receipt")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/provider/bids/{bid_id}")


# --- resubmit and withdraw ------------------------------------------------------------------------


def test_a_submitted_bid_can_be_withdrawn_and_submitted_again(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    world.submit(bid_id)

    response = world.client.get(f"/provider/bids/{bid_id}/withdraw")
    page = parse_page(response)
    assert page.status_code == 200
    assert page.h1s == ["Are you sure you want to withdraw your bid?"]
    response = world.post(f"/provider/bids/{bid_id}/withdraw", {})
    assert response.status_code == 302
    bid = world.bid(bid_id)
    assert bid.status == BidStatus.WITHDRAWN.value
    body = text_of(world.client.get(f"/provider/bids/{bid_id}"))
    assert "Your bid has been withdrawn." in body
    assert "You withdrew this bid on 1 March 2027 at 10:00am" in body
    assert "Withdrawn" in text_of(world.client.get("/provider/"))

    world.submit(bid_id)
    bid = world.bid(bid_id)
    assert bid.status == BidStatus.SUBMITTED.value
    assert bid.reference == f"WGN-2027-001-B{bid_id}-2"
    assert bid.withdrawn_at is None


def test_withdrawing_asks_are_you_sure_restating_the_consequence_and_cancel_keeps_the_bid(
    world: BidWorld,
) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    world.submit(bid_id)
    reference = world.bid(bid_id).reference

    response = world.client.get(f"/provider/bids/{bid_id}/withdraw")
    page = parse_page(response)
    body = text_of(response)
    assert page.h1s == ["Are you sure you want to withdraw your bid?"]
    assert f"Your bid (reference {reference}) will not be evaluated unless you submit it" in body
    assert "the council will not consider a withdrawn bid" in body
    assert f"/provider/bids/{bid_id}" in page.links  # cancel
    assert world.bid(bid_id).status == BidStatus.SUBMITTED.value  # asking changes nothing

    world.post(f"/provider/bids/{bid_id}/withdraw", {})
    with world.app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "bid.withdrawn")
        ).all()
    assert [e.subject for e in events] == [f"bid:{bid_id}"]
    again = world.post(f"/provider/bids/{bid_id}/withdraw", {}, page=section_url(bid_id, "price"))
    assert again.status_code == 302
    with world.app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "bid.withdrawn")
        )
    assert count == 1


def test_only_a_submitted_bid_can_be_withdrawn(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.client.get(f"/provider/bids/{bid_id}/withdraw")
    assert response.status_code == 302
    response = world.post(
        f"/provider/bids/{bid_id}/withdraw", {}, page=section_url(bid_id, "price")
    )
    assert response.status_code == 302
    assert "Only a submitted bid can be withdrawn." in text_of(
        world.client.get(response.headers["Location"])
    )
    assert world.bid(bid_id).status == BidStatus.DRAFT.value


def test_save_and_continue_after_a_change_link_returns_to_check_answers(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    change = f"{section_url(bid_id, 'fair_work')}?return_to=check"
    assert (
        f"{change}#fw_lowest_hourly_pay"
        in parse_page(world.client.get(f"/provider/bids/{bid_id}/check")).links
    )
    page = parse_page(world.client.get(change))
    assert f"/provider/bids/{bid_id}/check" in page.links  # the back link
    assert form_action(world.client.get(change)) == change

    answers = {**SECTION_ANSWERS["fair_work"], "fw_lowest_hourly_pay": "14.00"}
    response = world.post(change, {**answers, "action": "continue"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/provider/bids/{bid_id}/check"
    assert world.bid(bid_id).answers["fw_lowest_hourly_pay"] == "14.00"


def test_a_change_that_needs_fixing_still_returns_to_check_answers(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    change = f"{section_url(bid_id, 'fair_work')}?return_to=check"
    answers = {**SECTION_ANSWERS["fair_work"], "fw_lowest_hourly_pay": "lots"}
    response = world.post(change, {**answers, "action": "continue"})
    assert response.status_code == 200
    assert form_action(response) == change
    response = world.post(change, {**SECTION_ANSWERS["fair_work"], "action": "continue"})
    assert response.headers["Location"] == f"/provider/bids/{bid_id}/check"


def test_only_a_known_return_page_is_followed(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    for target in ("https://evil.example/", "//evil.example", "/provider/", "CHECK"):
        url = f"{section_url(bid_id, 'price')}?return_to={target}"
        assert form_action(world.client.get(url)) == section_url(bid_id, "price")
        response = world.post(url, {**SECTION_ANSWERS["price"], "action": "continue"})
        assert response.headers["Location"] == f"/provider/bids/{bid_id}"


def test_saving_a_section_from_the_task_list_returns_to_the_task_list(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.save(bid_id, "price")
    assert response.headers["Location"] == f"/provider/bids/{bid_id}"


def test_every_change_link_lands_on_its_question(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    links = [
        link
        for link in parse_page(world.client.get(f"/provider/bids/{bid_id}/check")).links
        if "/sections/" in link
    ]
    # 34 questions less 4 follow-ups not asked by these answers, and 4 documents asked for.
    assert len(links) == 30 + 4
    pages: dict[str, set[str]] = {}
    for link in links:
        url, _, element_id = link.partition("#")
        if url not in pages:
            pages[url] = set(parse_page(world.client.get(url)).ids)
        assert element_id in pages[url], link
