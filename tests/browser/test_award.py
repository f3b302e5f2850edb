"""The closed demo round awarded through the real pages, one person after another.

Mei Lin marks the co-operative's bid and then sees the panel's marks; the commissioner
moderates the wide spreads, decides the flagged price, reads the results and puts them to the
board; the board approves; the co-operative, which saw no outcome before, reads its own.
Each person has a browser of their own, and every page they reach is audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from playwright.sync_api import Browser

from tests.browser.conftest import LiveServer
from tests.browser.journey import Journey
from webapp.demo import (
    AWARD_ROUND_REFERENCE,
    AWARD_ROUND_TITLE,
    DEMO_PASSWORD,
    provider_email,
    staff_email,
)

COUNCIL = "Wellfield Borough Council"
EVALUATOR = staff_email("evaluator3", COUNCIL)
COMMISSIONER = staff_email("commissioner1", COUNCIL)
BOARD_MEMBER = staff_email("board", COUNCIL)
PROVIDER = provider_email("hollin-brook")
HOLLIN_BROOK = "Hollin Brook Care Co-operative"
MERIDIAN_CREST = "Meridian Crest Homecare Ltd"
OTHER_EVALUATORS = ("Grace Okafor", "Daniel Hughes")
MODERATION_RATIONALE = "The panel agreed the answer is sound, with examples from current practice."
DECISIONS = (
    ("Accept the price", "The cost breakdown adds up and the price will be held for two years."),
    ("Disregard the tender", "Travel time is unpaid, so the promised pay is not funded."),
)
BOARD_COMMENT = "Approved: the ranking is stable and every price flag was decided."


def justification(number: int) -> str:
    return f"Question {number}: a full answer with clear evidence and measured results."


@dataclass(frozen=True)
class Standing:
    """What the results page showed: the winner, and the co-operative's rank and total."""

    winner: str
    rank: str
    total: str


@contextmanager
def signed_in(chromium: Browser, live_server: LiveServer, email: str) -> Iterator[Journey]:
    """A fresh browser session for one person, signed in; its pages audited to the end."""
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        journey = Journey(context.new_page(), live_server.url)
        journey.sign_in(email, DEMO_PASSWORD)
        yield journey
        journey.finish()
    finally:
        context.close()


def test_a_closed_round_is_marked_moderated_decided_approved_and_its_outcome_published(
    chromium: Browser, live_server: LiveServer
) -> None:
    with signed_in(chromium, live_server, PROVIDER) as provider:
        outcome_path = no_outcome_yet(provider)
        with signed_in(chromium, live_server, EVALUATOR) as evaluator:
            marked = mark_the_cooperatives_bid(evaluator)
        with signed_in(chromium, live_server, COMMISSIONER) as commissioner:
            open_the_round(commissioner)
            moderate_the_wide_spreads(commissioner)
            decide_the_price_checks(commissioner)
            standing = read_the_results(commissioner)
            submit_to_the_board(commissioner, standing)
            assert provider.page.request.get(outcome_path).status == 404
            with signed_in(chromium, live_server, BOARD_MEMBER) as board:
                approve_the_award(board, standing)
            trail_shows_the_decision(commissioner)
        read_the_outcome(provider, standing, marked)


def no_outcome_yet(journey: Journey) -> str:
    """The co-operative's submitted bid has no outcome link, and its outcome page is missing."""
    journey.expect_heading("Your bids")
    row = journey.page.locator("#bids tbody tr", has_text=AWARD_ROUND_TITLE)
    assert "Submitted" in row.inner_text()
    assert journey.page.get_by_role("link", name=re.compile("See the outcome")).count() == 0
    bid_path = row.get_by_role("link", name=AWARD_ROUND_TITLE, exact=True).get_attribute("href")
    assert bid_path
    outcome_path = f"{bid_path}/outcome"
    assert journey.page.request.get(outcome_path).status == 404
    return outcome_path


