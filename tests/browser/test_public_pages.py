"""A visitor who has not signed in: the home page, the accessibility statement, signing in."""

from __future__ import annotations

import pytest

from tests.browser.journey import Journey


def test_a_visitor_reads_the_home_page_and_the_accessibility_statement(journey: Journey) -> None:
    journey.go("/")
    journey.expect_heading("Commission care")
    assert journey.page.locator("html").get_attribute("lang") == "en"

    journey.click("Accessibility statement")
    journey.expect_heading("Accessibility statement")
    assert journey.path() == "/accessibility"


def test_the_skip_link_takes_keyboard_users_to_the_main_content(journey: Journey) -> None:
    journey.go("/")
    journey.page.keyboard.press("Tab")
    skip_link = journey.page.locator(":focus")
    assert skip_link.inner_text() == "Skip to main content"
    journey.page.keyboard.press("Enter")
    assert journey.page.evaluate("document.activeElement.id") == "main-content"


def test_a_visitor_finds_the_sign_in_page_from_the_header(journey: Journey) -> None:
    journey.go("/")
    if journey.page.get_by_role("link", name="Sign in", exact=True).count() == 0:
        pytest.fail("the header has no Sign in link")
    journey.click("Sign in")
    journey.expect_heading("Sign in")
    assert journey.page.get_by_label("Email address", exact=True).is_visible()
    assert journey.page.get_by_label("Password", exact=True).is_visible()
