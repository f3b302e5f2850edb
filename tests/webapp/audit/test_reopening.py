"""Changing a submitted bid opens it again: the log records that, once per opening, so it no
longer ends with `bid.submitted` while the provider's changes are pending."""

from __future__ import annotations

from flask import Flask

from tests.webapp.audit.trail import log_is_intact, stored_events
from tests.webapp.provider.bidding import SECTION_ANSWERS, BidWorld
from webapp.extensions import db
from webapp.models import Bid


def changed_local_ownership(share: str) -> dict[str, str]:
    return {**SECTION_ANSWERS["local_ownership"], "lo_local_staff_share": share}


def test_changing_a_submitted_bid_records_that_it_was_opened_again(
    app: Flask, world: BidWorld
) -> None:
    provider = world.provider()
    round_id = world.round()
    bid_id = world.start(round_id)
    world.complete(bid_id)
    world.submit(bid_id)

    response = world.save(bid_id, "local_ownership", changed_local_ownership("70"))
    assert response.status_code == 302

    events = stored_events(app, round_id=round_id)
    assert [e.action for e in events] == ["bid.submitted", "bid.reopened"]
    reopened = events[1]
    assert (reopened.actor_id, reopened.subject) == (provider.id, f"bid:{bid_id}")
    assert "changed after it was submitted" in reopened.summary
    assert reopened.before_digest == events[0].after_digest  # the bid as submitted
    with app.app_context():
        bid = db.session.get(Bid, bid_id)
        assert bid is not None
        assert bid.draft_answers is not None
        assert reopened.after_digest != reopened.before_digest
    assert log_is_intact(app)


def test_further_changes_and_submitting_again_are_recorded_once_each(
    app: Flask, world: BidWorld
) -> None:
    world.provider()
    round_id = world.round()
    bid_id = world.start(round_id)
    world.complete(bid_id)
    world.submit(bid_id)

    world.save(bid_id, "local_ownership", changed_local_ownership("70"))
    world.save(bid_id, "local_ownership", changed_local_ownership("60"))  # still open: no event
    assert world.submit(bid_id).status_code == 302
    world.save(bid_id, "local_ownership", changed_local_ownership("50"))

    assert [e.action for e in stored_events(app, round_id=round_id)] == [
        "bid.submitted",
        "bid.reopened",
        "bid.submitted",
        "bid.reopened",
    ]
    assert log_is_intact(app)


def test_saving_a_submitted_bid_unchanged_records_nothing(app: Flask, world: BidWorld) -> None:
    world.provider()
    round_id = world.round()
    bid_id = world.start(round_id)
    world.complete(bid_id)
    world.submit(bid_id)

    world.save(bid_id, "local_ownership", SECTION_ANSWERS["local_ownership"])  # no new files

    assert [e.action for e in stored_events(app, round_id=round_id)] == ["bid.submitted"]
