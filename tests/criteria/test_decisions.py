"""Commissioners' price decisions: accepting or disregarding a tender whose price was flagged.

The small homecare framework from the factories flags a price below £32.14 an hour as
abnormally low, and one below 1.6 x the promised pay as not funding that pay. Prices are
scored lowest-over-bid, so the lowest price in the field sets every other bid's price score.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import criteria
from criteria.engine import RoundInputError, score_round
from criteria.inputs import (
    Bid,
    CriterionMarks,
    Mark,
    ModeratedMark,
    PriceDecision,
    Round,
    RoundSettings,
)
from criteria.loader import FrameworkError
from criteria.result import RoundResult
from criteria.robustness import analyse, rank_reversals
from criteria.round_file import load_round
from tests.criteria.factories import homecare_bid, homecare_framework, marks
from tests.criteria.test_examples import ROUND_FILE

LOW = {
    "criterion": "price",
    "below": "$minimum_price",
    "reason": "ask the provider to show how it will pay the promised wage at this price",
}
FLOOR = {
    "pay_criterion": "hourly_pay",
    "price_criterion": "price",
    "factor": "$on_cost_factor",
    "reason": "the rate cannot cover the promised pay plus on-costs",
}
FRAMEWORK = homecare_framework(abnormally_low=LOW, wage_floor=FLOOR)

# "cheap" is flagged abnormally low (and its price cannot fund £13.45 x 1.6 = £21.52);
# "fair" and "dear" are not flagged.
BIDS = [
    homecare_bid("cheap", price="21.00", ownership="co_op"),
    homecare_bid("fair", price="33.00", ownership="charity"),
    homecare_bid("dear", price="35.00", ownership="company"),
]

ACCEPT = PriceDecision(decision="accept", reason="The cost breakdown shows travel time is paid.")
DISREGARD = PriceDecision(
    decision="disregard", reason="The reply did not show how the rate pays travel time."
)


def _score(decisions: dict[str, Any] | None = None, bids: list[Bid] = BIDS) -> RoundResult:
    given = {b.id: {"care_plan": marks(4, 4)} for b in bids}
    return score_round(FRAMEWORK, bids, given, decisions=decisions)


def test_without_a_decision_a_flagged_bid_is_ranked_and_awaits_one() -> None:
    result = _score()
    cheap = result.bid("cheap")
    assert cheap.status == "ranked"
    assert [(f.code, f.decision) for f in cheap.flags] == [
        ("abnormally_low", None),
        ("wage_floor_not_funded", None),
    ]


def test_accepting_keeps_the_bid_ranked_with_the_decision_on_the_flag() -> None:
    result = _score({"cheap": {"abnormally_low": ACCEPT}})
    cheap = result.bid("cheap")
    assert cheap.status == "ranked"
    assert cheap.exclusions == ()
    low, floor = cheap.flags
    assert (low.decision, low.decision_reason) == ("accept", ACCEPT.reason)
    assert (floor.decision, floor.decision_reason) == (None, None)
    assert [(b.bid_id, b.total, b.rank) for b in result.bids] == [
        (b.bid_id, b.total, b.rank) for b in _score().bids
    ]


def test_disregarding_excludes_the_bid_with_the_decision_s_reason() -> None:
    result = _score({"cheap": {"abnormally_low": DISREGARD}})
    cheap = result.bid("cheap")
    assert cheap.status == "excluded"
    assert cheap.rank is None
    [exclusion] = cheap.exclusions
    assert exclusion.kind == "disregarded"
    assert exclusion.target == "price"
    assert exclusion.reason == (
        "Tender disregarded after a price check (abnormally low price): "
        "The reply did not show how the rate pays travel time."
    )
    assert cheap.flags[0].decision == "disregard"
    assert [b.bid_id for b in result.ranked] == ["fair", "dear"]


def test_disregarding_on_either_flag_excludes_and_each_decision_gives_its_reason() -> None:
    both = _score({"cheap": {"abnormally_low": ACCEPT, "wage_floor_not_funded": DISREGARD}})
    assert [e.reason for e in both.bid("cheap").exclusions] == [
        "Tender disregarded after a price check (price does not fund the promised pay): "
        "The reply did not show how the rate pays travel time."
    ]
    assert [f.decision for f in both.bid("cheap").flags] == ["accept", "disregard"]


def test_a_disregarded_tender_does_not_set_the_lowest_price_for_the_others() -> None:
    kept = _score({"cheap": {"abnormally_low": ACCEPT}})
    disregarded = _score({"cheap": {"abnormally_low": DISREGARD}})
    without = _score(bids=BIDS[1:])
    assert kept.bid("fair").criterion("price").normalised < 1
    assert disregarded.bid("fair").criterion("price").normalised == 1
    assert [(b.bid_id, b.total, b.rank) for b in disregarded.ranked] == [
        (b.bid_id, b.total, b.rank) for b in without.ranked
    ]


def test_a_decision_on_a_flag_the_bid_does_not_raise_is_not_used() -> None:
    plain = _score()
    result = _score({"fair": {"abnormally_low": DISREGARD, "wage_floor_not_funded": ACCEPT}})
    fair = result.bid("fair")
    assert fair.status == "ranked"
    assert fair.flags == ()
    assert fair.exclusions == ()
    assert [(b.bid_id, b.total, b.rank) for b in result.bids] == [
        (b.bid_id, b.total, b.rank) for b in plain.bids
    ]


def test_a_decision_for_a_bid_not_in_the_round_is_refused() -> None:
    with pytest.raises(RoundInputError, match="bid 'ghost', which is not in the round"):
        _score({"ghost": {"abnormally_low": ACCEPT}})


@pytest.mark.parametrize("reason", ["", None])
def test_a_decision_needs_a_reason(reason: str | None) -> None:
    with pytest.raises(ValidationError, match="reason"):
        PriceDecision.model_validate({"decision": "disregard", "reason": reason})


def test_a_decision_is_accept_or_disregard() -> None:
    with pytest.raises(ValidationError, match="decision"):
        PriceDecision.model_validate({"decision": "maybe", "reason": "Not sure yet."})


def test_ranking_does_not_depend_on_the_order_of_decisions() -> None:
    bids = [*BIDS, homecare_bid("lean", price="30.00", pay="12.71", ownership="charity")]
    decided = {
        "cheap": {"wage_floor_not_funded": ACCEPT, "abnormally_low": DISREGARD},
        "lean": {"abnormally_low": ACCEPT},
    }
    orders = [
        {bid: dict(reversed(by.items())) if flip else by for bid, by in pairs}
        for pairs in itertools.permutations(decided.items())
        for flip in (False, True)
    ]
    first = _score(orders[0], bids)
    assert first.bid("cheap").status == "excluded"
    assert first.bid("lean").status == "ranked"
    for order in orders[1:]:
        assert _score(order, bids) == first


# --- rank reversals and the analysis ---------------------------------------------------------


def test_rank_reversals_pass_decisions_through() -> None:
    # "cheap" holds the lowest price. Accepted, its withdrawal lifts every price score and
    # "fair" (cheaper, weaker ownership) overtakes "dear"; disregarded, it is not a ranked bid
    # and sets no price, so withdrawing it changes nothing.
    bids = [
        homecare_bid("cheap", price="21.00", ownership="co_op"),
        homecare_bid("fair", price="33.00", ownership="company"),
        homecare_bid("dear", price="44.00", ownership="co_op"),
    ]
    given = {b.id: {"care_plan": marks(4, 4)} for b in bids}
    accepted = {"cheap": {"abnormally_low": ACCEPT}}
    disregarded = {"cheap": {"abnormally_low": DISREGARD}}

    found = rank_reversals(FRAMEWORK, bids, given, decisions=accepted)
    assert [(r.dropped, r.ahead, r.behind) for r in found] == [("cheap", "dear", "fair")]

    for screen in (True, False):
        after = rank_reversals(FRAMEWORK, bids, given, decisions=disregarded, screen=screen)
        assert after == []


def test_screened_reversals_match_every_withdrawal_with_a_disregarded_cheapest_bid() -> None:
    bids = [
        homecare_bid("cheap", price="21.00", ownership="co_op"),
        homecare_bid("fair", price="33.00", ownership="company"),
        homecare_bid("lean", price="34.00", ownership="company"),
        homecare_bid("dear", price="45.00", ownership="co_op"),
    ]
    given = {b.id: {"care_plan": marks(4, 4)} for b in bids}
    decided = {"cheap": {"abnormally_low": DISREGARD}}
    screened = rank_reversals(FRAMEWORK, bids, given, decisions=decided)
    assert screened == rank_reversals(FRAMEWORK, bids, given, decisions=decided, screen=False)
    # "fair" now sets the lowest price: without it "lean" overtakes "dear".
    assert [(r.dropped, r.ahead, r.behind) for r in screened] == [("fair", "dear", "lean")]


def test_analysis_leaves_a_disregarded_bid_out_of_first_place() -> None:
    given = {b.id: {"care_plan": marks(4, 4)} for b in BIDS}
    decided = {"cheap": {"abnormally_low": DISREGARD}}
    result = score_round(FRAMEWORK, BIDS, given, decisions=decided)
    analysis = analyse(FRAMEWORK, result, BIDS, given, samples=200, decisions=decided)
    assert set(analysis.first_place) == {"fair", "dear"}
    assert analysis.winner == result.ranked[0].bid_id
    assert all("cheap" not in (r.ahead, r.behind) for r in analysis.reversals)


# --- round files ------------------------------------------------------------------------------


def test_the_example_round_file_s_decisions_load_and_are_used() -> None:
    loaded = load_round(ROUND_FILE)
    decisions = loaded.round.decisions
    assert decisions
    for by_flag in decisions.values():
        assert all(d.decision in {"accept", "disregard"} and d.reason for d in by_flag.values())
    round_ = loaded.round
    result = score_round(
        loaded.framework, round_.bids, round_.marks, round_.settings, round_.decisions
    )
    for bid_id, by_flag in decisions.items():
        scored = result.bid(bid_id)
        for flag in scored.flags:
            if flag.code in by_flag:
                assert flag.decision == by_flag[flag.code].decision
        disregarded = any(
            d.decision == "disregard" and code in {f.code for f in scored.flags}
            for code, d in by_flag.items()
        )
        assert any(e.kind == "disregarded" for e in scored.exclusions) is disregarded
        if disregarded:
            assert scored.status == "excluded"


def _round_file(tmp_path: Path, decisions: str) -> Path:
    text = ROUND_FILE.read_text(encoding="utf-8")
    head, _, _ = text.partition("\ndecisions:")
    path = tmp_path / "round.yaml"
    path.write_text(f"{head}\ndecisions:\n{decisions}", encoding="utf-8")
    return path


def test_a_decision_that_is_neither_accept_nor_disregard_names_file_line_and_field(
    tmp_path: Path,
) -> None:
    path = _round_file(
        tmp_path,
        "  birchall:\n"
        "    abnormally_low:\n"
        "      decision: maybe\n"
        "      reason: We have not decided.\n",
    )
    line = path.read_text(encoding="utf-8").splitlines().index("      decision: maybe") + 1
    with pytest.raises(FrameworkError) as caught:
        load_round(path)
    message = str(caught.value)
    assert f"{path}:{line}:" in message
    assert "decisions.birchall.abnormally_low.decision" in message
    assert "unknown value 'maybe' (expected one of: accept, disregard)" in message


def test_a_decision_without_a_reason_or_on_an_unknown_flag_is_refused(tmp_path: Path) -> None:
    path = _round_file(
        tmp_path,
        "  birchall:\n    abnormally_low:\n      decision: accept\n      reason: ''\n"
        "    too_cheap:\n      decision: accept\n      reason: Explained.\n",
    )
    with pytest.raises(FrameworkError) as caught:
        load_round(path)
    message = str(caught.value)
    assert "decisions.birchall.abnormally_low.reason" in message
    assert "too_cheap" in message


def test_the_format_readme_documents_every_key_of_a_round_file() -> None:
    text = (Path(criteria.__file__).parent / "README.md").read_text(encoding="utf-8")
    models = (Round, Bid, CriterionMarks, Mark, ModeratedMark, PriceDecision, RoundSettings)
    keys = {name for model in models for name in model.model_fields}
    assert sorted(k for k in keys if f"`{k}`" not in text) == []
    for word in ("accept", "disregard", "abnormally_low", "wage_floor_not_funded"):
        assert f"`{word}`" in text
