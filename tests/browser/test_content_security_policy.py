"""The Content-Security-Policy lets GOV.UK Frontend run, and blocks nothing the pages need.

Chromium reports every blocked script, style or resource in the console; each journey fails on
one (`Journey.finish`). These pages are opened here too, with the checks that the inline
scripts really ran under the policy: the `js-enabled` class and initialised components.
"""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage

from tests.browser.journey import Journey
from webapp.demo import DEMO_PASSWORD, provider_email

# A demo provider that only reads pages here.
PROVIDER = provider_email("lantern-trust")


def _frontend_ran(journey: Journey) -> None:
    """GOV.UK Frontend's inline init script and its `initAll()` module both ran."""
    body_classes = journey.page.locator("body").get_attribute("class") or ""
    assert "js-enabled" in body_classes, f"{journey.page.url}: the inline script did not run"
    assert "govuk-frontend-supported" in body_classes
    navigation = journey.page.locator('[data-module="govuk-service-navigation"]')
    assert navigation.count() == 1
    navigation.first.wait_for(state="attached")
    journey.page.wait_for_function(
        "document.querySelector('[data-module=\"govuk-service-navigation\"]')"
        ".hasAttribute('data-govuk-service-navigation-init')"
    )


def test_public_pages_run_govuk_frontend_under_the_policy(journey: Journey) -> None:
    for path in ("/", "/sign-in", "/accessibility"):
        response = journey.go(path)
        assert response is not None
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        _frontend_ran(journey)
    assert journey.policy_violations == []


def test_the_not_found_page_runs_under_the_policy(journey: Journey) -> None:
    response = journey.page.goto(journey.url("/no-such-page"))
    assert response is not None
    assert response.status == 404
    journey.audit()
    _frontend_ran(journey)
    assert "Quote this reference if you contact us:" in journey.main_text()
    assert response.headers["x-request-id"] in journey.main_text()


def test_a_providers_pages_run_under_the_policy(journey: Journey) -> None:
    journey.sign_in(PROVIDER, DEMO_PASSWORD)
    journey.expect_heading("Your bids")
    _frontend_ran(journey)
    journey.navigate_by(
        journey.page.locator("#bids").get_by_role("link", name=re.compile(r"Homecare")).first
    )
    _frontend_ran(journey)
    journey.go("/provider/self-assessment")
    _frontend_ran(journey)
    assert journey.policy_violations == []


def test_an_injected_inline_script_is_blocked_and_reported(journey: Journey) -> None:
    """The check above would see a violation: the policy really is enforced in this browser."""
    journey.go("/")
    seen: list[str] = []
    journey.page.on("console", lambda message: _collect(seen, message))
    ran = journey.page.evaluate(
        """() => {
            window.injectedRan = false;
            const script = document.createElement("script");
            script.textContent = "window.injectedRan = true";
            document.body.appendChild(script);
            return window.injectedRan;
        }"""
    )
    assert ran is False
    journey.page.wait_for_timeout(100)
    assert any("Content Security Policy" in text for text in seen), seen
    journey.policy_violations.clear()  # expected here, unlike on any page of the service


def _collect(seen: list[str], message: ConsoleMessage) -> None:
    seen.append(message.text)
