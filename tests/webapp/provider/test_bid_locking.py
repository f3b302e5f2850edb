"""Optimistic locking: a save from a stale page (a second tab, a colleague) is refused clearly,
and nothing is lost, neither what was stored nor what the person just typed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import MultiDict

from tests.webapp.conftest import parse_page
from tests.webapp.provider.bidding import BidWorld, section_url
from tests.webapp.provider.page_forms import read_form
from webapp.extensions import db
from webapp.forms.builder import form_for_section
from webapp.models import Bid, BidStatus
from webapp.services.bids import CONFLICT_MESSAGE, bid_framework, save_section


def squeezed(text: str) -> str:
    return " ".join(text.split())


def test_a_save_from_a_second_tab_gets_the_conflict_and_loses_nothing(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    url = section_url(bid_id, "fair_work")
    _, first_tab = world.page(url)
    _, second_tab = world.page(url)

    first = world.save(
        bid_id, "fair_work", {"fw_lowest_hourly_pay": "13.50"}, action="draft", opened=first_tab
    )
    assert first.status_code == 302
    saved = world.bid(bid_id)

    second = world.save(
        bid_id,
        "fair_work",
        {"fw_lowest_hourly_pay": "14.00", "fw_mileage_rate": "0.45"},
        action="draft",
        opened=second_tab,
    )
    assert second.status_code == 409
    page = parse_page(second)
    assert page.title.startswith("Error: Fair work")
    assert CONFLICT_MESSAGE in squeezed(second.get_data(as_text=True))
    # What the second tab typed is still in its fields...
    form = read_form(second.get_data(as_text=True))
    assert form.value("fw_lowest_hourly_pay") == "14.00"
    assert form.value("fw_mileage_rate") == "0.45"
    # ...and what the first tab saved is untouched.
    after = world.bid(bid_id)
    assert after.answers == saved.answers
    assert after.answers["fw_lowest_hourly_pay"] == "13.50"
    assert after.version == saved.version

    # The conflict page carries the current version: checking and saving again works.
    assert form.value("version") == str(saved.version)
    again = world.save(
        bid_id,
        "fair_work",
        {"fw_lowest_hourly_pay": "14.00", "fw_mileage_rate": "0.45"},
        action="draft",
        opened=form,
    )
    assert again.status_code == 302
    assert world.bid(bid_id).answers["fw_lowest_hourly_pay"] == "14.00"


def test_a_save_without_the_page_version_is_treated_as_stale(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    _, opened = world.page(section_url(bid_id, "price"))
    response = world.client.post(
        section_url(bid_id, "price"),
        data={"csrf_token": opened.value("csrf_token"), "pr_hourly_rate": "30.00"},
    )
    assert response.status_code == 409
    assert "pr_hourly_rate" not in world.bid(bid_id).answers


def test_submitting_from_a_check_page_opened_before_a_change_is_refused(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    _, stale_check = world.page(f"/provider/bids/{bid_id}/check")
    world.save(bid_id, "price", {"pr_hourly_rate": "36.00"})

    response = world.post(
        f"/provider/bids/{bid_id}/submit",
        {"confirm": "y", "full_name": "Sam Lee"},
        opened=stale_check,
    )
    assert response.status_code == 409
    assert "It has not been submitted. Check your answers and submit again." in squeezed(
        response.get_data(as_text=True)
    )
    assert world.bid(bid_id).status == BidStatus.DRAFT.value
    assert "£36.00" in response.get_data(as_text=True)  # the answers as they are now


def test_a_save_that_loses_the_race_at_the_database_is_a_conflict(
    app: Flask, world: BidWorld
) -> None:
    """Both saves passed the version check; the database's version counter stops the second."""
    user = world.provider()
    bid_id = world.start(world.round())
    world.save(bid_id, "price", {"pr_hourly_rate": "30.00"}, action="draft")
    with app.test_request_context("/", method="POST"):
        bid = db.session.get(Bid, bid_id)
        assert bid is not None
        version = bid.version
        # A colleague's save lands between our check and our write.
        with db.engine.begin() as other:
            other.execute(
                sa.update(Bid.__table__)
                .where(Bid.__table__.c.id == bid_id)
                .values(version=version + 1, answers={"pr_hourly_rate": "31.00"})
            )
        form = form_for_section(
            bid_framework(bid), "price", bid.answers, MultiDict({"pr_hourly_rate": "32.00"})
        )
        outcome = save_section(
            db.session.get(type(user), user.id),  # type: ignore[arg-type]
            bid,
            "price",
            form,
            complete=False,
            expected_version=version,
        )
        assert outcome.conflict
        assert not outcome.saved
    stored = world.bid(bid_id)
    assert stored.answers == {"pr_hourly_rate": "31.00"}
    assert stored.version == version + 1
