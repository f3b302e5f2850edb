"""Ranking, ties and determinism: the order of bids is the engine's, never the input's."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from criteria.engine import score_round
from criteria.inputs import Bid, CriterionMarks, Mark
from criteria.model import Framework
from criteria.result import RoundResult
from tests.criteria.factories import (
    bid,
    criterion,
    framework,
    homecare_bid,
    homecare_framework,
    marks,
    pillar,
    price_section,
    section,
)


def marked(*bids: Bid, care: CriterionMarks | None = None) -> dict[str, Any]:
    """Every bid's care plan marked 4 by both evaluators, unless `care` is given."""
    return {b.id: {"care_plan": care or marks(4, 4)} for b in bids}


def score(fw: Framework, *bids: Bid, **kwargs: Any) -> RoundResult:
    kwargs.setdefault("marks", marked(*bids))
    return score_round(fw, list(bids), **kwargs)


# --- ranking and ties -----------------------------------------------------------------------


def tie_framework(*tie_break: str) -> Framework:
    """Quality 50 (one 0-10 answer) and price 50 (fixed range £10 best to £20 worst)."""
    quality = criterion("q", "integer", {"rule": "linear", "from": 0, "to": 10, "max_points": 10})
    return framework(
        section("service", quality),
        price_section(),
        pillars=[pillar("quality", 50), pillar("price", 50)],
        price={"name": "fixed_range", "best": 10, "worst": 20},
        tie_break=list(tie_break),
    )


def test_ranking_is_by_total_highest_first() -> None:
    result = score_round(
        tie_framework(),
        [bid("low", q=2, price="20"), bid("top", q=10, price="10"), bid("mid", q=6, price="15")],
    )
    assert [(b.bid_id, b.rank, b.total) for b in result.bids] == [
        ("top", 1, Fraction(100)),
        ("mid", 2, Fraction(55)),
        ("low", 3, Fraction(10)),
    ]


def test_a_tie_is_broken_by_the_first_published_key_that_separates() -> None:
    # x: quality 50 + price 0; y: quality 0 + price 50. Both total 50.
    bids = [bid("x", q=10, price="20"), bid("y", q=0, price="10")]
    by_quality = score_round(tie_framework("pillar:quality"), bids)
    by_price = score_round(tie_framework("lowest_price"), bids)
    assert [(b.bid_id, b.rank) for b in by_quality.bids] == [("x", 1), ("y", 2)]
    assert [(b.bid_id, b.rank) for b in by_price.bids] == [("y", 1), ("x", 2)]
    tie = by_quality.tie_breaks[0]
    assert (tie.bid_ids, tie.total, tie.decided_by) == (("x", "y"), Fraction(50), "pillar:quality")
    assert tie.note == (
        "Provider X and Provider Y had the same total (50.00); the tie-break on the higher "
        "Quality pillar score puts Provider X ahead of Provider Y."
    )
    assert by_quality.bid("x").tied_with == ()


def test_later_keys_are_used_only_when_earlier_ones_do_not_separate() -> None:
    bids = [bid("x", q=5, price="15"), bid("y", q=5, price="14.50"), bid("z", q=10, price="20")]
    # x 25+25=50, y 25+27.5=52.5, z 50+0=50: x and z tie on 50.
    result = score_round(tie_framework("section:pricing", "pillar:quality"), bids)
    assert [(b.bid_id, b.rank) for b in result.bids] == [("y", 1), ("x", 2), ("z", 3)]
    assert result.tie_breaks[0].decided_by == "section:pricing"


