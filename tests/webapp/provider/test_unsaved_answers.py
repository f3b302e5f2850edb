"""A refused save loses nothing: typed answers and uploaded files are kept until fixed."""

from __future__ import annotations

import re

import sqlalchemy as sa
from werkzeug.test import TestResponse

from tests.webapp.conftest import parse_page
from tests.webapp.provider.bidding import SECTION_ANSWERS, BidWorld, section_url
from tests.webapp.provider.page_forms import read_form
from webapp.extensions import db
from webapp.models import EvidenceFile

QUALITY = SECTION_ANSWERS["quality"]


def text_of(response: TestResponse) -> str:
    """The page's words, tags left out."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def refused_quality_save(world: BidWorld, bid_id: int) -> TestResponse:
    """Save and continue with the safeguarding document attached and an answer left empty."""
    answers = {**QUALITY, "q_person_centred": ""}
    return world.save(
        bid_id, "quality", answers, files={"q_safeguarding-evidence": "safeguarding.pdf"}
    )


def test_an_upload_posted_with_a_refused_save_is_kept_as_attached_not_yet_saved(
    world: BidWorld,
) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = refused_quality_save(world, bid_id)
    assert response.status_code == 200
    body = text_of(response)
    assert "safeguarding.pdf is attached, not yet saved" in body
    assert "Nothing in this section has been saved yet" in body
    assert world.bid(bid_id).answers.get("q_person_centred") is None

    # Leaving the page and coming back: the typed answers, the error and the file are all there.
    again = world.client.get(section_url(bid_id, "quality"))
    form = read_form(again.get_data(as_text=True))
    assert form.value("q_safeguarding") == QUALITY["q_safeguarding"]
    assert form.value("q_cqc_provider_id") == QUALITY["q_cqc_provider_id"]
    assert [href for href, _ in form.error_links] == ["#q_person_centred"]
    assert "safeguarding.pdf is attached, not yet saved" in text_of(again)
    task_list = text_of(world.client.get(f"/provider/bids/{bid_id}"))
    assert "Some answers have not been saved: open this section to fix them" in task_list

    # Fixing the answer saves the kept file with it, without uploading it again.
    response = world.save(bid_id, "quality", QUALITY, files={})
    assert response.status_code == 302, text_of(response)
    check = text_of(world.client.get(f"/provider/bids/{bid_id}/check"))
    assert "safeguarding.pdf" in check
    after = text_of(world.client.get(section_url(bid_id, "quality")))
    assert "not yet saved" not in after
    assert "Some answers have not been saved" not in text_of(
        world.client.get(f"/provider/bids/{bid_id}")
    )


def test_a_kept_upload_can_be_removed(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    refused_quality_save(world, bid_id)
    page = parse_page(world.client.get(section_url(bid_id, "quality")))
    remove = f"/provider/bids/{bid_id}/sections/quality/pending/q_safeguarding-evidence/remove"
    assert f'action="{remove}"' in world.client.get(section_url(bid_id, "quality")).get_data(
        as_text=True
    )
    assert "q_safeguarding-evidence-pending" in page.ids
    response = world.post(remove, {}, page=section_url(bid_id, "quality"))
    assert response.status_code == 302
    body = text_of(world.client.get(response.headers["Location"]))
    assert "The file has been removed." in body
    assert "not yet saved" not in body
    assert QUALITY["q_safeguarding"] in world.client.get(section_url(bid_id, "quality")).get_data(
        as_text=True
    )

    # The answer fixed but the document gone: the save asks for the document again.
    response = world.save(bid_id, "quality", QUALITY, files={})
    assert response.status_code == 200
    assert "Select a supporting document to upload" in text_of(response)


def test_a_kept_upload_is_not_part_of_the_bid_until_saved(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    refused_quality_save(world, bid_id)
    with world.app.app_context():
        kept = db.session.scalars(sa.select(EvidenceFile)).one()
        assert kept.bid_id is None
        assert kept.filename == "safeguarding.pdf"


def test_a_draft_with_a_wrong_answer_keeps_what_was_typed(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.save(bid_id, "price", {"pr_hourly_rate": "forty five pence"}, action="draft")
    assert response.status_code == 200
    again = read_form(world.client.get(section_url(bid_id, "price")).get_data(as_text=True))
    assert again.value("pr_hourly_rate") == "forty five pence"
    assert again.error_links