def mark_the_cooperatives_bid(journey: Journey) -> int:
    """Mark every question of the co-operative's bid; return how many there were."""
    journey.expect_heading("Your marking")  # where an evaluator starts
    landing = journey.page.locator("tr", has_text=HOLLIN_BROOK)
    assert "Not started" in landing.inner_text()
    assert landing.get_by_role("link", name=f"Start marking for {HOLLIN_BROOK}").count() == 1
    journey.click(f"{AWARD_ROUND_REFERENCE}: {AWARD_ROUND_TITLE}")
    journey.expect_heading(AWARD_ROUND_TITLE)
    assert "Mark 1 bid" in journey.main_text()
    row = journey.page.locator("tr", has_text=HOLLIN_BROOK)
    assert "Not started" in row.inner_text()
    # Evaluators mark independently: no one else's marks before their own are in.
    assert row.get_by_role("link", name=re.compile("see all evaluators")).count() == 0

    journey.click(HOLLIN_BROOK)
    journey.expect_heading(HOLLIN_BROOK)
    questions = journey.page.locator("table", has_text="What you mark").locator("tbody tr")
    count = questions.count()
    assert count > 0
    assert questions.filter(has_text="Not marked").count() == count
    journey.navigate_by(questions.first.get_by_role("link"))
    for number in range(1, count + 1):
        assert f"question {number} of {count}" in journey.main_text()
        journey.choose("4: Very good")
        journey.fill("Why this mark", justification(number))
        journey.submit("Save and continue")
        assert not journey.error_summary(), journey.error_summary()

    journey.expect_heading("Check your marks")
    main = journey.main_text()
    assert all(justification(n) in main for n in range(1, count + 1))
    journey.submit("Submit marks")
    assert f"Marks submitted for {HOLLIN_BROOK}" in journey.banners()
    assert "Done" in journey.main_text()

    journey.click(f"see all evaluators' marks for {HOLLIN_BROOK}")
    journey.expect_heading("All evaluators' marks")
    tables = journey.page.locator("main table")
    assert tables.count() == count
    for table in tables.all():
        text = table.inner_text()
        assert "Mei Lin (you)" in text
        assert all(name in text for name in OTHER_EVALUATORS)
    return count


def open_the_round(journey: Journey) -> None:
    journey.expect_heading("Commissioning rounds")  # where a commissioner starts
    waiting = journey.page.locator("#needs-action .govuk-summary-card", has_text=AWARD_ROUND_TITLE)
    assert "Moderation needed" in waiting.inner_text()
    assert "Price checks need a decision" in waiting.inner_text()
    row = journey.page.locator("tr", has_text=AWARD_ROUND_REFERENCE)
    journey.navigate_by(row.get_by_role("link"))
    journey.expect_heading(AWARD_ROUND_TITLE)
    assert journey.page.locator("#award-stage").inner_text().strip() == "Evaluating"


def moderate_the_wide_spreads(journey: Journey) -> None:
    journey.click("Moderation")
    journey.expect_heading("Moderation")
    needed = journey.page.locator("#moderation-table tbody tr", has_text="moderation needed")
    count = needed.count()
    # The demo leaves two; Mei Lin's marks are within a point of the others'.
    assert count == 2, f"expected two wide spreads, found {count}"
    for _ in range(count):
        journey.navigate_by(needed.first.get_by_role("link", name=re.compile("^Moderate")))
        journey.expect_heading("Moderate the mark for")
        assert "moderation needed" in journey.main_text()
        journey.choose("3: Good")
        journey.fill("Rationale", MODERATION_RATIONALE)
        journey.submit("Save moderated mark")
        assert not journey.error_summary(), journey.error_summary()
        assert "Moderated mark of 3 recorded" in journey.banners()
    assert needed.count() == 0
    assert journey.page.locator("#needed-count").inner_text() == "No marks need moderation."
    journey.click("Back")


def decide_the_price_checks(journey: Journey) -> None:
    journey.click("Price checks")
    journey.expect_heading("Price checks")
    waiting = journey.page.locator("#price-checks tbody tr", has_text="Check the price")
    assert waiting.count() == len(DECISIONS)
    for choice, reason in DECISIONS:
        journey.navigate_by(waiting.first.get_by_role("link"))
        main = journey.main_text()
        assert MERIDIAN_CREST in main
        assert "Provider’s answer" in main
        journey.choose(choice)
        journey.fill("Reason for your decision", reason)
        journey.submit("Record decision")
        assert not journey.error_summary(), journey.error_summary()
        if choice == "Disregard the tender":
            journey.expect_heading(
                f"Are you sure you want to disregard the tender of {MERIDIAN_CREST}"
            )
            main = journey.main_text()
            assert reason in main
            assert "The bid will be excluded from the ranking" in main
            journey.submit("Yes, disregard the tender")
        assert f"Decision recorded: the price of {MERIDIAN_CREST}" in journey.banners()
    assert waiting.count() == 0
    journey.click("Back")


