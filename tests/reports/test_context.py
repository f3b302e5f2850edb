"""The report contexts, checked without rendering: the right facts, formatted for people."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest

from criteria.improvement import improvement_advice
from criteria.inputs import Declaration, PanelMember, RoundSettings
from criteria.result import fmt
from reports.context import assessment_summary_context, board_pack_context
from reports.wording import excerpt, plain

from .conftest import BELOW_MINIMUM, DISREGARDED, HOSTILE, HOSTILE_NARRATIVE, WINNER, ScoredRound

CONFLICTED = "J. Pennington"


@pytest.fixture
def pack(scored: ScoredRound) -> dict:
    return board_pack_context(
        scored.framework,
        scored.meta,
        scored.result,
        scored.robustness,
        scored.agreement,
        panel=scored.round.panel,
        settings=scored.round.settings,
    )


def _summary(scored: ScoredRound, bid_id: str) -> dict:
    advice = improvement_advice(scored.framework, scored.result.bid(bid_id))
    return assessment_summary_context(scored.framework, scored.meta, scored.result, bid_id, advice)


def _bid(pack: dict, scored: ScoredRound, bid_id: str) -> dict:
    name = scored.result.bid(bid_id).name
    return next(b for b in pack["bids"] if b["name"] == name)


# --- words ---------------------------------------------------------------------------------


def test_plain_words_leave_out_parameter_names_but_keep_their_values() -> None:
    assert plain("at least the Real Living Wage ($real_living_wage = £13.45): 10 of 10") == (
        "at least the Real Living Wage (£13.45): 10 of 10"
    )
    assert plain("the best price £32.14 ($minimum_sustainable_rate) (100%)") == (
        "the best price £32.14 (100%)"
    )
    assert plain("14% is at or above $profit_extraction_ceiling = 10%") == (
        "14% is at or above the profit extraction ceiling of 10%"
    )


def test_an_excerpt_keeps_whole_first_sentences_and_says_when_the_answer_goes_on() -> None:
    short = "We pay the Real Living Wage. Everyone has guaranteed hours."
    assert excerpt(short) == short
    long = (
        "Every care worker is a member-owner after six months and elects the board. Staff "
        "turnover last year was 11% against a regional average near 30%, with no agency use. "
        "Contracts guarantee the hours people usually work."
    )
    assert excerpt(long, words=20) == (
        "Every care worker is a member-owner after six months and elects the board. "
        "(full answer in the bid)"
    )
    one_long_sentence = " ".join(["word"] * 60) + "."
    cut = excerpt(one_long_sentence, words=20)
    assert cut == " ".join(["word"] * 20) + "… (full answer in the bid)"


# --- board pack: cover, summary, ranking -------------------------------------------------------


def test_board_pack_cover_names_council_round_date_and_framework_version(
    pack: dict, scored: ScoredRound
) -> None:
    assert pack["meta"]["council"] == "Wigmoor Borough Council"
    assert pack["meta"]["date"] == "1 May 2026"
    assert pack["framework"]["version"] == scored.framework.version
    assert pack["framework"]["hash"].startswith("sha256:")
    assert pack["meta"]["inputs_digest"] == scored.meta.inputs_digest


def test_board_pack_recommends_the_winner_with_its_margin_and_why(
    pack: dict, scored: ScoredRound
) -> None:
    winner, second = scored.result.ranked[:2]
    assert winner.bid_id == WINNER
    summary = pack["summary"]
    assert summary["recommended"] == winner.name
    assert summary["margin"] == fmt(winner.total - second.total, 2)
    assert summary["runner_up"] == second.name
    assert summary["why"].startswith(f"Against {second.name}, {winner.name} scores more on ")
    assert "Fair work and ownership (+" in summary["why"]


def test_board_pack_key_points_name_the_excluded_bids_and_the_conflict(pack: dict) -> None:
    points = " ".join(pack["summary"]["key_points"])
    assert "2 of 4 bids cannot win" in points
    assert "Meridian Crest Homecare Ltd (price disregarded)" in points
    assert "Rise Together Homecare (below a published minimum)" in points
    assert "1 conflict of interest declared" in points


def test_board_pack_ranking_lists_every_bid_in_result_order_with_pillar_scores(
    pack: dict, scored: ScoredRound
) -> None:
    assert [row["name"] for row in pack["ranking"]] == [b.name for b in scored.result.bids]
    assert pack["ranking"][0]["rank"] == "1"
    assert len(pack["ranking"][0]["pillars"]) == len(scored.result.pillar_weights)
    excluded = [row for row in pack["ranking"] if row["status"] == "Excluded"]
    assert excluded
    assert all(row["rank"] == "–" for row in excluded)


def test_board_pack_carries_the_pillar_chart_describing_every_bid(
    pack: dict, scored: ScoredRound
) -> None:
    chart = pack["pillar_chart"]
    assert chart.startswith("<svg")
    assert 'aria-describedby="pillar-chart-desc ranking-table"' in chart
    for bid in scored.result.bids:
        assert f"{bid.name}: {fmt(bid.total, 2)} in all" in chart


# --- compliance and price ------------------------------------------------------------------


def test_compliance_lists_each_requirement_and_the_bids_failing_it(
    pack: dict, scored: ScoredRound
) -> None:
    rows = {row["requirement"]: row for row in pack["compliance"]}
    safeguarding = next(r for text, r in rows.items() if "keep people safe" in text)
    assert safeguarding["kind"] == "Minimum score"
    assert safeguarding["failing"] == [scored.result.bid(BELOW_MINIMUM).name]
    pay = next(r for text, r in rows.items() if "lowest hourly rate" in text)
    assert "must be at least £12.71" in pay["requirement"]
    assert "$" not in pay["requirement"]
    assert pay["failing"] == []


def test_board_pack_gives_each_excluded_bid_its_reasons(pack: dict, scored: ScoredRound) -> None:
    reasons = {row["name"]: row["reasons"] for row in pack["exclusions"]}
    below = scored.result.bid(BELOW_MINIMUM)
    assert reasons[below.name] == [plain(e.reason) for e in below.exclusions]
    assert reasons[scored.result.bid(DISREGARDED).name] == [
        "Tender disregarded after a price check: the decision and its reasons are under "
        "Price analysis."
    ]


def test_price_analysis_sets_each_rate_against_the_minimum_sustainable_rate(
    pack: dict, scored: ScoredRound
) -> None:
    price = pack["price"]
    assert price["minimum"]["label"] == "Minimum sustainable rate"
    assert price["minimum"]["value"] == "£32.14"
    rows = {row["name"]: row for row in price["rows"]}
    low = rows[scored.result.bid(DISREGARDED).name]
    assert (low["price"], low["difference"], low["percent"]) == (
        "£24.50",
        "\u2212£7.64",
        "\u221223.77%",
    )
    assert low["below"]
    assert low["needed"] == "£33.43"
    assert low["funds_pay"] == "No"
    winner = rows[scored.result.bid(WINNER).name]
    assert (winner["difference"], winner["percent"], winner["below"]) == (
        "+£3.76",
        "+11.70%",
        False,
    )
    assert winner["points"] == f"{fmt(scored.result.bid(WINNER).pillar_score('price'), 2)} of 20.00"
    assert "$" not in winner["reason"]


def test_price_analysis_uses_the_rounds_own_rates(scored: ScoredRound) -> None:
    settings = RoundSettings(parameters={"minimum_sustainable_rate": Decimal("36.00")})
    pack = board_pack_context(
        scored.framework,
        scored.meta,
        scored.result,
        scored.robustness,
        None,
        settings=settings,
    )
    assert pack["price"]["minimum"]["value"] == "£36.00"
    winner = next(r for r in pack["price"]["rows"] if r["name"] == scored.result.bid(WINNER).name)
    assert (winner["difference"], winner["below"]) == ("\u2212£0.10", True)


def test_price_flags_carry_the_commissioners_decision_and_reason(
    pack: dict, scored: ScoredRound
) -> None:
    disregarded = scored.result.bid(DISREGARDED)
    flags = [row for row in pack["price"]["flags"] if row["name"] == disregarded.name]
    assert [row["flag"] for row in flags] == [
        "Abnormally low price",
        "Price does not fund the promised pay",
    ]
    assert flags[0]["decision"] == f"Disregarded: {disregarded.flags[0].decision_reason}"
    assert all(row["decided"] for row in flags)


# --- evaluators ----------------------------------------------------------------------------


def test_panel_shows_each_evaluators_declarations_and_the_withheld_marks(
    pack: dict, scored: ScoredRound
) -> None:
    panel = pack["panel"]
    assert panel["recorded"]
    members = {m["evaluator"]: m for m in panel["members"]}
    assert set(members) == {"A. Haworth", "R. Okafor", CONFLICTED, "S. Mistry"}
    assert members["A. Haworth"]["no_conflict"] == "No conflict with any of the 4 bids"
    [conflict] = members[CONFLICTED]["conflicts"]
    assert conflict["bid"] == scored.result.bid(BELOW_MINIMUM).name
    assert "founding group" in conflict["details"]
    assert members[CONFLICTED]["no_conflict"] == "No conflict with the other 3 bids"
    assert members[CONFLICTED]["marked"] == 3
    assert members["S. Mistry"]["marked"] == 1
    assert panel["withheld"] == [f"{CONFLICTED} did not mark Rise Together Homecare."]
    assert panel["problems"] == []


def test_a_conflicted_evaluator_who_marked_the_bid_is_flagged_for_the_board(
    scored: ScoredRound,
) -> None:
    panel = [
        PanelMember(
            evaluator="A. Haworth",
            declarations=[Declaration(bid=WINNER, conflict=True, details="Former employee.")],
        )
    ]
    pack = board_pack_context(
        scored.framework, scored.meta, scored.result, scored.robustness, None, panel=panel
    )
    winner = scored.result.bid(WINNER).name
    assert pack["panel"]["problems"] == [
        f"A. Haworth declared a conflict with {winner} but has marks on its bid: check before "
        "the board decides."
    ]
    assert pack["panel"]["members"][0]["missing"] == [
        b.name for b in scored.result.bids if b.bid_id != WINNER
    ]
    assert {row["evaluator"] for row in pack["panel"]["unlisted"]} == {
        "R. Okafor",
        CONFLICTED,
        "S. Mistry",
    }


def test_without_a_panel_the_pack_says_declarations_were_not_recorded(
    scored: ScoredRound,
) -> None:
    pack = board_pack_context(scored.framework, scored.meta, scored.result, scored.robustness, None)
    assert not pack["panel"]["recorded"]
    assert pack["panel"]["members"] == []
    assert "conflict declarations are not recorded" in " ".join(pack["summary"]["key_points"])
    assert len(pack["panel"]["unlisted"]) == 4


# --- a bid's pages -----------------------------------------------------------------------------


def test_each_bid_page_gives_key_facts_with_the_price_first(
    pack: dict, scored: ScoredRound
) -> None:
    facts = _bid(pack, scored, WINNER)["facts"]
    assert len(facts) == 6
    assert facts[0] == {
        "prompt": scored.framework.criteria["pr_hourly_rate"].prompt,
        "answer": "£35.90",
    }
    assert {"prompt": scored.framework.criteria["q_cqc_rating"].prompt, "answer": "Good"} in facts


def test_scores_are_grouped_by_section_with_subtotals(pack: dict, scored: ScoredRound) -> None:
    winner = scored.result.bid(WINNER)
    sections = _bid(pack, scored, WINNER)["sections"]
    assert [s["title"] for s in sections] == [s.title for s in winner.sections]
    for section, group in zip(sections, winner.sections, strict=True):
        assert section["score"] == fmt(group.score, 2)
    rows = [row for s in sections for row in s["rows"]]
    shown = [c for c in winner.criteria if c.weight > 0 or c.gate_passed is not None]
    assert len(rows) == len(shown)
    pay = next(r for r in rows if r["prompt"].startswith("What is the lowest hourly rate"))
    assert (pay["answer"], pay["points"]) == ("£13.60", "10 of 10")
    gate = next(r for r in rows if r["prompt"].startswith("Will you plan every visit"))
    assert gate["points"] == "Pass"


def test_marked_answers_show_each_evaluators_mark_justification_and_moderation(
    pack: dict, scored: ScoredRound
) -> None:
    winner = scored.result.bid(WINNER)
    marked = _bid(pack, scored, WINNER)["marked"]
    assert len(marked) == sum(1 for c in winner.criteria if c.rule == "evaluator_scale")
    fair_work = marked[0]
    assert fair_work["prompt"] == winner.criterion("fw_narrative").prompt
    assert fair_work["excerpt"].endswith("(full answer in the bid)")
    assert {"evaluator": "A. Haworth", "mark": "5 (Excellent)"}.items() <= fair_work["marks"][
        0
    ].items()
    assert fair_work["marks"][0]["justification"].startswith("Turnover of 11% with no agency use")
    assert fair_work["moderated"]["mark"] == "5 (Excellent)"
    assert fair_work["moderated"]["rationale"].startswith("The panel agreed the evidence")


def test_the_conflicted_bid_says_who_did_not_mark_it_and_why(
    pack: dict, scored: ScoredRound
) -> None:
    page = _bid(pack, scored, BELOW_MINIMUM)
    [line] = page["conflicts"]
    assert line.startswith(
        f"{CONFLICTED} declared a conflict of interest and did not mark this bid"
    )
    markers = {m["evaluator"] for block in page["marked"] for m in block["marks"]}
    assert CONFLICTED not in markers
    assert "S. Mistry" in markers


def test_board_pack_keeps_answer_text_as_written(pack: dict, scored: ScoredRound) -> None:
    hostile = _bid(pack, scored, HOSTILE)
    assert hostile["marked"][0]["excerpt"] == HOSTILE_NARRATIVE
    answers = [c["answer"] for bid in pack["bids"] for c in bid["criteria"]]
    assert HOSTILE_NARRATIVE in answers


# --- robustness, agreement, methodology ----------------------------------------------------


def test_board_pack_robustness_names_bids_and_gives_percentages(
    pack: dict, scored: ScoredRound
) -> None:
    first = pack["robustness"]["first_place"]
    assert first[0]["name"] == scored.result.bid(WINNER).name
    assert all(row["percent"].endswith("%") for row in first)
    assert pack["robustness"]["winning_change"]


def test_board_pack_without_agreement_leaves_the_section_out(scored: ScoredRound) -> None:
    pack = board_pack_context(scored.framework, scored.meta, scored.result, scored.robustness, None)
    assert pack["agreement"] is None
    assert "agreement" not in [item["anchor"] for item in pack["contents"]]


def test_board_pack_contents_link_every_section_and_every_bid(
    pack: dict, scored: ScoredRound
) -> None:
    anchors = [item["anchor"] for item in pack["contents"]]
    assert anchors[0] == "summary"
    assert anchors[-1] == "inputs"
    assert {"price", "panel", "agreement"} <= set(anchors)
    bids = [item["anchor"] for item in pack["contents"] if item["bid"]]
    assert bids == [f"bid-{b.bid_id}" for b in scored.result.bids]
    assert [b["anchor"] for b in pack["bids"]] == bids


def test_methodology_lists_pillar_weights_that_add_up_to_100(pack: dict) -> None:
    weights = [float(p["weight"]) for p in pack["methodology"]["pillars"]]
    assert sum(weights) == pytest.approx(100)
    points = [float(s["points"]) for s in pack["methodology"]["sections"]]
    assert sum(points) == pytest.approx(100)


def test_methodology_gives_the_formulas_in_words_and_symbols(pack: dict) -> None:
    formulas = {f["name"]: f for f in pack["methodology"]["formulas"]}
    assert formulas["Criterion contribution"]["symbols"] == (
        "contribution = normalised score \u00d7 pillar weight \u00d7 section share \u00d7 "
        "criterion share"
    )
    price = formulas["Price points (fixed range)"]
    assert "£32.14 or less earns all the price points" in price["words"]
    assert "best = £32.14 and worst = £40.00" in price["symbols"]
    assert formulas["Abnormally low price"]["symbols"] == "flag when price < £32.14"
    assert formulas["Price that funds the promised pay"]["symbols"] == (
        "flag when price < lowest hourly pay \u00d7 2.63"
    )
    assert pack["methodology"]["tie_break"] == [
        "the higher Quality score",
        "the higher Fair work and ownership score",
        "the lower price",
    ]


def test_dates_read_as_people_write_them(scored: ScoredRound) -> None:
    meta = dataclasses.replace(scored.meta, date=dt.date(2026, 11, 3))
    pack = board_pack_context(scored.framework, meta, scored.result, scored.robustness, None)
    assert pack["meta"]["date"] == "3 November 2026"


# --- assessment summary ----------------------------------------------------------------------


def test_summary_for_a_losing_bid_names_the_winner_and_why_it_lost(scored: ScoredRound) -> None:
    summary = _summary(scored, BELOW_MINIMUM)
    recipient = scored.result.bid(BELOW_MINIMUM)
    winner = scored.result.bid(WINNER)
    assert summary["winner"]["name"] == winner.name
    assert summary["compare"]
    assert not summary["recipient"]["is_winner"]
    assert summary["requirements"] == [
        {"kind": "Below a published minimum", "reason": plain(e.reason)}
        for e in recipient.exclusions
    ]
    why = " ".join(summary["why_not"])
    assert "did not meet a published requirement or minimum" in why
    assert f"{fmt(winner.total - recipient.total, 2)} points fewer than {winner.name}" in why
    gaps = {p["title"]: p for p in summary["pillars"]}
    quality = winner.pillar_score("quality") - recipient.pillar_score("quality")
    assert gaps["Quality"]["difference"] == f"\u2212{fmt(quality, 2)}"


def test_summary_sets_each_criterion_beside_the_winners_with_weight_range_and_reasons(
    scored: ScoredRound,
) -> None:
    summary = _summary(scored, BELOW_MINIMUM)
    recipient = scored.result.bid(BELOW_MINIMUM)
    winner = scored.result.bid(WINNER)
    weighted = [c for c in recipient.criteria if c.weight > 0]
    rows = summary["criteria"]
    assert [r["prompt"] for r in rows] == [c.prompt for c in weighted]
    prompt = scored.framework.criteria["q_safeguarding"].prompt
    safeguarding = next(r for r in rows if r["prompt"] == prompt)
    assert safeguarding["section"] == "Quality and safety"
    assert (safeguarding["yours"], safeguarding["winners"]) == ("1 of 5", "4 of 5")
    assert (safeguarding["weight"], safeguarding["range"]) == ("14.00", "0 to 5")
    assert safeguarding["your_reason"].startswith("Moderated mark 1 (Poor): 1 of 5. The panel")
    assert "addresses the question only in part" in safeguarding["your_reason"]
    assert safeguarding["winner_reason"].startswith(
        "Marked 4 (Very good) by all 3 evaluators (not moderated): 4 of 5. The evaluators "
        "noted: Same-day escalation and 24-hour referral"
    )
    totals = summary["section_totals"]["Quality and safety"]
    assert totals["yours"] == fmt(recipient.sections[3].score, 2)
    assert totals["winners"] == fmt(winner.sections[3].score, 2)


def test_summary_never_names_an_evaluator(scored: ScoredRound) -> None:
    names = {str(m["evaluator"]) for b in scored.result.bids for c in b.criteria for m in c.marks}
    assert names == {"A. Haworth", "R. Okafor", CONFLICTED, "S. Mistry"}
    for bid in scored.result.bids:
        text = json.dumps(_summary(scored, bid.bid_id), ensure_ascii=False)
        assert "The evaluators noted:" in text or "Moderated mark" in text
        assert [name for name in names if name in text] == [], bid.bid_id


def test_summary_advice_puts_the_exclusion_first_and_never_repeats_a_criterion(
    scored: ScoredRound,
) -> None:
    summary = _summary(scored, BELOW_MINIMUM)
    advice = summary["advice"]
    assert advice[0]["excluded"]
    assert advice[0]["message"].startswith("This excluded your bid")
    prompts = [a["prompt"] for a in advice]
    assert len(prompts) == len(set(prompts))
    assert len(advice) <= 1 + 5
    assert summary["advice_more"].endswith("the table above shows each one's score and reason.")


def test_summary_for_the_winner_says_so_and_compares_with_no_one(scored: ScoredRound) -> None:
    summary = _summary(scored, WINNER)
    assert summary["recipient"]["is_winner"]
    assert not summary["compare"]
    assert summary["why_not"] == []
    assert all(row["winners"] == "" for row in summary["criteria"])


def test_summary_for_an_unknown_bid_raises_naming_it(scored: ScoredRound) -> None:
    with pytest.raises(KeyError, match="no-such-bid"):
        assessment_summary_context(scored.framework, scored.meta, scored.result, "no-such-bid", [])


def test_choice_answers_read_as_their_labels_not_stored_values(
    pack: dict, scored: ScoredRound
) -> None:
    criterion = scored.framework.criteria["fw_ethical_care_charter"]
    assert criterion.choices is not None
    labels = {c.value: c.label for c in criterion.choices}
    winner = _bid(pack, scored, WINNER)
    row = next(c for c in winner["criteria"] if c["id"] == "fw_ethical_care_charter")
    assert row["answer"] == labels["stage_3"]
