"""Pressing *Submit* twice, in two tabs or by a double click, stores one submission; a replayed
old form stores nothing. The concurrent case runs two real requests at once in threads."""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.provider.bidding import BidWorld
from tests.webapp.provider.page_forms import FormPage
from webapp.extensions import db
from webapp.models import AuditEvent, BidStatus

DECLARATION = {"confirm": "y", "full_name": "Sam Lee"}


def squeezed(response: TestResponse) -> str:
    return " ".join(response.get_data(as_text=True).split())


def submissions_logged(app: Flask, bid_id: int) -> int:
    with app.app_context():
        query = sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "bid.submitted", AuditEvent.subject == f"bid:{bid_id}"
        )
        return db.session.scalar(query) or 0


def ready_bid(world: BidWorld) -> tuple[int, FormPage]:
    """A complete draft and its check page, opened once (as in one tab)."""
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    _, check = world.page(f"/provider/bids/{bid_id}/check")
    return bid_id, check


def submit_from(world: BidWorld, bid_id: int, page: FormPage) -> TestResponse:
    return world.post(f"/provider/bids/{bid_id}/submit", DECLARATION, opened=page)


def test_a_double_click_stores_one_submission_and_both_show_the_receipt(
    app: Flask, world: BidWorld
) -> None:
    bid_id, check = ready_bid(world)
    first = submit_from(world, bid_id, check)
    second = submit_from(world, bid_id, check)  # the same form, posted again
    for response in (first, second):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/provider/bids/{bid_id}/receipt")
    bid = world.bid(bid_id)
    assert bid.status == BidStatus.SUBMITTED.value
    assert bid.reference == f"WGN-2027-001-B{bid_id}-1"
    assert submissions_logged(app, bid_id) == 1
    receipt = squeezed(world.client.get(second.headers["Location"]))
    assert f"WGN-2027-001-B{bid_id}-1" in receipt


def test_a_second_tab_opened_before_the_submission_shows_the_receipt(
    app: Flask, world: BidWorld
) -> None:
    bid_id, first_tab = ready_bid(world)
    _, second_tab = world.page(f"/provider/bids/{bid_id}/check")
    assert submit_from(world, bid_id, first_tab).status_code == 302
    response = submit_from(world, bid_id, second_tab)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/receipt")
    assert "Your bid had already been submitted" in squeezed(
        world.client.get(response.headers["Location"])
    )
    assert submissions_logged(app, bid_id) == 1


def test_a_replayed_submission_after_a_change_is_refused_and_stores_nothing(
    app: Flask, world: BidWorld
) -> None:
    bid_id, check = ready_bid(world)
    assert submit_from(world, bid_id, check).status_code == 302
    world.save(bid_id, "price", {"pr_hourly_rate": "36.00"})  # a change, not submitted
    changed = world.bid(bid_id)

    replay = submit_from(world, bid_id, check)
    assert replay.status_code == 409
    assert "It has not been submitted" in squeezed(replay)
    after = world.bid(bid_id)
    assert after.version == changed.version
    assert after.draft_answers == changed.draft_answers  # the change was not submitted
    assert after.reference == f"WGN-2027-001-B{bid_id}-1"
    assert submissions_logged(app, bid_id) == 1


def test_a_replayed_submission_after_a_resubmission_stores_nothing(
    app: Flask, world: BidWorld
) -> None:
    bid_id, first = ready_bid(world)
    assert submit_from(world, bid_id, first).status_code == 302
    world.save(bid_id, "price", {"pr_hourly_rate": "36.00"})
    _, second = world.page(f"/provider/bids/{bid_id}/check")
    assert submit_from(world, bid_id, second).status_code == 302
    for old in (first, second):
        response = submit_from(world, bid_id, old)
        assert response.status_code in (302, 409)
        if response.status_code == 302:  # the latest form: its own receipt, nothing new
            assert response.headers["Location"].endswith("/receipt")
    assert world.bid(bid_id).reference == f"WGN-2027-001-B{bid_id}-2"
    assert submissions_logged(app, bid_id) == 2


def _clone(client: FlaskClient, app: Flask) -> FlaskClient:
    """A second connection of the same browser: the same session cookie."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    other.set_cookie("session", cookie.value)
    return other


def test_two_submissions_at_the_same_moment_store_one(app: Flask, world: BidWorld) -> None:
    """Two requests in flight together, each on its own connection and database session."""
    bid_id, check = ready_bid(world)
    body = {"csrf_token": check.value("csrf_token"), "version": check.value("version")}
    body.update(DECLARATION)
    clients = [_clone(world.client, app) for _ in range(4)]
    start = threading.Barrier(len(clients))
    responses: list[TestResponse] = []
    errors: list[BaseException] = []

    def press(client: FlaskClient) -> Callable[[], None]:
        def run() -> None:
            try:
                start.wait()
                responses.append(client.post(f"/provider/bids/{bid_id}/submit", data=body))
            except BaseException as error:  # reported below, not lost in the thread
                errors.append(error)

        return run

    threads = [threading.Thread(target=press(client)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert [r.status_code for r in responses] == [302] * len(clients)
    assert all(r.headers["Location"].endswith("/receipt") for r in responses)
    assert world.bid(bid_id).reference == f"WGN-2027-001-B{bid_id}-1"
    assert submissions_logged(app, bid_id) == 1
