"""The provider's bid journey up to submitting: dashboard, start, task list, question pages."""

from __future__ import annotations

from io import BytesIO

from werkzeug.test import TestResponse

from tests.webapp.conftest import parse_page
from tests.webapp.provider.bidding import (
    NOW,
    SECTION_ANSWERS,
    BidWorld,
    section_url,
)
from tests.webapp.provider.page_forms import read_form
from webapp.extensions import db
from webapp.models import BidStatus, EvidenceFile


def text_of(response: TestResponse) -> str:
    return " ".join(response.get_data(as_text=True).split())


# --- the dashboard and starting a bid ------------------------------------------------------


def test_the_dashboard_lists_open_rounds_with_their_deadline(world: BidWorld) -> None:
    world.round(title="Homecare in Wellfield")
    world.round(title="Not yet published", status="draft")
    world.round(title="Already closed", closes_at=NOW.replace(day=1, hour=9))
    world.provider()
    response = world.client.get("/provider/")
    page = parse_page(response)
    assert page.status_code == 200
    assert page.h1s == ["Your bids"]
    body = text_of(response)
    assert "Homecare in Wellfield" in body
    assert "1 April 2027 at midday" in body
    assert "Start a bid" in body
    assert "Not yet published" not in body
    assert "Already closed" not in body
    assert "Your organisation has not started any bids yet." in body


def test_an_invite_only_round_shows_only_to_invited_providers(world: BidWorld) -> None:
    round_id = world.round(title="Invited providers only", invite_only=True)
    world.round(title="Open to all")  # its "Start a bid" form carries a CSRF token
    world.provider()
    assert "Invited providers only" not in text_of(world.client.get("/provider/"))
    response = world.post(f"/provider/rounds/{round_id}/bid", {}, page="/provider/")
    assert response.status_code == 404


def test_starting_a_bid_creates_one_draft_per_organisation_and_round(world: BidWorld) -> None:
    round_id = world.round()
    user = world.provider()
    bid_id = world.start(round_id)
    token_page = section_url(bid_id, "price")
    assert world.start(round_id, page=token_page) == bid_id  # the same bid, not a second one
    world.provider(organisation_id=user.organisation_id)
    assert world.start(round_id, page=token_page) == bid_id  # a colleague reaches it too
    bid = world.bid(bid_id)
    assert bid.status == BidStatus.DRAFT.value
    assert bid.reference is None
    body = text_of(world.client.get("/provider/"))
    assert "Continue your bid" in body
    assert "Draft" in body


def test_a_new_bid_is_prefilled_from_the_organisation_profile(world: BidWorld) -> None:
    round_id = world.round()
    world.provider(
        registered_postcode="WN1 2AB",
        legal_form="cooperative",
        cqc_provider_id="1-987654321",
        cqc_rating="good",
        profile_answers={"q_cqc_registered": True, "lo_ultimate_owner": "Not asked"},
    )
    bid_id = world.start(round_id)
    answers = world.bid(bid_id).answers
    assert answers["lo_registered_office"] == "WN1 2AB"
    assert answers["lo_ownership_form"] == "cooperative"
    assert answers["q_cqc_provider_id"] == "1-987654321"
    assert answers["q_cqc_rating"] == "good"
    assert answers["q_cqc_registered"] is True
    # Only profile facts are prefilled.
    assert not set(answers) - {
        "lo_registered_office",
        "lo_ownership_form",
        "q_cqc_provider_id",
        "q_cqc_rating",
        "q_cqc_registered",
        "lo_ultimate_owner",
    }
    # And the question page shows them.
    _, form = world.page(section_url(bid_id, "local_ownership"))
    assert form.value("lo_registered_office") == "WN1 2AB"
    assert form.value("lo_ownership_form") == "cooperative"


