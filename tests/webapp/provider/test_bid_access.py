"""Who may reach the bid pages: every route for every role, allowed and refused.

Anonymous visitors are sent to sign in; staff roles get 403 (providers' pages are not theirs,
and sealed bids stay sealed); a provider asking for another organisation's bid gets 404, so
it cannot even learn that the bid exists.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.webapp.provider.bidding import BidWorld, section_url
from webapp.models import STAFF_ROLES, Role


@pytest.fixture
def submitted(world: BidWorld) -> tuple[int, int, str]:
    """A submitted bid (round id, bid id) and a CSRF token of the client's session."""
    round_id = world.round()
    world.provider()
    bid_id = world.start(round_id)
    world.complete(bid_id)
    world.submit(bid_id)
    token = world.page(section_url(bid_id, "price") + "?change=confirmed")[1].value("csrf_token")
    assert token
    return round_id, bid_id, token


def routes(round_id: int, bid_id: int) -> list[tuple[str, str]]:
    """(method, URL) of every route of the bid journey."""
    bid = f"/provider/bids/{bid_id}"
    return [
        ("GET", "/provider/"),
        ("POST", f"/provider/rounds/{round_id}/bid"),
        ("GET", bid),
        ("GET", f"{bid}/change?section=price"),
        ("GET", f"{bid}/sections/price"),
        ("POST", f"{bid}/sections/price"),
        ("GET", f"{bid}/check"),
        ("POST", f"{bid}/submit"),
        ("GET", f"{bid}/receipt"),
        ("GET", f"{bid}/withdraw"),
        ("POST", f"{bid}/withdraw"),
    ]


def call(client: FlaskClient, method: str, url: str, token: str) -> int:
    data = {"csrf_token": token} if method == "POST" else None
    return client.open(url, method=method, data=data).status_code


def test_anonymous_visitors_are_sent_to_sign_in(
    world: BidWorld, submitted: tuple[int, int, str]
) -> None:
    round_id, bid_id, token = submitted
    with world.client.session_transaction() as session:
        session.pop("_user_id")
    for method, url in routes(round_id, bid_id):
        response = world.client.open(
            url, method=method, data={"csrf_token": token} if method == "POST" else None
        )
        assert response.status_code == 302, (method, url)
        assert "/sign-in" in response.headers["Location"], (method, url)


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_roles_are_refused_every_bid_page(
    world: BidWorld, submitted: tuple[int, int, str], role: Role
) -> None:
    round_id, bid_id, token = submitted
    world.sign_in(world.make_user(role))
    for method, url in routes(round_id, bid_id):
        assert call(world.client, method, url, token) == 403, (method, url)
    assert world.bid(bid_id).status == "submitted"


def test_another_organisations_bid_is_not_found(
    world: BidWorld, submitted: tuple[int, int, str]
) -> None:
    round_id, bid_id, token = submitted
    world.provider()  # a provider of another organisation
    for method, url in routes(round_id, bid_id):
        if "/bids/" in url:
            assert call(world.client, method, url, token) == 404, (method, url)
    assert world.bid(bid_id).status == "submitted"
    assert f"/provider/bids/{bid_id}" not in world.client.get("/provider/").get_data(as_text=True)


def test_an_unknown_bid_or_round_is_not_found(
    world: BidWorld, submitted: tuple[int, int, str]
) -> None:
    _, bid_id, token = submitted
    for method, url in routes(9999, bid_id + 1000):
        if url != "/provider/":
            assert call(world.client, method, url, token) == 404, (method, url)


def test_the_owner_reaches_every_page(world: BidWorld, submitted: tuple[int, int, str]) -> None:
    round_id, bid_id, _ = submitted
    bid = f"/provider/bids/{bid_id}"
    pages = (
        "/provider/",
        bid,
        f"{bid}/change?section=price",
        f"{bid}/sections/price?change=confirmed",
        f"{bid}/check",
        f"{bid}/receipt",
    )
    for url in pages:
        assert world.client.get(url).status_code == 200, url
    assert world.client.get(f"{bid}/withdraw").status_code == 200
    assert world.post(f"{bid}/withdraw", {}).status_code == 302
    assert world.start(round_id, page=section_url(bid_id, "price")) == bid_id
    assert world.save(bid_id, "price").status_code == 302
    assert world.submit(bid_id).status_code == 302
    assert world.bid(bid_id).status == "submitted"


def test_a_post_without_a_csrf_token_is_refused(world: BidWorld) -> None:
    round_id = world.round()
    world.provider()
    response = world.client.post(f"/provider/rounds/{round_id}/bid")
    assert response.status_code == 400
