"""Changing a submitted bid: the submitted bid counts until the provider submits again."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.conftest import parse_page
from tests.webapp.provider.bidding import CLOSES_AT, BidWorld, section_url
from webapp.extensions import db
from webapp.models import AuditEvent, Bid, BidStatus, CommissioningRound, EvidenceFile, Role
from webapp.services.bids import attachments_of
from webapp.services.results import round_inputs

CHANGES_BANNER = "Your changes have not been submitted"


def text_of(response: TestResponse) -> str:
    return " ".join(response.get_data(as_text=True).split())


def submitted_bid(world: BidWorld) -> int:
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    assert world.submit(bid_id).status_code == 302
    return bid_id


def counted_rate(world: BidWorld, bid_id: int) -> str:
    """The hourly rate the round's scoring reads for the bid."""
    with world.app.app_context():
        bid = db.session.get(Bid, bid_id)
        assert bid is not None
        inputs = round_inputs(db.session.get(CommissioningRound, bid.round_id))
        (engine_bid,) = inputs.bids
        return str(engine_bid.answers["pr_hourly_rate"])


def test_opening_a_section_of_a_submitted_bid_first_says_it_must_be_submitted_again(
    world: BidWorld,
) -> None:
    bid_id = submitted_bid(world)
    response = world.client.get(section_url(bid_id, "price"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/provider/bids/{bid_id}/change?section=price")

    page = parse_page(world.client.get(response.headers["Location"]))
    assert page.h1s == ["You have already submitted this bid"]
    assert "govuk-warning-text" in page.classes
    body = text_of(world.client.get(f"/provider/bids/{bid_id}/change?section=price"))
    assert "you must submit your bid again before the deadline" in body
    assert "Until you do, your submitted bid counts as it is." in body
    assert f"{section_url(bid_id, 'price')}?change=confirmed" in page.links
    assert f"/provider/bids/{bid_id}" in page.links  # keep it as submitted

    section = world.client.get(f"{section_url(bid_id, 'price')}?change=confirmed")
    assert section.status_code == 200
    assert "resubmit-warning" in section.get_data(as_text=True)


def test_a_change_keeps_the_submitted_bid_counting_until_it_is_submitted_again(
    world: BidWorld,
) -> None:
    bid_id = submitted_bid(world)

    world.save(bid_id, "price")  # the same answers again: nothing changes
    assert world.bid(bid_id).draft_answers is None

    world.save(bid_id, "price", {"pr_hourly_rate": "34.00"})
    bid = world.bid(bid_id)
    assert bid.status == BidStatus.SUBMITTED.value
    assert bid.reference == f"WGN-2027-001-B{bid_id}-1"
    assert bid.answers["pr_hourly_rate"] == "33.50"
    assert bid.draft_answers is not None
    assert bid.draft_answers["pr_hourly_rate"] == "34.00"
    assert counted_rate(world, bid_id) == "33.50"

    # Both states, on the task list and the dashboard.
    task_list = text_of(world.client.get(f"/provider/bids/{bid_id}"))
    assert CHANGES_BANNER in task_list
    assert "Submitted, with changes not yet submitted" in task_list
    assert f"Reference WGN-2027-001-B{bid_id}-1" in task_list
    assert "This is the bid that counts." in task_list
    assert "Check and submit your changes" in task_list
    dashboard = text_of(world.client.get("/provider/"))
    assert "Changes not submitted" in dashboard
    assert "Submit your changes" in dashboard
    assert "Continue your bid" not in dashboard

    # The section shows the change; check answers asks for the bid to be submitted again.
    assert 'value="34.00"' in world.client.get(section_url(bid_id, "price")).get_data(as_text=True)
    check = parse_page(world.client.get(f"/provider/bids/{bid_id}/check"))
    assert check.h1s == ["Check your changes before submitting your bid again"]
    assert "£34.00" in text_of(world.client.get(f"/provider/bids/{bid_id}/check"))

    assert world.submit(bid_id).status_code == 302
    bid = world.bid(bid_id)
    assert bid.status == BidStatus.SUBMITTED.value
    assert bid.answers["pr_hourly_rate"] == "34.00"
    assert bid.draft_answers is None
    assert bid.reference == f"WGN-2027-001-B{bid_id}-2"
    assert counted_rate(world, bid_id) == "34.00"
    assert CHANGES_BANNER not in text_of(world.client.get(f"/provider/bids/{bid_id}"))
    with world.app.app_context():
        summaries = db.session.scalars(
            sa.select(AuditEvent.summary).where(AuditEvent.action == "bid.submitted")
        ).all()
    assert summaries[-1].endswith(f"replacing WGN-2027-001-B{bid_id}-1")


def test_changes_left_unsubmitted_at_the_deadline_leave_the_submitted_bid_as_it_was(
    world: BidWorld,
) -> None:
    bid_id = submitted_bid(world)
    world.save(bid_id, "price", {"pr_hourly_rate": "21.00"})
    world.at(CLOSES_AT + timedelta(minutes=1))
    assert counted_rate(world, bid_id) == "33.50"
    assert world.bid(bid_id).status == BidStatus.SUBMITTED.value


def test_undoing_every_change_leaves_nothing_to_submit_again(world: BidWorld) -> None:
    bid_id = submitted_bid(world)
    world.save(bid_id, "price", {"pr_hourly_rate": "34.00"})
    world.save(bid_id, "price", {"pr_hourly_rate": "33.50"})
    bid = world.bid(bid_id)
    assert bid.draft_answers is None
    assert CHANGES_BANNER not in text_of(world.client.get(f"/provider/bids/{bid_id}"))


def test_a_document_uploaded_after_submitting_counts_only_once_submitted_again(
    world: BidWorld, client: FlaskClient
) -> None:
    bid_id = submitted_bid(world)
    fields = {"q_safeguarding-evidence": "safeguarding-2027.pdf"}
    response = world.save(bid_id, "quality", None, files=fields)
    assert response.status_code == 302
    assert world.bid(bid_id).draft_answers is not None  # only a document changed
    assert "safeguarding-2027.pdf" in text_of(world.client.get(f"/provider/bids/{bid_id}/check"))

    with world.app.app_context():
        bid = db.session.get(Bid, bid_id)
        assert bid is not None
        assert attachments_of(bid)["q_safeguarding"] == "safeguarding.pdf"
        newest = db.session.scalars(
            sa.select(EvidenceFile).where(EvidenceFile.filename == "safeguarding-2027.pdf")
        ).one()
        commissioner = world.make_user(Role.COMMISSIONER)
    world.at(CLOSES_AT + timedelta(minutes=1))
    world.sign_in(commissioner)
    assert client.get(f"/evidence/{newest.id}").status_code == 404


def test_withdrawing_a_changed_bid_keeps_the_changes_as_the_draft(world: BidWorld) -> None:
    bid_id = submitted_bid(world)
    world.save(bid_id, "price", {"pr_hourly_rate": "34.00"})
    assert world.post(f"/provider/bids/{bid_id}/withdraw", {}).status_code == 302
    bid = world.bid(bid_id)
    assert bid.status == BidStatus.WITHDRAWN.value
    assert bid.answers["pr_hourly_rate"] == "34.00"
    assert bid.draft_answers is None


# --- the reminder a day before the deadline -----------------------------------------------------


def remind(world: BidWorld) -> str:
    result = world.app.test_cli_runner().invoke(args=["remind-unsubmitted-changes"])
    assert result.exit_code == 0, result.output
    return result.output


def test_changes_still_unsubmitted_a_day_before_the_deadline_are_reminded_once(
    world: BidWorld,
) -> None:
    bid_id = submitted_bid(world)
    world.save(bid_id, "price", {"pr_hourly_rate": "34.00"})
    outbox = world.app.extensions.setdefault("mail_outbox", [])
    sent_before = len(outbox)

    world.at(CLOSES_AT - timedelta(hours=25))
    assert "Reminded 0 provider(s)" in remind(world)
    assert len(outbox) == sent_before

    world.at(CLOSES_AT - timedelta(hours=23))
    output = remind(world)
    assert "Reminded 1 provider(s)" in output
    assert f"WGN-2027-001-B{bid_id}-1" in output
    (message,) = outbox[sent_before:]
    assert message["Subject"] == "Your changes are not submitted: WGN-2027-001 Homecare round 1"
    body = message.get_content()
    assert "the bid you submitted on 1 March 2027 at 10:00am counts as it is" in body
    assert f"/provider/bids/{bid_id}" in body

    assert "Reminded 0 provider(s)" in remind(world)  # once only
    assert len(outbox) == sent_before + 1

    # The reminder is not a change: a page opened before it still saves.
    response = world.save(bid_id, "price", {"pr_hourly_rate": "35.00"})
    assert response.status_code == 302


def test_a_submitted_bid_without_changes_is_not_reminded(world: BidWorld) -> None:
    submitted_bid(world)
    world.at(CLOSES_AT - timedelta(hours=2))
    assert "Reminded 0 provider(s)" in remind(world)
