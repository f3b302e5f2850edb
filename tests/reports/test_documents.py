"""The board pack and an assessment summary as PDFs: what a reader sees, tagged, and safe."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from criteria.improvement import improvement_advice
from reports.context import assessment_summary_context, board_pack_context
from reports.documents import BOARD_PACK, SUMMARY, render_document, render_html
from reports.render import ASSETS, Rendering

from .conftest import (
    BELOW_MINIMUM,
    DISREGARDED,
    HOSTILE_FILE,
    HOSTILE_IMAGE,
    WINNER,
    ScoredRound,
)

PRINT_CSS = (ASSETS / "print.css").resolve().as_uri()


@pytest.fixture(scope="module")
def pack_context(scored: ScoredRound) -> dict:
    return board_pack_context(
        scored.framework, scored.meta, scored.result, scored.robustness, scored.agreement
    )


@pytest.fixture(scope="module")
def pack(pack_context: dict) -> Rendering:
    return render_document(BOARD_PACK, pack_context)


@pytest.fixture(scope="module")
def summary(scored: ScoredRound) -> Rendering:
    advice = improvement_advice(scored.framework, scored.result.bid(BELOW_MINIMUM))
    context = assessment_summary_context(
        scored.framework, scored.meta, scored.result, BELOW_MINIMUM, advice
    )
    return render_document(SUMMARY, context)


def _text(rendering: Rendering) -> str:
    reader = PdfReader(io.BytesIO(rendering.pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _squashed(text: str) -> str:
    """Text without any whitespace: table cells wrap words across lines."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", ["pack", "summary"])
def test_every_report_is_tagged_titled_in_british_english_and_warning_free(
    name: str, request: pytest.FixtureRequest
) -> None:
    rendering: Rendering = request.getfixturevalue(name)
    reader = PdfReader(io.BytesIO(rendering.pdf))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata is not None
    assert "Homecare and supported living" in (reader.metadata.title or "")
    assert rendering.warnings == ()
    assert rendering.requested == (PRINT_CSS,)


def test_board_pack_shows_council_round_winner_scores_and_ranks(
    pack: Rendering, scored: ScoredRound
) -> None:
    text = _squashed(_text(pack))
    winner = scored.result.bid(WINNER)
    for expected in (
        "Wigmoor Borough Council",
        scored.meta.title,
        f"Recommended bid: {winner.name}",
        "Page 1 of",
        scored.meta.inputs_digest or "",
        scored.framework.version,
    ):
        assert _squashed(expected) in text
    for bid in scored.result.bids:
        assert _squashed(bid.name) in text
    assert _squashed(winner.criteria[0].reason) in text


def test_board_pack_gives_exclusion_reasons_and_price_decisions(
    pack: Rendering, scored: ScoredRound
) -> None:
    text = _squashed(_text(pack))
    disregarded = scored.result.bid(DISREGARDED)
    assert _squashed(disregarded.flags[0].decision_reason or "") in text
    for exclusion in scored.result.bid(BELOW_MINIMUM).exclusions:
        assert _squashed(exclusion.reason) in text


def test_board_pack_page_count_is_sane(pack: Rendering, scored: ScoredRound) -> None:
    pages = len(PdfReader(io.BytesIO(pack.pdf)).pages)
    # cover, contents, a page or more per bid, methodology
    assert len(scored.result.bids) + 3 <= pages <= 10 * len(scored.result.bids)


def test_hostile_answer_text_is_shown_literally_and_never_fetched(
    pack: Rendering, pack_context: dict
) -> None:
    html = render_html(BOARD_PACK, pack_context)
    assert HOSTILE_IMAGE not in html
    assert "&lt;img src=&#34;http://127.0.0.1:9/x&#34;&gt;" in html
    text = _squashed(_text(pack))
    assert _squashed(HOSTILE_IMAGE) in text
    assert HOSTILE_FILE in text
    assert pack.refused == ()
    assert not any("127.0.0.1" in url or "passwd" in url for url in pack.requested)


def test_summary_names_the_winner_the_recipients_reasons_and_advice(
    summary: Rendering, scored: ScoredRound
) -> None:
    text = _squashed(_text(summary))
    recipient = scored.result.bid(BELOW_MINIMUM)
    assert _squashed(scored.result.bid(WINNER).name) in text
    assert _squashed(f"Your tender, {recipient.name}") in text
    assert _squashed(recipient.exclusions[0].reason) in text
    assert _squashed("How to score more next time") in text
    advice = improvement_advice(scored.framework, recipient)
    assert _squashed(advice[-1].advice) in text
