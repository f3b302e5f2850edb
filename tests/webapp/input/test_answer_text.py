"""Written answers: stored exactly as typed, however odd; refused clearly when too long or
holding a character no database can keep; never lost when refused."""

from __future__ import annotations

import pytest

from criteria.model import Criterion
from tests.webapp.provider.bidding import SECTION_ANSWERS, BidWorld
from tests.webapp.provider.page_forms import read_form
from webapp.forms.text_limits import NUL_MESSAGE, character_limit, text_problem

FAIR_WORK = SECTION_ANSWERS["fair_work"]
QUALITY = SECTION_ANSWERS["quality"]

ODD_TEXT = {
    "sql": "'; DROP TABLE bid; -- and \" OR 1=1; --",
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "javascript-url": "javascript:alert(document.cookie)",
    "template": "{{7*7}} {% if 1 %}x{% endif %} ${7*7} #{7*7}",
    "rtl-override": "Pay \u202egnp.exe\u202c policy",
    "zero-width": "Real\u200bLiving\u200dWage\ufeff",
    "combining": "Ca\u0301fe\u0301 Zalgo: Z\u0351\u0352\u0353a\u0354\u0355l\u0356g\u0357o",
    "emoji": "We care \U0001f49a\U0001f3f3\ufe0f\u200d\U0001f308 for people",
    "formula-equals": '=HYPERLINK("http://x","click")',
    "formula-plus": "+1+1",
    "formula-minus": "-2+3",
    "formula-at": "@SUM(A1:A9)",
    "control": "tab\there\r\nnew line\x01\x1b[31m",
}
"""Answers that must come back from the database exactly as typed."""


@pytest.mark.parametrize("name", list(ODD_TEXT))
def test_an_odd_written_answer_is_stored_exactly_as_typed(world: BidWorld, name: str) -> None:
    world.provider()
    bid_id = world.start(world.round())
    typed = ODD_TEXT[name]
    response = world.save(bid_id, "fair_work", {**FAIR_WORK, "fw_narrative": typed})
    assert response.status_code == 302, read_form(response.get_data(as_text=True)).error_links
    assert world.bid(bid_id).answers["fw_narrative"] == typed
    # And it comes back into the box as typed (the page escapes it; the parser unescapes it).
    shown = read_form(world.client.get(f"/provider/bids/{bid_id}/sections/fair_work").text)
    assert shown.value("fw_narrative") == typed.strip()


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_a_short_answer_starting_like_a_formula_is_stored_as_typed(
    world: BidWorld, prefix: str
) -> None:
    world.provider()
    bid_id = world.start(world.round())
    typed = f"{prefix}1-123456789"
    response = world.save(
        bid_id, "quality", {**QUALITY, "q_cqc_provider_id": typed}, files=_documents()
    )
    assert response.status_code == 302
    assert world.bid(bid_id).answers["q_cqc_provider_id"] == typed


def _documents() -> dict[str, str]:
    return {"q_safeguarding-evidence": "safeguarding.pdf"}


# --- character limits ------------------------------------------------------------------------


def test_a_hundred_thousand_character_word_is_refused_next_to_the_field_and_kept(
    world: BidWorld,
) -> None:
    world.provider()
    bid_id = world.start(world.round())
    before = world.bid(bid_id).answers
    typed = "x" * 100_000  # one word: the 500-word limit alone lets it through
    response = world.save(bid_id, "fair_work", {**FAIR_WORK, "fw_narrative": typed})
    assert response.status_code == 200
    form = read_form(response.get_data(as_text=True))
    message = "Your answer must be 7,500 characters or fewer (this answer has 100,000 characters)"
    assert form.field_errors["fw_narrative-error"] == message
    assert ("#fw_narrative", message) in form.error_links
    assert form.value("fw_narrative") == typed
    assert form.value("fw_lowest_hourly_pay") == FAIR_WORK["fw_lowest_hourly_pay"]
    assert world.bid(bid_id).answers == before


def test_a_draft_with_a_too_long_answer_keeps_the_rest_and_says_why(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    typed = "Long " + "y" * 8_000
    response = world.save(bid_id, "fair_work", {**FAIR_WORK, "fw_narrative": typed}, action="draft")
    assert response.status_code == 200
    form = read_form(response.get_data(as_text=True))
    assert form.field_errors["fw_narrative-error"].startswith(
        "Your answer must be 7,500 characters or fewer"
    )
    answers = world.bid(bid_id).answers
    assert "fw_narrative" not in answers
    assert answers["fw_lowest_hourly_pay"] == FAIR_WORK["fw_lowest_hourly_pay"]


def test_an_answer_at_the_character_limit_is_kept(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    typed = ("abcdefghijklmn " * 500).strip() + "z"  # 500 words, 7,500 characters
    assert len(typed) == 7_500
    response = world.save(bid_id, "fair_work", {**FAIR_WORK, "fw_narrative": typed})
    assert response.status_code == 302
    assert world.bid(bid_id).answers["fw_narrative"] == typed


def test_every_written_answer_has_a_character_limit() -> None:
    limited = Criterion(id="story", prompt="Tell us", type="narrative", max_words=500)
    unlimited = Criterion(id="story", prompt="Tell us", type="narrative")
    assert character_limit(limited) == 7_500
    assert character_limit(unlimited) == 20_000
    assert text_problem(unlimited, "a" * 20_000) is None
    assert text_problem(unlimited, "a" * 20_001) == (
        "Your answer must be 20,000 characters or fewer (this answer has 20,001 characters)"
    )


# --- NUL: no database keeps it ---------------------------------------------------------------


@pytest.mark.parametrize("action", ["continue", "draft"])
def test_a_nul_character_is_refused_with_a_clear_message_on_either_database(
    world: BidWorld, action: str
) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.save(
        bid_id, "fair_work", {**FAIR_WORK, "fw_narrative": "Fair\x00pay"}, action=action
    )
    assert response.status_code == 200
    form = read_form(response.get_data(as_text=True))
    assert form.field_errors["fw_narrative-error"] == NUL_MESSAGE
    assert form.value("fw_lowest_hourly_pay") == FAIR_WORK["fw_lowest_hourly_pay"]
    assert "fw_narrative" not in world.bid(bid_id).answers
    # The section opens again with what was typed, less the character that cannot be kept.
    again = read_form(world.client.get(f"/provider/bids/{bid_id}/sections/fair_work").text)
    assert again.value("fw_narrative") == "Fairpay"


def test_a_nul_character_in_a_short_answer_is_refused(world: BidWorld) -> None:
    world.provider()
    bid_id = world.start(world.round())
    response = world.save(
        bid_id,
        "quality",
        {**QUALITY, "q_cqc_provider_id": "1-12\x003"},
        files=_documents(),
    )
    assert response.status_code == 200
    form = read_form(response.get_data(as_text=True))
    assert form.field_errors["q_cqc_provider_id-error"] == NUL_MESSAGE