def test_bids_still_level_after_every_key_share_a_rank_and_the_next_rank_is_skipped() -> None:
    bids = [bid("c", q=8, price="12"), bid("a", q=8, price="12"), bid("b", q=9, price="20")]
    result = score_round(tie_framework("pillar:quality", "lowest_price"), bids)
    # a and c: 40 + 40 = 80, identical; b: 45 + 0 = 45.
    assert [(b.bid_id, b.rank, b.tied_with) for b in result.bids] == [
        ("a", 1, ("c",)),
        ("c", 1, ("a",)),
        ("b", 3, ()),
    ]
    tie = result.tie_breaks[0]
    assert tie.decided_by is None
    assert tie.note == (
        "Provider A and Provider C had the same total (80.00); the published tie-break (the "
        "higher Quality pillar score, then the lower price) does not separate them, so they "
        "share rank 1."
    )
    assert result.winner is None
    assert result.notes == (
        "First place is shared by Provider A, Provider C: the published tie-break does not "
        "separate them, so the award needs a further decision.",
    )


def test_a_tie_without_a_published_tie_break_is_shared() -> None:
    result = score_round(tie_framework(), [bid("a", q=10, price="20"), bid("b", q=0, price="10")])
    assert [b.rank for b in result.bids] == [1, 1]
    assert result.tie_breaks[0].note.endswith("no tie-break is published, so they share rank 1.")


def test_a_three_way_tie_partly_broken_says_who_is_still_level() -> None:
    bids = [bid("a", q=10, price="20"), bid("b", q=0, price="10"), bid("c", q=0, price="10")]
    result = score_round(tie_framework("pillar:quality"), bids)
    assert [(b.bid_id, b.rank) for b in result.bids] == [("a", 1), ("b", 2), ("c", 2)]
    tie = result.tie_breaks[0]
    assert tie.decided_by == "pillar:quality"
    assert tie.note.endswith(
        "puts Provider A ahead of Provider B and Provider C. Provider B and Provider C are "
        "still level and share rank 2."
    )


def test_output_lists_ranked_then_awaiting_then_excluded_each_by_id() -> None:
    bids = [
        homecare_bid("e2", pay="1"),
        homecare_bid("w"),
        homecare_bid("r2"),
        homecare_bid("e1", pay="1"),
        homecare_bid("r1", price="24"),
    ]
    round_marks = marked(*[b for b in bids if b.id != "w"])
    result = score_round(homecare_framework(), bids, marks=round_marks)
    assert [(b.bid_id, b.status) for b in result.bids] == [
        ("r1", "ranked"),
        ("r2", "ranked"),
        ("w", "awaiting_evaluation"),
        ("e1", "excluded"),
        ("e2", "excluded"),
    ]


def test_every_bid_excluded_means_no_bid_can_be_recommended() -> None:
    result = score(homecare_framework(), homecare_bid("a", pay="10"), homecare_bid("b", pay="11"))
    assert result.ranked == ()
    assert result.winner is None
    assert result.notes == ("Every bid is excluded: no bid can be recommended.",)
    assert len(result.bids) == 2


def test_a_round_without_bids_says_so() -> None:
    result = score_round(homecare_framework(), [])
    assert (result.bids, result.notes) == ((), ("No bids were submitted.",))


# --- determinism ----------------------------------------------------------------------------


def test_the_same_round_gives_byte_identical_json_whatever_the_input_order() -> None:
    bids = [
        homecare_bid("a", price="25"),
        homecare_bid("b", price="22", pay="12"),
        homecare_bid("c", price="27", ownership="charity"),
    ]
    round_marks = {
        "a": {"care_plan": marks(3, 4)},
        "b": {"care_plan": marks(4)},
        "c": {
            "care_plan": CriterionMarks(
                marks=[Mark(evaluator="z", points=2), Mark(evaluator="a", points=5)]
            )
        },
    }
    reordered_marks = {
        "c": {
            "care_plan": CriterionMarks(
                marks=[Mark(evaluator="a", points=5), Mark(evaluator="z", points=2)]
            )
        },
        "b": round_marks["b"],
        "a": round_marks["a"],
    }
    first = score_round(homecare_framework(), bids, marks=round_marks).to_json()
    second = score_round(homecare_framework(), bids[::-1], marks=reordered_marks).to_json()
    assert first == second
    assert json.loads(first)["bids"][0]["bid_id"] == "a"