def read_the_results(journey: Journey) -> Standing:
    journey.click("Results")
    journey.expect_heading("Results")
    page = journey.page
    ranked = page.locator("#ranking tbody tr")
    names = [row.locator("th").inner_text().strip() for row in ranked.all()]
    assert HOLLIN_BROOK in names
    assert MERIDIAN_CREST not in names  # its tender was disregarded
    assert page.get_by_role("heading", name=f"{MERIDIAN_CREST}: excluded").is_visible()
    assert page.locator("#awaiting").count() == 0
    recommended = page.locator("#recommendation").inner_text()
    assert f"Recommended: {names[0]}" in recommended
    for part in ("#robustness", "#first-place", "#reversals", "#agreement", "#overall-alpha"):
        assert page.locator(part).is_visible(), f"{part} is not shown on the results page"
    assert "Probability of ranking first" in page.locator("#first-place").inner_text()
    mine = ranked.nth(names.index(HOLLIN_BROOK)).locator("td")
    standing = Standing(names[0], mine.nth(0).inner_text().strip(), mine.nth(1).inner_text())
    journey.click("Back to the round")
    return standing


def submit_to_the_board(journey: Journey, standing: Standing) -> None:
    journey.click("Submit the results to the board")
    journey.expect_heading("Submit the results to the board")
    assert "Ready for the board" in journey.main_text()
    assert standing.winner in journey.page.locator("#recommendation").inner_text()
    journey.fill("Note for the board (optional)", "Meridian Crest's tender was disregarded.")
    journey.submit("Submit to the board")
    assert "Results submitted to the board" in journey.banners()
    assert journey.page.locator("#award-stage").inner_text().strip() == "With the board"


def approve_the_award(journey: Journey, standing: Standing) -> None:
    journey.expect_heading("Decisions waiting for you")  # where a board member starts
    row = journey.page.locator("#awaiting tbody tr", has_text=AWARD_ROUND_REFERENCE)
    assert standing.winner in row.inner_text()
    journey.navigate_by(row.get_by_role("link", name=AWARD_ROUND_TITLE))
    journey.expect_heading(AWARD_ROUND_TITLE)
    assert "Meridian Crest's tender was disregarded." in journey.main_text()
    results = journey.page.get_by_role("heading", name="The results", exact=True)
    form = journey.page.locator("#decision-form")
    results_box, form_box = results.bounding_box(), form.bounding_box()
    assert results_box is not None
    assert form_box is not None
    assert results_box["y"] < form_box["y"]  # the board decides after reading the results
    journey.choose("Approve the award")
    journey.fill("Comments", BOARD_COMMENT)
    journey.submit("Record the decision")
    assert not journey.error_summary(), journey.error_summary()
    journey.expect_heading("Are you sure you want to approve the award?")
    main = journey.main_text()
    assert BOARD_COMMENT in main
    assert "Every bidder will be emailed" in main
    journey.submit("Yes, approve the award")
    assert "Decision recorded: the board approved the results" in journey.banners()
    recorded = journey.page.locator("#decision-recorded").inner_text()
    assert recorded.startswith("Approved on")
    assert BOARD_COMMENT in recorded


def trail_shows_the_decision(journey: Journey) -> None:
    journey.click("Audit trail")
    journey.expect_heading("Audit trail")
    assert "chain intact" in journey.banners()
    decision = journey.page.locator("tbody tr", has_text="Board decision recorded")
    assert decision.count() == 1
    text = decision.inner_text()
    assert "Ruth Bamber" in text
    assert f"Board approved the results of {AWARD_ROUND_REFERENCE}" in text


def read_the_outcome(journey: Journey, standing: Standing, marked: int) -> None:
    journey.click("Your bids")
    journey.click(f"See the outcome of your bid for {AWARD_ROUND_TITLE}")
    journey.expect_heading("Outcome of your bid")
    page = journey.page
    assert page.locator("#position").inner_text().startswith(f"Ranked {standing.rank} of ")
    assert page.locator("#own-total").inner_text() == f"{standing.total} out of 100"
    if standing.winner == HOLLIN_BROOK:
        assert "Your bid was successful" in journey.main_text()
    else:
        assert page.locator("#winner").inner_text().startswith(f"{standing.winner}, ")
    reasons = page.locator(".govuk-summary-card", has_text="Evaluators’ reasons")
    assert reasons.count() == marked
    # None of the co-operative's marks was moderated: every reason Mei Lin gave is shown.
    shown = journey.main_text()
    assert all(justification(n) in shown for n in range(1, marked + 1))
    assert page.locator("#advice").is_visible()
