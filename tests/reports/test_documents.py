# ruff: noqa: RUF001  # the reports print true minus and multiplication signs

"""The board pack and an assessment summary as PDFs: what a reader sees, tagged, and safe.

The pack is the whole example round (eight bids), with one provider's written answer replaced
by text that tries to make the renderer fetch a URL and read a file; it is rendered once for
the module, like the summary. Rendering and reading its 25 or so pages takes several seconds,
so the pack's tests are marked slow.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from criteria.improvement import improvement_advice
from criteria.result import fmt
from criteria.round_file import load_round
from reports.context import assessment_summary_context, board_pack_context
from reports.documents import BOARD_PACK, SUMMARY, render_document, render_html
from reports.render import ASSETS, Rendering

from .conftest import (
    BELOW_MINIMUM,
    DISREGARDED,
    HOSTILE,
    HOSTILE_FILE,
    HOSTILE_IMAGE,
    HOSTILE_NARRATIVE,
    ROUND_FILE,
    WINNER,
    ScoredRound,
    score_for_reports,
)

PRINT_CSS = (ASSETS / "print.css").resolve().as_uri()
EVALUATORS = ("A. Haworth", "R. Okafor", "J. Pennington", "S. Mistry")


@pytest.fixture(scope="module")
def example() -> ScoredRound:
    """The example round as a commissioner would send it to the board, one answer hostile."""
    loaded = load_round(ROUND_FILE)
    round_ = loaded.round
    bids = [
        b.model_copy(update={"answers": {**b.answers, "fw_narrative": HOSTILE_NARRATIVE}})
        if b.id == HOSTILE
        else b
        for b in round_.bids
    ]
    round_ = round_.model_copy(update={"bids": bids})
    return score_for_reports(loaded.framework, round_, samples=300, digest_byte="cd")


@pytest.fixture(scope="module")
def pack_context(example: ScoredRound) -> dict:
    return board_pack_context(
        example.framework,
        example.meta,
        example.result,
        example.robustness,
        example.agreement,
        panel=example.round.panel,
        settings=example.round.settings,
    )


@pytest.fixture(scope="module")
def pack(pack_context: dict) -> Rendering:
    return render_document(BOARD_PACK, pack_context)


@pytest.fixture(scope="module")
def summary(example: ScoredRound) -> Rendering:
    advice = improvement_advice(example.framework, example.result.bid(BELOW_MINIMUM))
    context = assessment_summary_context(
        example.framework, example.meta, example.result, BELOW_MINIMUM, advice
    )
    return render_document(SUMMARY, context)


def _reader(rendering: Rendering) -> PdfReader:
    return PdfReader(io.BytesIO(rendering.pdf))


def _pages(rendering: Rendering) -> list[str]:
    return _pages_of(rendering.pdf)


@functools.cache
def _pages_of(pdf: bytes) -> list[str]:
    """Each page's text; extracting it is slow, so it is done once for each PDF."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def _text(rendering: Rendering) -> str:
    return " ".join(_pages(rendering))


def _squashed(text: str) -> str:
    """Text without any whitespace: table cells wrap words across lines."""
    return re.sub(r"\s+", "", text)


