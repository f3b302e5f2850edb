"""The report contexts, checked without rendering: the right facts, formatted for people."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from criteria.improvement import improvement_advice
from criteria.result import fmt
from reports.context import assessment_summary_context, board_pack_context

from .conftest import BELOW_MINIMUM, DISREGARDED, HOSTILE_NARRATIVE, WINNER, ScoredRound


@pytest.fixture
def pack(scored: ScoredRound) -> dict:
    return board_pack_context(
        scored.framework, scored.meta, scored.result, scored.robustness, scored.agreement
    )


def _summary(scored: ScoredRound, bid_id: str) -> dict:
    advice = improvement_advice(scored.framework, scored.result.bid(bid_id))
    return assessment_summary_context(scored.framework, scored.meta, scored.result, bid_id, advice)


def test_board_pack_cover_names_council_round_date_and_framework_version(
    pack: dict, scored: ScoredRound
) -> None:
    assert pack["meta"]["council"] == "Wigmoor Borough Council"
    assert pack["meta"]["date"] == "1 May 2026"
    assert pack["framework"]["version"] == scored.framework.version
    assert pack["framework"]["hash"].startswith("sha256:")
    assert pack["meta"]["inputs_digest"] == scored.meta.inputs_digest


def test_board_pack_recommends_the_winner_with_its_margin_over_the_next_bid(
    pack: dict, scored: ScoredRound
) -> None:
    winner, second = scored.result.ranked[:2]
    assert winner.bid_id == WINNER
    assert pack["summary"]["recommended"] == winner.name
    assert pack["summary"]["margin"] == fmt(winner.total - second.total, 2)
    assert pack["summary"]["runner_up"] == second.name


def test_board_pack_ranking_lists_every_bid_in_result_order_with_pillar_scores(
    pack: dict, scored: ScoredRound
) -> None:
    assert [row["name"] for row in pack["ranking"]] == [b.name for b in scored.result.bids]
    assert pack["ranking"][0]["rank"] == "1"
    assert len(pack["ranking"][0]["pillars"]) == len(scored.result.pillar_weights)
    excluded = [row for row in pack["ranking"] if row["status"] == "Excluded"]
    assert excluded
    assert all(row["rank"] == "–" for row in excluded)


def test_board_pack_gives_each_exclusion_its_reason(pack: dict, scored: ScoredRound) -> None:
    names = {row["name"] for row in pack["exclusions"]}
    assert scored.result.bid(DISREGARDED).name in names
    assert scored.result.bid(BELOW_MINIMUM).name in names
    assert all(row["reason"] for row in pack["exclusions"])


def test_board_pack_shows_each_price_flag_with_the_commissioners_decision(
    pack: dict, scored: ScoredRound
) -> None:
    flags = [
        row for row in pack["price_flags"] if row["name"] == scored.result.bid(DISREGARDED).name
    ]
    assert flags
    assert all(row["decision"].startswith("Disregard: ") for row in flags)


def test_board_pack_contents_link_every_section_and_every_bid(
    pack: dict, scored: ScoredRound
) -> None:
    anchors = [item["anchor"] for item in pack["contents"]]
    assert anchors[0] == "summary"
    assert anchors[-1] == "inputs"
    assert {f"bid-{b.bid_id}" for b in scored.result.bids} <= set(anchors)
    assert [b["anchor"] for b in pack["bids"]] == [f"bid-{b.bid_id}" for b in scored.result.bids]


def test_board_pack_robustness_names_bids_and_gives_percentages(
    pack: dict, scored: ScoredRound
) -> None:
    first = pack["robustness"]["first_place"]
    assert first[0]["name"] == scored.result.bid(WINNER).name
    assert all(row["percent"].endswith("%") for row in first)
    assert pack["robustness"]["winning_change"]


def test_board_pack_keeps_answer_text_as_written(pack: dict) -> None:
    answers = [c["answer"] for bid in pack["bids"] for c in bid["criteria"]]
    assert HOSTILE_NARRATIVE in answers


def test_board_pack_without_agreement_leaves_the_section_out(scored: ScoredRound) -> None:
    pack = board_pack_context(scored.framework, scored.meta, scored.result, scored.robustness, None)
    assert pack["agreement"] is None
    assert "agreement" not in [item["anchor"] for item in pack["contents"]]


def test_methodology_lists_pillar_weights_that_add_up_to_100(pack: dict) -> None:
    weights = [float(p["weight"]) for p in pack["methodology"]["pillars"]]
    assert sum(weights) == pytest.approx(100)


def test_summary_for_a_losing_bid_names_the_winner_and_why_it_lost(scored: ScoredRound) -> None:
    summary = _summary(scored, BELOW_MINIMUM)
    recipient = scored.result.bid(BELOW_MINIMUM)
    assert summary["winner"]["name"] == scored.result.bid(WINNER).name
    assert not summary["recipient"]["is_winner"]
    assert summary["recipient"]["exclusions"] == [e.reason for e in recipient.exclusions]
    assert summary["advice"][0]["message"].startswith("This excluded your bid")


def test_summary_gives_every_criterion_a_weight_and_a_score_range(scored: ScoredRound) -> None:
    summary = _summary(scored, BELOW_MINIMUM)
    winner = scored.result.bid(WINNER)
    assert len(summary["criteria"]) == len(winner.criteria)
    assert all(c["range"].startswith("0 to ") for c in summary["criteria"])
    reasons = [c["reason"] for c in summary["winner_scores"]]
    assert reasons[0].startswith(winner.criteria[0].reason)


def test_summary_for_the_winner_says_so(scored: ScoredRound) -> None:
    assert _summary(scored, WINNER)["recipient"]["is_winner"]


def test_summary_for_an_unknown_bid_raises_naming_it(scored: ScoredRound) -> None:
    with pytest.raises(KeyError, match="no-such-bid"):
        assessment_summary_context(scored.framework, scored.meta, scored.result, "no-such-bid", [])


def test_dates_read_as_people_write_them(scored: ScoredRound) -> None:
    meta = dataclasses.replace(scored.meta, date=dt.date(2026, 11, 3))
    pack = board_pack_context(scored.framework, meta, scored.result, scored.robustness, None)
    assert pack["meta"]["date"] == "3 November 2026"


def test_choice_answers_read_as_their_labels_not_stored_values(
    pack: dict, scored: ScoredRound
) -> None:
    criterion = scored.framework.criteria["fw_ethical_care_charter"]
    assert criterion.choices is not None
    labels = {c.value: c.label for c in criterion.choices}
    winner = next(b for b in pack["bids"] if b["bid_id"] == WINNER)
    row = next(c for c in winner["criteria"] if c["id"] == "fw_ethical_care_charter")
    assert row["answer"] == labels["stage_3"]
