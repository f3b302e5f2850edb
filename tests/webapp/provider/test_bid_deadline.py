"""The deadline, enforced by the server to the second: at `closes_at` it is too late."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.webapp.conftest import parse_page
from tests.webapp.provider.bidding import CLOSES_AT, BidWorld, section_url
from webapp.models import BidStatus

ONE_SECOND = timedelta(seconds=1)
TOO_LATE_TO_SUBMIT = (
    "The deadline for this round was 1 April 2027 at midday. Your bid was not submitted. "
    "Your draft has been kept."
)


@pytest.fixture
def ready(world: BidWorld) -> int:
    """A complete draft bid, not yet submitted."""
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    return bid_id


def text_of(world: BidWorld, url: str) -> str:
    return " ".join(world.client.get(url).get_data(as_text=True).split())


def test_a_bid_submitted_one_second_before_the_deadline_is_accepted(
    world: BidWorld, ready: int
) -> None:
    _, check = world.page(f"/provider/bids/{ready}/check")
    world.at(CLOSES_AT - ONE_SECOND)
    response = world.post(
        f"/provider/bids/{ready}/submit", {"confirm": "y", "full_name": "Sam Lee"}, opened=check
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/receipt")
    bid = world.bid(ready)
    assert bid.status == BidStatus.SUBMITTED.value
    assert "1 April 2027 at 11:59am" in text_of(world, f"/provider/bids/{ready}/receipt")


@pytest.mark.parametrize("late", [timedelta(0), ONE_SECOND], ids=["at-deadline", "one-second-late"])
def test_a_bid_submitted_at_or_after_the_deadline_is_refused_and_the_draft_kept(
    world: BidWorld, ready: int, late: timedelta
) -> None:
    _, check = world.page(f"/provider/bids/{ready}/check")  # opened in time
    before = world.bid(ready)
    world.at(CLOSES_AT + late)
    response = world.post(
        f"/provider/bids/{ready}/submit", {"confirm": "y", "full_name": "Sam Lee"}, opened=check
    )
    assert response.status_code == 302
    assert TOO_LATE_TO_SUBMIT in text_of(world, response.headers["Location"])
    after = world.bid(ready)
    assert after.status == BidStatus.DRAFT.value
    assert after.reference is None
    assert after.submitted_at is None
    assert after.answers == before.answers
    assert after.version == before.version


@pytest.mark.parametrize(
    ("late", "saved"),
    [(-ONE_SECOND, True), (timedelta(0), False), (ONE_SECOND, False)],
    ids=["one-second-early", "at-deadline", "one-second-late"],
)
def test_answers_saved_at_or_after_the_deadline_are_refused(
    world: BidWorld, ready: int, late: timedelta, saved: bool
) -> None:
    _, opened = world.page(section_url(ready, "price"))
    before = world.bid(ready)
    world.at(CLOSES_AT + late)
    response = world.save(ready, "price", {"pr_hourly_rate": "35.00"}, opened=opened)
    assert response.status_code == 302
    after = world.bid(ready)
    if saved:
        assert after.answers["pr_hourly_rate"] == "35.00"
        return
    assert after.answers == before.answers
    assert after.version == before.version
    assert (
        "The deadline for this round was 1 April 2027 at midday. Your changes were not saved. "
        "Your draft has been kept."
    ) in text_of(world, response.headers["Location"])


def test_a_withdrawal_after_the_deadline_is_refused(world: BidWorld, ready: int) -> None:
    world.submit(ready)
    _, opened = world.page(f"/provider/bids/{ready}/withdraw")
    world.at(CLOSES_AT)
    response = world.post(f"/provider/bids/{ready}/withdraw", {}, opened=opened)
    assert response.status_code == 302
    assert world.bid(ready).status == BidStatus.SUBMITTED.value
    assert "Your bid was not withdrawn." in text_of(world, response.headers["Location"])
    assert world.client.get(f"/provider/bids/{ready}/withdraw").status_code == 302


def test_after_the_deadline_the_bid_is_read_only(world: BidWorld, ready: int) -> None:
    world.submit(ready)
    world.at(CLOSES_AT)
    response = world.client.get(f"/provider/bids/{ready}")
    body = " ".join(response.get_data(as_text=True).split())
    assert "This round closed on 1 April 2027 at midday." in body
    assert section_url(ready, "price") not in parse_page(response).links
    # Question pages lead to the answers, which can no longer be changed or submitted.
    response = world.client.get(section_url(ready, "price"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/provider/bids/{ready}/check")
    check = world.client.get(f"/provider/bids/{ready}/check")
    page = parse_page(check)
    assert page.h1s == ["Your answers"]
    assert not [link for link in page.links if "/sections/" in link]
    assert "Accept and submit" not in check.get_data(as_text=True)
    assert "Withdraw" not in text_of(world, f"/provider/bids/{ready}/receipt")


def test_a_bid_cannot_be_started_after_the_deadline(world: BidWorld) -> None:
    round_id = world.round()
    world.provider()
    _, dashboard = world.page("/provider/")
    world.at(CLOSES_AT)
    response = world.post(f"/provider/rounds/{round_id}/bid", {}, opened=dashboard)
    assert response.status_code == 302
    assert "You can no longer start a bid." in text_of(world, "/provider/")
