"""A required answer that is missing or could not be used is not a quiet 0: the board pack's
summary carries the round's note saying so."""

from __future__ import annotations

from criteria.engine import score_round
from reports.context import board_pack_context
from reports.documents import BOARD_PACK, render_html

from .conftest import WINNER, ScoredRound, score_for_reports

NOTE = (
    "Bid Hollin Brook Care Co-operative: the answer to “Hourly rate” could not be used (The "
    "hourly rate you will charge must be between £1 and £200); it scored 0 of 20 points."
)


def test_an_unusable_price_is_a_note_in_the_board_pack_summary_and_page(
    scored: ScoredRound,
) -> None:
    bids = [
        b.model_copy(
            update={"answers": {**b.answers, "pr_hourly_rate": "100000000000000000000000000000"}}
        )
        if b.id == WINNER
        else b
        for b in scored.round.bids
    ]
    round_ = scored.round.model_copy(update={"bids": bids})
    changed = score_for_reports(scored.framework, round_, samples=50, digest_byte="cd")
    pack = board_pack_context(
        changed.framework,
        changed.meta,
        changed.result,
        changed.robustness,
        changed.agreement,
        panel=round_.panel,
        settings=round_.settings,
    )

    assert NOTE in changed.result.notes
    assert NOTE in pack["summary"]["notes"]
    assert NOTE in render_html(BOARD_PACK, pack)


def test_a_round_with_every_answer_usable_has_no_such_note(scored: ScoredRound) -> None:
    result = score_round(
        scored.framework,
        scored.round.bids,
        scored.round.marks,
        scored.round.settings,
        scored.round.decisions,
    )
    assert not [n for n in result.notes if "it scored 0 of" in n]