def _structure(node: Any) -> Iterator[DictionaryObject]:
    """Every structure element under `node` of a tagged PDF's structure tree."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, ArrayObject):
        for child in node:
            yield from _structure(child)
    elif isinstance(node, DictionaryObject):
        if "/S" in node:
            yield node
        if "/K" in node:
            yield from _structure(node["/K"])


def _tags(rendering: Rendering) -> list[DictionaryObject]:
    return list(_structure(_reader(rendering).trailer["/Root"]["/StructTreeRoot"]))


def _outline_titles(rendering: Rendering) -> list[str]:
    def walk(items: list[Any]) -> Iterator[str]:
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield str(item.title)

    return list(walk(_reader(rendering).outline))


# --- every report ------------------------------------------------------------------------


@pytest.mark.parametrize("name", [pytest.param("pack", marks=pytest.mark.slow), "summary"])
def test_every_report_is_tagged_titled_in_british_english_and_warning_free(
    name: str, request: pytest.FixtureRequest
) -> None:
    rendering: Rendering = request.getfixturevalue(name)
    reader = _reader(rendering)
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata is not None
    assert "Homecare and supported living" in (reader.metadata.title or "")
    assert rendering.warnings == ()
    assert rendering.requested == (PRINT_CSS,)
    tags = {str(t["/S"]) for t in _tags(rendering)}
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/P"} <= tags


# --- the board pack ----------------------------------------------------------------------


@pytest.mark.slow
def test_board_pack_page_count_fits_a_cabinet_pack(pack: Rendering, example: ScoredRound) -> None:
    pages = len(_reader(pack).pages)
    # cover, contents, the round's sections, two pages or so a bid, methodology
    assert 2 * len(example.result.bids) + 6 <= pages <= 30
    assert pack.pages == pages


@pytest.mark.slow
def test_board_pack_shows_council_round_winner_scores_and_ranks(
    pack: Rendering, example: ScoredRound
) -> None:
    text = _squashed(_text(pack))
    winner = example.result.bid(WINNER)
    for expected in (
        "Wigmoor Borough Council",
        example.meta.title,
        f"Recommended bid: {winner.name}",
        "Page 1 of",
        example.framework.version,
        "Minimum sustainable rate",
        "£32.14",
    ):
        assert _squashed(expected) in text
    for bid in example.result.bids:
        assert _squashed(bid.name) in text
        assert fmt(bid.total, 2) in text
    assert _squashed(f"Rank 1 · Ranked · {fmt(winner.total, 2)} of 100 points") in text


@pytest.mark.slow
def test_board_pack_gives_each_bid_its_justifications_and_moderation(
    pack: Rendering, example: ScoredRound
) -> None:
    text = _squashed(_text(pack))
    fair_work = example.result.bid(WINNER).criterion("fw_narrative")
    for mark in fair_work.marks:
        assert _squashed(str(mark["justification"])) in text
    assert fair_work.moderated is not None
    assert _squashed(fair_work.moderated["rationale"]) in text


@pytest.mark.slow
def test_board_pack_gives_the_conflict_declaration_and_the_withheld_marks(
    pack: Rendering, example: ScoredRound
) -> None:
    text = _squashed(_text(pack))
    [declaration] = [d for m in example.round.panel for d in m.declarations if d.conflict]
    assert _squashed(f"Conflict with Rise Together Homecare: {declaration.details}") in text
    assert _squashed("J. Pennington did not mark Rise Together Homecare.") in text
    for evaluator in EVALUATORS:
        assert _squashed(evaluator) in text


@pytest.mark.slow
def test_board_pack_gives_exclusion_reasons_and_price_decisions(
    pack: Rendering, example: ScoredRound
) -> None:
    text = _squashed(_text(pack))
    disregarded = example.result.bid(DISREGARDED)
    assert _squashed(disregarded.flags[0].decision_reason or "") in text
    assert _squashed("−£7.64") in text
    assert _squashed("below the published minimum of 2") in text


@pytest.mark.slow
def test_board_pack_gives_the_formulas(pack: Rendering) -> None:
    text = _squashed(_text(pack))
    assert _squashed("contribution = normalised score × pillar weight × section share") in text
    assert _squashed("price points = (worst − price) ÷ (worst − best) × price weight") in text


@pytest.mark.slow
def test_board_pack_ends_with_the_inputs_digest(pack: Rendering, example: ScoredRound) -> None:
    last = _squashed(_pages(pack)[-1])
    assert _squashed(example.meta.inputs_digest or "") in last
    assert "Inputs" in last


@pytest.mark.slow
def test_board_pack_has_a_bookmark_for_each_section_and_bid(
    pack: Rendering, example: ScoredRound
) -> None:
    titles = _outline_titles(pack)
    for expected in (
        "Contents",
        "Executive summary",
        "Ranking",
        "Compliance",
        "Price analysis",
        "Robustness",
        "Evaluators and conflicts of interest",
        "Methodology",
        "Inputs",
    ):
        assert expected in titles
    assert [t for t in titles if t in {b.name for b in example.result.bids}] == [
        b.name for b in example.result.bids
    ]


@pytest.mark.slow
def test_each_chart_is_a_figure_with_alternative_text(pack: Rendering) -> None:
    figures = [t for t in _tags(pack) if t["/S"] == "/Figure"]
    assert len(figures) == 2
    alts = [str(f.get("/Alt", "")) for f in figures]
    assert alts[0].startswith("Points of 8 bids by pillar, out of 100.")
    assert "The figures are in the ranking table." in alts[0]
    assert alts[1].startswith("Hourly rates of 8 bids against the minimum sustainable rate")
    assert "Below it: Meridian Crest Homecare Ltd and Northgate Horizon Care Ltd." in alts[1]


@pytest.mark.slow
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


# --- the assessment summary -------------------------------------------------------------------


def test_summary_is_at_most_seven_pages(summary: Rendering) -> None:
    assert 2 <= len(_reader(summary).pages) <= 7


def test_summary_names_the_winner_the_recipients_reasons_and_advice(
    summary: Rendering, example: ScoredRound
) -> None:
    text = _squashed(_text(summary))
    recipient = example.result.bid(BELOW_MINIMUM)
    winner = example.result.bid(WINNER)
    assert _squashed(f"The contract is to be awarded to {winner.name}") in text
    assert _squashed(f"Your tender, {recipient.name}, scored {fmt(recipient.total, 2)}") in text
    assert _squashed("Why your tender did not win") in text
    assert _squashed("did not meet a published requirement or minimum") in text
    assert _squashed("How to score more next time") in text
    advice = improvement_advice(example.framework, recipient)
    assert _squashed(advice[0].advice) in text
    moderated = recipient.criterion("q_safeguarding").moderated
    assert moderated is not None
    assert _squashed(moderated["rationale"]) in text
    assert _squashed("Winning tender: Marked 4 (Very good) by all 3 evaluators") in text


def test_summary_names_no_evaluator(summary: Rendering) -> None:
    text = _text(summary)
    assert [name for name in EVALUATORS if name in text] == []


def test_summary_for_the_subset_round_still_renders_warning_free(scored: ScoredRound) -> None:
    """The small round of the other report tests: no winner's column when it is the winner."""
    advice = improvement_advice(scored.framework, scored.result.bid(WINNER))
    context = assessment_summary_context(
        scored.framework, scored.meta, scored.result, WINNER, advice
    )
    rendering = render_document(SUMMARY, context)
    assert rendering.warnings == ()
    text = _squashed(_text(rendering))
    assert _squashed("Your tender was the most advantageous tender") in text
    assert _squashed("Winning tender:") not in text
