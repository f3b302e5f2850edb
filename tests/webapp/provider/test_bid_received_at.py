"""The deadline is judged by when the server received the submission, and the receipt says when.

The clock here moves on while a request is served, as it does when requests queue: the
request arrives before the deadline and its turn comes after it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.test import TestResponse

from tests.webapp.provider.bidding import CLOSES_AT, BidWorld
from tests.webapp.provider.page_forms import FormPage
from webapp.models import BidStatus
from webapp.request_timing import ALLOWED_SKEW, MAX_PROXY_QUEUE, proxy_request_start

DECLARATION = {"confirm": "y", "full_name": "Sam Lee"}
QUEUED = timedelta(seconds=3)
"""How long a request waits for a worker in these tests."""


def squeezed(response: TestResponse) -> str:
    return " ".join(response.get_data(as_text=True).split())


class QueueingClock:
    """Reads `arrival` once (as the request reaches the app), then `arrival + QUEUED`."""

    def __init__(self, arrival: datetime) -> None:
        self.arrival = arrival
        self.reads = 0

    def __call__(self) -> datetime:
        self.reads += 1
        return self.arrival if self.reads == 1 else self.arrival + QUEUED


@pytest.fixture
def ready(world: BidWorld) -> tuple[int, FormPage]:
    world.provider()
    bid_id = world.start(world.round())
    world.complete(bid_id)
    _, check = world.page(f"/provider/bids/{bid_id}/check")
    return bid_id, check


def submit_arriving_at(
    world: BidWorld,
    bid_id: int,
    check: FormPage,
    arrival: datetime,
    headers: dict[str, str] | None = None,
) -> TestResponse:
    world.app.config["CLOCK"] = QueueingClock(arrival)
    body = {"csrf_token": check.value("csrf_token"), "version": check.value("version")}
    response = world.client.post(
        f"/provider/bids/{bid_id}/submit", data={**body, **DECLARATION}, headers=headers
    )
    world.app.config["CLOCK"] = lambda: CLOSES_AT + timedelta(hours=1)
    return response


def test_a_submission_received_before_the_deadline_counts_though_served_after(
    world: BidWorld, ready: tuple[int, FormPage]
) -> None:
    bid_id, check = ready
    arrival = CLOSES_AT - timedelta(milliseconds=127)
    response = submit_arriving_at(world, bid_id, check, arrival)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/receipt")
    bid = world.bid(bid_id)
    assert bid.status == BidStatus.SUBMITTED.value
    assert bid.submitted_received_at is not None
    assert bid.submitted_received_at.replace(tzinfo=UTC) == arrival
    receipt = squeezed(world.client.get(response.headers["Location"]))
    # Midday in London is 11:00 UTC in April (summer time).
    assert "Received at 11:59:59.873 on 1 April 2027" in receipt


@pytest.mark.parametrize("late", [timedelta(0), timedelta(microseconds=1)], ids=["at", "after"])
def test_a_submission_received_at_or_after_the_deadline_is_refused(
    world: BidWorld, ready: tuple[int, FormPage], late: timedelta
) -> None:
    bid_id, check = ready
    response = submit_arriving_at(world, bid_id, check, CLOSES_AT + late)
    assert response.status_code == 302
    page = squeezed(world.client.get(response.headers["Location"]))
    assert "The deadline for this round was 1 April 2027 at midday." in page
    assert "Your bid was not submitted. Your draft has been kept." in page
    assert world.bid(bid_id).status == BidStatus.DRAFT.value


def test_a_trusted_proxy_stamp_is_the_time_received(
    world: BidWorld, ready: tuple[int, FormPage]
) -> None:
    bid_id, check = ready
    world.app.config["TRUST_REQUEST_START_HEADER"] = True
    stamp = CLOSES_AT - timedelta(milliseconds=400)
    response = submit_arriving_at(
        world,
        bid_id,
        check,
        CLOSES_AT + timedelta(milliseconds=300),  # reached the app after the deadline
        headers={"X-Request-Start": f"t={stamp.timestamp():.3f}"},
    )
    assert response.headers["Location"].endswith("/receipt")
    bid = world.bid(bid_id)
    assert bid.submitted_received_at is not None
    assert bid.submitted_received_at.replace(tzinfo=UTC) == stamp


@pytest.mark.parametrize("trusted", [False, True], ids=["untrusted", "implausible"])
def test_an_untrusted_or_implausible_stamp_is_ignored(
    world: BidWorld, ready: tuple[int, FormPage], trusted: bool
) -> None:
    bid_id, check = ready
    world.app.config["TRUST_REQUEST_START_HEADER"] = trusted
    # Untrusted: a plausible stamp a client could send itself. Trusted: one from too long ago.
    early = CLOSES_AT - (MAX_PROXY_QUEUE * 2 if trusted else timedelta(milliseconds=500))
    response = submit_arriving_at(
        world,
        bid_id,
        check,
        CLOSES_AT + timedelta(seconds=1),
        headers={"X-Request-Start": f"t={early.timestamp():.3f}"},
    )
    assert response.status_code == 302
    assert not response.headers["Location"].endswith("/receipt")
    assert world.bid(bid_id).status == BidStatus.DRAFT.value


ARRIVED = datetime(2026, 12, 3, 14, 59, 59, 900_000, tzinfo=UTC)
SECONDS = ARRIVED.timestamp() - 0.5


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"t={SECONDS:.3f}", ARRIVED - timedelta(milliseconds=500)),  # nginx t=${msec}
        (f"{SECONDS:.3f}", ARRIVED - timedelta(milliseconds=500)),
        (f"t={int(SECONDS * 1000)}", ARRIVED - timedelta(milliseconds=500)),  # milliseconds
        (f"t={int(SECONDS * 1_000_000)}", ARRIVED - timedelta(milliseconds=500)),  # microseconds
        (f" t={int(SECONDS * 1_000_000_000)} ", ARRIVED - timedelta(milliseconds=500)),  # nanos
        # A proxy clock a little ahead: never later than the arrival.
        (f"t={ARRIVED.timestamp() + 1:.3f}", ARRIVED),
    ],
)
def test_request_start_formats(header: str, expected: datetime) -> None:
    found = proxy_request_start(header, ARRIVED)
    assert found is not None
    assert abs(found - expected) < timedelta(milliseconds=1)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "t=",
        "t=abc",
        "t=-1700000000",
        "t=1e9",
        "t=nan",
        "t=inf",
        "t=0",
        "t=1.2.3",
        "t=99999999999999999999",
        f"t={ARRIVED.timestamp() + ALLOWED_SKEW.total_seconds() + 1:.3f}",  # the future
        f"t={(ARRIVED - MAX_PROXY_QUEUE).timestamp() - 1:.3f}",  # long ago
        "t=1733238000.123, t=1733238000.456",
    ],
)
def test_malformed_or_implausible_request_start_is_ignored(header: str | None) -> None:
    assert proxy_request_start(header, ARRIVED) is None