def test_a_round_not_yet_open_cannot_be_bid_for(world: BidWorld) -> None:
    round_id = world.round(opens_at=NOW.replace(day=20))
    world.round(title="Open to all")  # its "Start a bid" form carries a CSRF token
    world.provider()
    response = world.post(f"/provider/rounds/{round_id}/bid", {}, page="/provider/")
    assert response.status_code == 302
    assert "This round opens on 20 March 2027" in text_of(world.client.get("/provider/"))


# --- the task list and sections --------------------------------------------------------------


def test_the_task_list_shows_each_section_and_its_status(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.client.get(f"/provider/bids/{bid_id}")
    page = parse_page(response)
    assert page.status_code == 200
    assert page.h1s == ["Homecare round 1"]
    assert "govuk-task-list" in page.classes
    body = text_of(response)
    for title in ("Fair work", "Local ownership", "Social value", "Quality", "Price"):
        assert title in body
    assert body.count("Not started") == 5
    assert "You have completed 0 of 5 sections." in body
    assert "Check your answers" not in body
    assert "1 April 2027 at midday" in body

    world.save(bid_id, "price")
    world.save(bid_id, "fair_work", {"fw_lowest_hourly_pay": "13.50"}, action="draft")
    body = text_of(world.client.get(f"/provider/bids/{bid_id}"))
    assert body.count("Not started") == 3
    assert body.count("In progress") == 1
    assert "You have completed 1 of 5 sections." in body


def test_a_section_page_has_one_h1_labelled_questions_and_both_buttons(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response, form = world.page(section_url(bid_id, "fair_work"))
    page = parse_page(response)
    assert page.status_code == 200
    assert page.h1s == ["Fair work"]
    assert page.title.startswith("Fair work – Homecare round 1")
    assert page.duplicate_ids == []
    assert form.value("version") == str(world.bid(bid_id).version)
    body = response.get_data(as_text=True)
    assert '<button type="submit" value="continue" name="action"' in body
    assert '<button type="submit" value="draft" name="action"' in body
    assert 'enctype="multipart/form-data"' in body


def test_an_unknown_section_is_not_found(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    assert world.client.get(section_url(bid_id, "no_such_section")).status_code == 404


def test_save_and_continue_completes_a_section_and_returns_to_the_task_list(
    world: BidWorld,
) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.save(bid_id, "fair_work")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/provider/bids/{bid_id}")
    answers = world.bid(bid_id).answers
    assert answers["fw_lowest_hourly_pay"] == "13.50"
    assert answers["fw_paid_travel_time"] is True
    assert answers["fw_staff_voice"] == ["staff_forum", "paid_team_meetings"]
    assert "fw_travel_arrangements" not in answers  # a follow-up not asked


def test_save_and_continue_with_errors_saves_nothing_and_links_each_error(
    world: BidWorld,
) -> None:
    world.provider()
    bid_id = world.start(world.round())
    before = world.bid(bid_id)
    data = {**SECTION_ANSWERS["fair_work"], "fw_lowest_hourly_pay": "lots", "fw_sick_pay": ""}
    data["fw_paid_travel_time"] = "no"  # asks the follow-up, left empty
    response = world.save(bid_id, "fair_work", data)
    assert response.status_code == 200
    page = parse_page(response)
    assert page.title.startswith("Error: Fair work")
    form = read_form(response.get_data(as_text=True))
    assert form.error_links == [
        (
            "#fw_lowest_hourly_pay",
            "The lowest hourly rate you pay must be an amount in pounds, like 13.45",
        ),
        ("#fw_travel_arrangements", "Enter your answer"),
        ("#fw_sick_pay", "Select one of the options"),
    ]
    for href, _ in form.error_links:
        assert href.removeprefix("#") in form.ids
    # What was typed is still there; nothing was saved, but what was typed is kept.
    assert form.value("fw_lowest_hourly_pay") == "lots"
    assert form.value("fw_narrative") == SECTION_ANSWERS["fair_work"]["fw_narrative"]
    after = world.bid(bid_id)
    assert after.answers == before.answers
    assert after.unsaved_sections is not None
    assert after.unsaved_sections["fair_work"]["fields"]["fw_lowest_hourly_pay"] == ["lots"]


def test_save_as_draft_keeps_what_parses_and_shows_what_did_not(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    world.save(bid_id, "fair_work", {"fw_mileage_rate": "0.30"}, action="draft")
    response = world.save(
        bid_id,
        "fair_work",
        {"fw_lowest_hourly_pay": "13.60", "fw_mileage_rate": "thirty pence"},
        action="draft",
    )
    assert response.status_code == 200
    body = text_of(response)
    assert "Your other answers have been saved as a draft." in body
    form = read_form(response.get_data(as_text=True))
    assert form.error_links == [
        ("#fw_mileage_rate", "The rate you pay per mile must be an amount in pounds, like 13.45")
    ]
    assert form.value("version") == str(world.bid(bid_id).version)  # ready to save again
    answers = world.bid(bid_id).answers
    assert answers["fw_lowest_hourly_pay"] == "13.60"
    assert answers["fw_mileage_rate"] == "0.30"  # the stored answer is kept, not lost


def test_save_as_draft_with_nothing_wrong_returns_to_the_task_list(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.save(bid_id, "price", {"pr_hourly_rate": ""}, action="draft")
    assert response.status_code == 302
    body = text_of(world.client.get(f"/provider/bids/{bid_id}"))
    assert "Your answers to Price have been saved as a draft." in body


def test_documents_are_stored_with_the_section(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    data = SECTION_ANSWERS["quality"]
    response = world.save(bid_id, "quality", data, files={})
    assert response.status_code == 200
    assert read_form(response.get_data(as_text=True)).error_links == [
        ("#q_safeguarding-evidence", "Select a supporting document to upload")
    ]
    response = world.save(bid_id, "quality", data, files={"q_safeguarding-evidence": "policy.pdf"})
    assert response.status_code == 302
    with world.app.app_context():
        stored = db.session.scalars(db.select(EvidenceFile)).all()
        assert [(e.bid_id, e.criterion_id, e.filename) for e in stored] == [
            (bid_id, "q_safeguarding", "policy.pdf")
        ]
    body = text_of(world.client.get(section_url(bid_id, "quality")))
    assert "Current file: policy.pdf." in body


def test_a_file_that_is_not_an_allowed_document_is_refused(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    url = section_url(bid_id, "quality")
    _, form = world.page(url)
    response = world.client.post(
        url,
        data={
            "csrf_token": form.value("csrf_token"),
            "version": form.value("version"),
            "action": "continue",
            **SECTION_ANSWERS["quality"],
            "q_safeguarding-evidence": (BytesIO(b"just some text"), "policy.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "The selected file must be a PDF" in text_of(response)
    assert world.bid(bid_id).answers.get("q_person_centred") is None


def _parent_company_block(response: TestResponse) -> str:
    html = response.get_data(as_text=True)
    start = html.index('id="follow-up-lo_ultimate_owner"')
    return html[html.rindex("<div", 0, start) : start + 200]


def test_the_parent_company_is_asked_only_when_the_ownership_answer_needs_it(
    world: BidWorld,
) -> None:
    world.provider()
    bid_id = world.start(world.round())
    url = section_url(bid_id, "local_ownership")
    # Not answered yet: hidden until an owner with a parent is chosen.
    assert " hidden>" in _parent_company_block(world.client.get(url))

    world.save(bid_id, "local_ownership", {"lo_ownership_form": "cooperative"}, action="draft")
    assert " hidden>" in _parent_company_block(world.client.get(url))
    assert "lo_ultimate_owner" not in world.bid(bid_id).answers

    # Choosing an owner with a parent asks for the parent company on the same page.
    response = world.save(
        bid_id,
        "local_ownership",
        {**SECTION_ANSWERS["local_ownership"], "lo_ownership_form": "private_equity"},
    )
    assert response.status_code == 200
    assert ("#lo_ultimate_owner", "Enter your answer") in read_form(
        response.get_data(as_text=True)
    ).error_links
    assert " hidden>" not in _parent_company_block(response)
