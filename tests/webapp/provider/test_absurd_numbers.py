"""Numbers of absurd size in a bid's answers (27 or more digits, exponents, inf, nan): each is
refused with a message next to its field and the typed text kept, never a server error."""

from __future__ import annotations

import pytest

from tests.webapp.provider.bidding import SECTION_ANSWERS, SECTION_DOCUMENTS, BidWorld
from tests.webapp.provider.page_forms import read_form

ABSURD = [
    "1.0e+26",
    "100000000000000000000000000000",
    "1" * 400,
    "inf",
    "-inf",
    "nan",
    "1E+309",
    "0." + "0" * 500 + "1",
]


@pytest.mark.parametrize("typed", ABSURD)
def test_an_absurd_price_is_refused_next_to_the_price_field(world: BidWorld, typed: str) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.save(bid_id, "price", {"pr_hourly_rate": typed})

    assert response.status_code == 200
    form = read_form(response.get_data(as_text=True))
    assert [href for href, _ in form.error_links] == ["#pr_hourly_rate"]
    assert form.error_links[0][1].startswith("The hourly rate you will charge must be ")
    assert form.field_errors["pr_hourly_rate-error"] == form.error_links[0][1]
    assert form.value("pr_hourly_rate") == typed
    assert "pr_hourly_rate" not in world.bid(bid_id).answers


@pytest.mark.parametrize("typed", ABSURD)
def test_an_absurd_count_in_a_bid_section_is_refused_next_to_its_field(
    world: BidWorld, typed: str
) -> None:
    world.provider()
    bid_id = world.start(world.round())
    data = {**SECTION_ANSWERS["social_value"], "sv_apprenticeships": typed}
    response = world.save(bid_id, "social_value", data, files=SECTION_DOCUMENTS.get("social_value"))

    assert response.status_code == 200
    form = read_form(response.get_data(as_text=True))
    assert [href for href, _ in form.error_links] == ["#sv_apprenticeships"]
    assert form.error_links[0][1].startswith("The number of apprenticeships must be ")
    assert form.value("sv_apprenticeships") == typed
