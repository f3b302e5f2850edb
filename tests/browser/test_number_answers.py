"""A provider types an impossible hourly price: the page refuses it, names the question in the
error summary and beside the field, keeps what was typed, and passes the accessibility audit."""

from __future__ import annotations

import re

from tests.browser.journey import Journey
from webapp.demo import DEMO_PASSWORD, DRAFT_PROVIDER, provider_email

MESSAGE = "The hourly rate you will charge must be between £1 and £200"


def test_an_impossible_hourly_price_is_refused_naming_the_question(journey: Journey) -> None:
    journey.sign_in(provider_email(DRAFT_PROVIDER), DEMO_PASSWORD)
    journey.navigate_by(journey.page.get_by_role("link", name=re.compile(r"^Continue your bid")))
    journey.click("Price")
    journey.expect_heading("Price")
    journey.page.locator('input[name="pr_hourly_rate"]').fill("999,999,999,999")
    journey.submit("Save and continue")  # audited by axe-core on arrival

    assert journey.page.title().startswith("Error: ")
    summary = journey.page.locator(".govuk-error-summary")
    assert MESSAGE in summary.inner_text()
    inline = journey.page.locator("#pr_hourly_rate-error").inner_text()
    assert " ".join(inline.split()) == f"Error: {MESSAGE}"
    field = journey.page.locator("#pr_hourly_rate")
    assert field.input_value() == "999,999,999,999"
    assert "pr_hourly_rate-error" in (field.get_attribute("aria-describedby") or "")

    summary.get_by_role("link", name=MESSAGE).click()
    assert field.evaluate("element => element === document.activeElement")
