"""Number answers on the bid pages: out-of-range, wrong-form and empty answers are refused with
messages that name the question, beside the field and in the error summary, keeping what was
typed."""

from __future__ import annotations

from tests.webapp.conftest import parse_page
from tests.webapp.provider.bidding import SECTION_ANSWERS, SECTION_DOCUMENTS, BidWorld
from tests.webapp.provider.page_forms import FormPage, read_form


def saved_with(world: BidWorld, section: str, **answers: str) -> tuple[int, FormPage]:
    """Save a section's complete answers (and documents) with some answers replaced."""
    world.provider()
    bid_id = world.start(world.round())
    data = {**SECTION_ANSWERS[section], **answers}
    response = world.save(bid_id, section, data, files=SECTION_DOCUMENTS.get(section))
    assert response.status_code == 200
    return bid_id, read_form(response.get_data(as_text=True))


def test_an_absurd_hourly_price_is_refused_with_a_message_naming_the_rate(
    world: BidWorld,
) -> None:
    bid_id, form = saved_with(world, "price", pr_hourly_rate="999,999,999,999")
    message = "The hourly rate you will charge must be between £1 and £200"
    assert form.error_links == [("#pr_hourly_rate", message)]
    assert form.field_errors == {"pr_hourly_rate-error": message}
    assert form.value("pr_hourly_rate") == "999,999,999,999"  # what was typed is kept
    assert "pr_hourly_rate" not in world.bid(bid_id).answers


def test_an_hourly_price_in_range_is_saved(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.save(bid_id, "price", {"pr_hourly_rate": "199.99"})
    assert response.status_code == 302
    assert world.bid(bid_id).answers["pr_hourly_rate"] == "199.99"


def test_empty_wrong_form_and_out_of_range_each_have_their_own_message(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    shown = {}
    for typed in ("", "forty five pence", "7.50"):
        data = {**SECTION_ANSWERS["fair_work"], "fw_mileage_rate": typed}
        form = read_form(world.save(bid_id, "fair_work", data).get_data(as_text=True))
        assert [href for href, _ in form.error_links] == ["#fw_mileage_rate"]
        assert form.field_errors["fw_mileage_rate-error"] == form.error_links[0][1]
        assert form.value("fw_mileage_rate") == typed
        shown[typed] = form.error_links[0][1]
    assert shown == {
        "": "Enter the rate you pay per mile",
        "forty five pence": "The rate you pay per mile must be an amount in pounds, like 13.45",
        "7.50": "The rate you pay per mile must be between £0 and £5",
    }


def test_two_percentage_questions_out_of_range_are_told_apart(world: BidWorld) -> None:
    _, form = saved_with(
        world, "local_ownership", lo_local_staff_share="120", lo_local_supply_spend="120"
    )
    assert form.error_links == [
        (
            "#lo_local_staff_share",
            "The share of staff who live in the council's area must be between 0% and 100%",
        ),
        (
            "#lo_local_supply_spend",
            "The share of spending with local suppliers must be between 0% and 100%",
        ),
    ]


def test_a_count_above_its_framework_maximum_is_refused(world: BidWorld) -> None:
    _, form = saved_with(world, "social_value", sv_apprenticeships="5000")
    assert form.error_links == [
        ("#sv_apprenticeships", "The number of apprenticeships must be between 0 and 1,000")
    ]


def test_the_error_page_title_says_there_is_an_error(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.save(bid_id, "price", {"pr_hourly_rate": "0.50"})
    assert parse_page(response).title.startswith("Error: ")
