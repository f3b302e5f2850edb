"""Signing out from the header: a button that looks like the links beside it, posted with the
form token, that ends the session; a copied link to /sign-out signs no one out."""

from __future__ import annotations

from tests.browser.journey import Journey
from webapp.demo import DEMO_PASSWORD, NO_BID_PROVIDER, provider_email


def test_a_provider_signs_out_with_the_header_button(journey: Journey) -> None:
    journey.sign_in(provider_email(NO_BID_PROVIDER), DEMO_PASSWORD)
    button = journey.page.locator(".govuk-service-navigation").get_by_role(
        "button", name="Sign out", exact=True
    )
    assert button.count() == 1
    assert journey.page.locator('a[href="/sign-out"]').count() == 0
    # It reads as one of the navigation's links: no button border, background or padding.
    style = button.evaluate(
        "b => { const s = getComputedStyle(b);"
        " return [s.borderTopWidth, s.backgroundColor, s.paddingLeft, s.cursor]; }"
    )
    assert style == ["0px", "rgba(0, 0, 0, 0)", "0px", "pointer"]

    journey.navigate_by(button)

    assert journey.path() == "/"
    assert "You have signed out on every device." in journey.banners()
    journey.go("/provider/")
    journey.expect_heading("Sign in")


def test_opening_the_sign_out_address_asks_before_signing_out(journey: Journey) -> None:
    journey.sign_in(provider_email(NO_BID_PROVIDER), DEMO_PASSWORD)

    journey.go("/sign-out")
    journey.expect_heading("Sign out")
    journey.go("/provider/")
    assert journey.path() == "/provider/"

    journey.go("/sign-out")
    journey.navigate_by(journey.page.locator("main").get_by_role("button", name="Sign out"))
    assert "You have signed out on every device." in journey.banners()
