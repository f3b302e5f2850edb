"""Sealed bids: before the deadline staff see how many bids are in, never whose or what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from tests.webapp.conftest import parse_page
from webapp.models import BidStatus, CommissioningRound, FrameworkVersion, Role

AsRole = Callable[[Role], FlaskClient]
MakeBid = Callable[..., int]

BIDDERS = ["Wigan Care Co-operative", "Leigh Home Support CIC"]
NOT_SUBMITTED = {"Drafting Care Ltd": BidStatus.DRAFT, "Withdrawn Care Ltd": BidStatus.WITHDRAWN}
STAFF = [Role.COMMISSIONER, Role.ADMIN, Role.EVALUATOR, Role.BOARD]


@pytest.fixture
def bids(open_round: CommissioningRound, make_bid: MakeBid) -> CommissioningRound:
    for name in BIDDERS:
        make_bid(open_round, name)
    for name, status in NOT_SUBMITTED.items():
        make_bid(open_round, name, status=status.value, submitted_at=None)
    return open_round


def closes_at(round_: CommissioningRound) -> datetime:
    return round_.closes_at.replace(tzinfo=UTC)


def commissioning_pages(round_: CommissioningRound, version: FrameworkVersion) -> list[str]:
    base = f"/commissioning/rounds/{round_.id}"
    return [
        "/commissioning/rounds",
        base,
        f"{base}/settings",
        f"{base}/invitations",
        f"{base}/publish",
        "/commissioning/frameworks",
        f"/commissioning/frameworks/{version.id}",
        "/commissioning/rounds/new",
        "/commissioning/frameworks/upload",
    ]


@pytest.mark.parametrize("role", STAFF)
def test_before_the_deadline_no_page_names_a_bidder(
    as_role: AsRole,
    bids: CommissioningRound,
    builtin_version: FrameworkVersion,
    clock: dict[str, datetime],
    role: Role,
):
    client = as_role(role)
    clock["now"] = closes_at(bids) - timedelta(seconds=1)

    for path in commissioning_pages(bids, builtin_version):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code in {200, 403}, path
        for name in [*BIDDERS, *NOT_SUBMITTED]:
            assert name not in html, f"{name} appears on {path} before the deadline"


@pytest.mark.parametrize("role", STAFF)
def test_before_the_deadline_the_round_shows_only_how_many_bids_are_in(
    as_role: AsRole, bids: CommissioningRound, role: Role
):
    client = as_role(role)

    round_page = client.get(f"/commissioning/rounds/{bids.id}").get_data(as_text=True)
    rounds = client.get("/commissioning/rounds").get_data(as_text=True)

    assert "2 bids submitted" in round_page
    assert "Bids are sealed until the round closes on" in round_page
    assert bids.reference + "-B" not in round_page  # no bid references either
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in rounds


@pytest.mark.parametrize("role", STAFF)
def test_at_the_deadline_the_submitted_bids_are_listed(
    as_role: AsRole, bids: CommissioningRound, clock: dict[str, datetime], role: Role
):
    client = as_role(role)
    clock["now"] = closes_at(bids)

    response = client.get(f"/commissioning/rounds/{bids.id}")
    html = response.get_data(as_text=True)

    assert "Bids are sealed" not in html
    assert "2 bids submitted" in html
    for name in BIDDERS:
        assert name in html
    for name in NOT_SUBMITTED:
        assert name not in html
    assert f"{bids.reference}-B" in html
    submitted = bids.opens_at.replace(tzinfo=UTC) + timedelta(hours=1)
    assert f"{submitted.day} January 2027 at" in html
    assert "Closed" in html


def test_one_second_after_the_deadline_the_bids_are_listed_in_the_order_they_came(
    as_role: AsRole, open_round: CommissioningRound, make_bid: MakeBid, clock: dict[str, datetime]
):
    start = open_round.opens_at.replace(tzinfo=UTC)
    make_bid(open_round, "Second In Ltd", submitted_at=start + timedelta(hours=5))
    make_bid(open_round, "First In Ltd", submitted_at=start + timedelta(hours=2))
    client = as_role(Role.EVALUATOR)
    clock["now"] = closes_at(open_round) + timedelta(seconds=1)

    html = client.get(f"/commissioning/rounds/{open_round.id}").get_data(as_text=True)

    assert html.index("First In Ltd") < html.index("Second In Ltd")


def test_a_closed_round_with_no_bids_says_so(
    as_role: AsRole, open_round: CommissioningRound, clock: dict[str, datetime]
):
    client = as_role(Role.BOARD)
    clock["now"] = closes_at(open_round) + timedelta(days=1)

    page = client.get(f"/commissioning/rounds/{open_round.id}")

    assert "No bids were submitted before the deadline." in page.get_data(as_text=True)
    assert len(parse_page(page).h1s) == 1
