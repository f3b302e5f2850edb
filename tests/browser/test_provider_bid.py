"""A new provider registers, confirms its email, signs in, completes a bid and submits it."""

from __future__ import annotations

import re
import uuid

from criteria.round_file import load_round
from tests.browser.conftest import LiveServer
from tests.browser.filling import answer_section
from tests.browser.journey import Journey
from webapp.demo import DEMO_ROUND_REFERENCE, NO_BID_PROVIDER, ROUND_FILE, stored_answers
from webapp.mail import outbox_of

PASSWORD = "a long and unguessable bidding password"


def _example_answers() -> dict[str, object]:
    """The example co-operative's answers: a bid that passes every check."""
    loaded = load_round(ROUND_FILE)
    example = next(b for b in loaded.round.bids if b.id == NO_BID_PROVIDER)
    return stored_answers(loaded.framework, example.answers)


def _confirmation_link(live_server: LiveServer, email: str) -> str:
    messages = [m for m in outbox_of(live_server.app) if m["To"] == email]
    assert messages, f"no email was sent to {email}"
    body = messages[-1].get_content()
    found = re.search(r"https?://\S+/confirm/\S+", body)
    assert found, f"no confirmation link in the email:\n{body}"
    return found.group(0)


def test_a_new_provider_registers_completes_every_section_and_submits(
    journey: Journey, live_server: LiveServer
) -> None:
    email = f"bids-{uuid.uuid4().hex[:8]}@moss-lane.example"

    # Register the organisation.
    journey.go("/")
    journey.click("Sign in")
    journey.click("register their organisation")
    journey.expect_heading("Register your organisation")
    journey.fill("Organisation’s legal name", "Moss Lane Home Care CIC")
    journey.fill("Your full name", "Dana Moss")
    journey.fill("Email address", email)
    journey.fill("Create a password", PASSWORD)
    journey.fill("Confirm password", PASSWORD)
    journey.submit("Create account")
    journey.expect_heading("Check your email")

    # Confirm the address from the link in the email, then sign in.
    journey.go(_confirmation_link(live_server, email))
    journey.expect_heading("Sign in")
    assert "Your email address is confirmed" in journey.banners()
    journey.fill("Email address", email)
    journey.fill("Password", PASSWORD)
    journey.submit("Sign in")
    journey.expect_heading("Your bids")

    # Start a bid in the demo round and answer every section from its task list.
    assert DEMO_ROUND_REFERENCE in journey.main_text()
    journey.navigate_by(journey.page.get_by_role("button", name=re.compile(r"^Start a bid")))
    bid_path = journey.path()
    answers = _example_answers()
    framework = load_round(ROUND_FILE).framework
    for section in framework.sections:
        journey.click(section.title)
        journey.expect_heading(re.escape(section.title))
        assert answer_section(journey.page, section, answers) > 0
        journey.submit("Save and continue")
        assert not journey.error_summary(), (
            f"{section.title} was refused:\n{journey.error_summary()}"
        )
        assert journey.path() == bid_path
    total = len(framework.sections)
    assert f"You have completed {total} of {total} sections" in journey.main_text()

    # Check the answers, make the declaration and submit.
    journey.click("Check your answers", role="button")
    journey.expect_heading("Check your answers")
    main = journey.main_text()
    assert all(section.title in main for section in framework.sections)
    documents = [
        f"{c.id}.pdf" for c in framework.criteria.values() if c.evidence and c.evidence.required
    ]
    assert documents
    assert all(name in main for name in documents), "the attached documents are listed"
    journey.choose(
        "I confirm that the answers and documents in this bid are true and complete to the "
        "best of my knowledge, and that I am authorised to submit this bid for my organisation."
    )
    journey.fill("Your full name", "Dana Moss")
    journey.submit("Accept and submit")

    # The receipt gives a reference.
    assert journey.page.locator(".govuk-panel__title").inner_text().strip() == "Bid submitted"
    reference = journey.page.locator("#bid-reference").inner_text().strip()
    assert re.fullmatch(rf"{DEMO_ROUND_REFERENCE}-B\d+-1", reference), reference
    assert "signed by Dana Moss" in journey.main_text()

    # The dashboard lists the submitted bid with its reference.
    journey.click("Go to your bids")
    assert reference in journey.page.locator("#bids").inner_text()
