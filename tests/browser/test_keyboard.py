"""Keyboard only: a provider completes a bid section and an evaluator marks a question.

No clicks: Tab and Shift+Tab to move, arrow keys and Space to choose, typing to answer, Enter
to follow a link or press a button. On each form the walk checks that every element that takes
focus shows GOV.UK's focus indicator, that focus moves down the page in the order it reads,
and that Shift+Tab retraces the way back (no element keeps focus). These journeys change the
demo data, so they run on a server of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from criteria.model import Section
from criteria.round_file import load_round
from tests.browser.conftest import LiveServer, serving_the_demo
from tests.browser.journey import Journey
from tests.browser.keyboard import KeyboardWalk, Stop, is_button, is_field, is_link, is_link_to
from webapp.demo import (
    AWARD_ROUND_REFERENCE,
    AWARD_ROUND_TITLE,
    DEMO_PASSWORD,
    NO_BID_PROVIDER,
    ROUND_FILE,
    provider_email,
    staff_email,
    stored_answers,
)
from webapp.forms.builder import field_name

SECTION = "fair_work"
"""Radios, checkboxes, a question revealed by a checkbox, money, percentages and long text;
no document to attach (choosing a file opens the system's own dialog, outside the page)."""
EVALUATOR = staff_email("evaluator3", "Wellfield Borough Council")
HOLLIN_BROOK = "Hollin Brook Care Co-operative"
JUSTIFICATION = "A clear answer with examples from current practice and measured results."


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serving_the_demo(tmp_path_factory.mktemp("keyboard-server")) as server:
        yield server


@pytest.fixture
def journey(chromium: Browser, own_server: LiveServer) -> Iterator[Journey]:
    context = chromium.new_context(base_url=own_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        journey = Journey(context.new_page(), own_server.url)
        yield journey
        journey.finish()
    finally:
        context.close()


def sign_in_by_keyboard(journey: Journey, email: str) -> None:
    journey.go("/sign-in")
    walk = KeyboardWalk(journey.page)
    walk.tab_until(is_field("email"), "the email address")
    journey.page.keyboard.type(email)
    walk.tab_until(is_field("password"), "the password")
    journey.page.keyboard.type(DEMO_PASSWORD)
    walk.tab_until(is_button("Sign in"), "the Sign in button")
    journey.press("Enter")
    assert not journey.error_summary(), f"sign-in refused: {journey.error_summary()}"


def follow_by_keyboard(journey: Journey, wanted: Any, what: str) -> None:
    """Tab from the top of the page to a link or button, then press Enter on it."""
    KeyboardWalk(journey.page).tab_until(wanted, what)
    journey.press("Enter")


def choose_radio(page: Page, stop: Stop, value: str) -> None:
    """Focus has just entered a radio group with nothing chosen: Space chooses the first
    radio, each arrow key press the next one."""
    if stop.value == value:
        page.keyboard.press("Space")
        return
    for _ in range(12):
        page.keyboard.press("ArrowDown")
        if page.evaluate("document.activeElement.value") == value:
            return
    raise AssertionError(f"no radio with the value {value!r} in the group {stop.name!r}")


def answer_by_keyboard(page: Page, stop: Stop, value: Any) -> None:
    if stop.type == "radio":
        answer = "yes" if value is True else "no" if value is False else str(value)
        choose_radio(page, stop, answer)
    elif stop.type == "checkbox":
        if stop.value in value and not stop.checked:
            page.keyboard.press("Space")
    else:
        page.keyboard.type(str(value))


def fill_in_by_keyboard(page: Page, section: Section, answers: dict[str, Any]) -> KeyboardWalk:
    """Tab through the section's page from the top, answering each question as focus reaches
    it, until focus is on the Save and continue button."""
    questions = {field_name(c.id): c for c in section.criteria if c.id in answers}
    walk = KeyboardWalk(page)
    answered: set[str] = set()
    while True:
        stop = walk.tab()
        if is_button("Save and continue")(stop):
            break
        criterion = questions.get(stop.name)
        if criterion is not None:
            answer_by_keyboard(page, stop, answers[criterion.id])
            answered.add(criterion.id)
        assert len(walk.stops) < walk.limit, "the Save and continue button was never reached"
    missing = set(answers) & {c.id for c in section.criteria} - answered
    assert not missing, f"focus never reached the questions {sorted(missing)}"
    return walk


def check_the_walk(walk: KeyboardWalk) -> None:
    walk.check_focus_was_visible()
    walk.check_order_follows_the_page()
    walk.check_shift_tab_retraces()


def test_a_provider_completes_a_bid_section_with_the_keyboard_alone(journey: Journey) -> None:
    loaded = load_round(ROUND_FILE)
    section = next(s for s in loaded.framework.sections if s.id == SECTION)
    example = next(b for b in loaded.round.bids if b.id == NO_BID_PROVIDER)
    answers = stored_answers(loaded.framework, example.answers)

    sign_in_by_keyboard(journey, provider_email(NO_BID_PROVIDER))
    journey.expect_heading("Your bids")
    follow_by_keyboard(journey, is_button("Start a bid"), "the Start a bid button")
    bid_path = journey.path()
    follow_by_keyboard(journey, is_link(re.escape(section.title)), f"the {section.title} link")
    journey.expect_heading(re.escape(section.title))

    walk = fill_in_by_keyboard(journey.page, section, answers)
    assert any(stop.type == "radio" for stop in walk.stops)
    assert any(stop.type == "checkbox" for stop in walk.stops)
    assert any(stop.tag == "textarea" for stop in walk.stops)
    check_the_walk(walk)
    journey.press("Enter")  # Save and continue has focus again after the walk back

    assert not journey.error_summary(), f"the section was refused:\n{journey.error_summary()}"
    assert journey.path() == bid_path
    assert "You have completed 1 of" in journey.main_text()


def test_an_evaluator_marks_a_question_with_the_keyboard_alone(journey: Journey) -> None:
    sign_in_by_keyboard(journey, EVALUATOR)
    journey.expect_heading("Your marking")  # where an evaluator starts
    follow_by_keyboard(
        journey,
        is_link(re.escape(f"{AWARD_ROUND_REFERENCE}: {AWARD_ROUND_TITLE}") + ".*"),
        "the award round",
    )
    follow_by_keyboard(journey, is_link(re.escape(HOLLIN_BROOK) + ".*"), "the co-operative's bid")
    questions = journey.page.locator("table", has_text="What you mark").locator("tbody tr")
    first = questions.first.get_by_role("link").get_attribute("href")
    assert first
    follow_by_keyboard(journey, is_link_to(first), "the first question")
    assert "question 1 of" in journey.main_text()

    walk = KeyboardWalk(journey.page)
    walk.tab_until(is_field("points"), "the mark")
    choose_radio(journey.page, walk.stops[-1], "4")
    walk.tab_until(is_field("justification"), "the justification")
    journey.page.keyboard.type(JUSTIFICATION)
    walk.tab_until(is_button("Save and continue"), "the Save and continue button")
    check_the_walk(walk)
    journey.press("Enter")

    assert not journey.error_summary(), f"the mark was refused:\n{journey.error_summary()}"
    assert "question 2 of" in journey.main_text()
    follow_by_keyboard(journey, is_link(r"Check your marks for .*"), "the check page")
    journey.expect_heading("Check your marks")
    assert JUSTIFICATION in journey.main_text()


# --- the walk's own checks: each must catch what it claims to ---------------------------------

FOCUS_STYLE = "a:focus, input:focus { outline: 3px solid #ffdd00; }"


def _walk_over(chromium: Browser, body: str, style: str = FOCUS_STYLE) -> KeyboardWalk:
    page = chromium.new_page()
    page.set_content(
        f'<!DOCTYPE html><html lang="en"><head><title>Walk</title><style>{style}</style>'
        f"</head><body><main>{body}</main></body></html>"
    )
    return KeyboardWalk(page, limit=6)


def _tab_through(walk: KeyboardWalk, count: int) -> None:
    for _ in range(count):
        walk.tab()


TWO_FIELDS = '<input id="one" name="one"><br><input id="two" name="two"><br><a href="#x">Go</a>'


def test_the_walk_passes_fields_in_order_with_visible_focus(chromium: Browser) -> None:
    walk = _walk_over(chromium, TWO_FIELDS)
    _tab_through(walk, 3)
    walk.check_focus_was_visible()
    walk.check_order_follows_the_page()
    walk.check_shift_tab_retraces()
    walk.page.close()


def test_the_walk_fails_an_element_without_a_focus_indicator(chromium: Browser) -> None:
    walk = _walk_over(chromium, TWO_FIELDS, style="input:focus { outline: none; }")
    _tab_through(walk, 2)
    with pytest.raises(AssertionError, match="focus was not visible on"):
        walk.check_focus_was_visible()
    walk.page.close()


def test_the_walk_fails_a_tab_order_that_jumps_back_up_the_page(chromium: Browser) -> None:
    walk = _walk_over(
        chromium, '<input id="one" name="one"><br><input id="two" name="two" tabindex="1">'
    )
    _tab_through(walk, 2)
    with pytest.raises(AssertionError, match="tab order leaves the visual order"):
        walk.check_order_follows_the_page()
    walk.page.close()


def test_the_walk_fails_a_field_that_keeps_focus(chromium: Browser) -> None:
    trap = (
        '<input id="trap" name="trap" '
        "onkeydown=\"if (event.key === 'Tab') event.preventDefault()\">"
        '<input id="after" name="after">'
    )
    walk = _walk_over(chromium, trap)
    walk.tab()
    with pytest.raises(AssertionError, match="a keyboard trap"):
        walk.tab()
    walk.page.close()
