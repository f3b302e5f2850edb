"""A demo provider reads its self-assessment: scores, and the changes that would raise them."""

from __future__ import annotations

import re

from tests.browser.journey import Journey
from webapp.demo import DEMO_PASSWORD, provider_email

# A private-equity owned group paying the legal minimum: plenty of advice to give.
PROVIDER = provider_email("meridian-crest")


def _total_points(journey: Journey) -> float:
    text = journey.page.locator("#total-score").inner_text()
    found = re.search(r"You scored ([\d.]+) of the ([\d.]+) points", text)
    assert found, f"no total score in {text!r}"
    assert float(found.group(1)) <= float(found.group(2))
    return float(found.group(1))


def test_a_demo_providers_self_assessment_shows_scores_and_advice(journey: Journey) -> None:
    journey.sign_in(PROVIDER, DEMO_PASSWORD)
    journey.click("Self-assessment")
    journey.expect_heading("Self-assessment")
    assert re.search(r"You have completed (\d+) of \1 sections", journey.main_text())

    journey.click("See your results", role="button")
    journey.expect_heading("Your self-assessment results")
    before = _total_points(journey)
    assert before > 0
    advice = journey.page.locator("#advice-list > li")
    assert advice.count() > 0
    assert "more points" in advice.first.inner_text()
    assert "Marked by evaluators" in journey.main_text() or "evaluators" in journey.main_text()

    # Paying for travel time is worth points: answering yes raises the score at once.
    journey.click("Back")
    journey.click("Fair work")
    journey.expect_heading("Fair work")
    journey.page.locator('input[name="fw_paid_travel_time"][value="yes"]').check()
    journey.submit("Save and continue")
    assert not journey.error_summary(), journey.error_summary()
    journey.go("/provider/self-assessment/results")
    assert _total_points(journey) > before


def test_the_parent_company_question_follows_the_ownership_answer(journey: Journey) -> None:
    journey.sign_in(PROVIDER, DEMO_PASSWORD)
    journey.go("/provider/self-assessment/sections/local_ownership")
    journey.expect_heading("Local ownership and community wealth")
    parent = journey.page.locator("#lo_ultimate_owner")
    ownership = 'input[name="lo_ownership_form"][value="{}"]'
    # Owned by a private equity fund: the parent company is asked.
    assert journey.page.locator(ownership.format("private_equity")).is_checked()
    assert parent.is_visible()
    journey.page.locator(ownership.format("cooperative")).check()
    assert parent.is_hidden()
    journey.audit()
    journey.page.locator(ownership.format("offshore_parent")).check()
    assert parent.is_visible()
    # Nothing is saved: the demo provider's answers stay as they were.
