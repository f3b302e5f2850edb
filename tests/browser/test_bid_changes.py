"""A provider changes its submitted bid, and a refused save keeps what it typed and attached."""

from __future__ import annotations

import re

from tests.browser.journey import Journey
from webapp.demo import DEMO_PASSWORD, DEMO_ROUND_REFERENCE, provider_email
from webapp.demo.documents import demo_pdf

# A demo provider whose bid in the open round is submitted, and used by no other journey.
PROVIDER = provider_email("hearthside")
PERSON_CENTRED = (
    "How will you deliver care that is person-centred and builds on each person's strengths, "
    "so people stay as independent and connected as they wish?"
)
HOURLY_RATE = "What hourly rate will you charge for each contact hour of care?"


def _open_bid(journey: Journey) -> None:
    journey.sign_in(PROVIDER, DEMO_PASSWORD)
    journey.expect_heading("Your bids")
    journey.navigate_by(
        journey.page.locator("#bids").get_by_role("link", name=re.compile(r"Homecare")).first
    )


def test_changing_a_submitted_bid_warns_first_and_keeps_the_submitted_bid_counting(
    journey: Journey,
) -> None:
    _open_bid(journey)
    assert "This is the bid that counts." in journey.main_text()
    reference = re.search(rf"Reference ({DEMO_ROUND_REFERENCE}-B\d+-\d+)", journey.main_text())
    assert reference, journey.main_text()

    # Opening a section first says what changing a submitted bid means.
    journey.click("Price")
    journey.expect_heading("You have already submitted this bid")
    assert journey.page.locator(".govuk-warning-text").count() == 1
    journey.click("Change Price", role="button")
    journey.expect_heading("Price")
    journey.fill(HOURLY_RATE, "29.95")
    journey.submit("Save and continue")

    # Both states: the submitted bid still counts; the change waits to be submitted.
    text = journey.main_text()
    assert "Your changes have not been submitted" in text
    assert "Submitted, with changes not yet submitted" in text
    assert f"Reference {reference.group(1)}" in text
    journey.click("Back to your bids")
    assert "Changes not submitted" in journey.page.locator("#bids").inner_text()
    journey.click(f"Submit your changes for {_round_title(journey)}")
    journey.click("Check and submit your changes", role="button")
    journey.expect_heading("Check your changes before submitting your bid again")
    assert "£29.95" in journey.main_text()


def _round_title(journey: Journey) -> str:
    cell = journey.page.locator("#open-rounds tbody tr td").first.inner_text()
    return cell.splitlines()[0].strip()


def _open_quality(journey: Journey) -> None:
    """Open the Quality and safety section, through the warning while nothing has changed."""
    journey.click("Quality and safety")
    if "/change?" in journey.path():
        journey.click("Change Quality and safety", role="button")
    journey.expect_heading("Quality and safety")


def test_a_refused_save_keeps_the_typed_answers_and_the_attached_file(journey: Journey) -> None:
    _open_bid(journey)
    _open_quality(journey)
    journey.fill(PERSON_CENTRED, "")
    journey.page.locator('input[type="file"][name="q_safeguarding-evidence"]').set_input_files(
        {
            "name": "safeguarding-2026.pdf",
            "mimeType": "application/pdf",
            "buffer": demo_pdf("Safeguarding adults policy", ["Reviewed in 2026"]),
        }
    )
    journey.submit("Save and continue")
    assert journey.error_summary(), "the save should be refused"
    pending = journey.page.locator("#q_safeguarding-evidence-pending")
    assert "safeguarding-2026.pdf is attached, not yet saved" in pending.inner_text()

    # Leave the section and come back: nothing is lost.
    journey.click("Back")
    assert "Some answers have not been saved" in journey.main_text()
    _open_quality(journey)
    assert journey.error_summary()
    assert "safeguarding-2026.pdf is attached, not yet saved" in journey.main_text()

    # Remove the kept file; the answers typed stay.
    journey.navigate_by(pending.get_by_role("button", name=re.compile(r"^Remove")))
    assert "The file has been removed." in journey.banners()
    assert "not yet saved" not in journey.main_text()
