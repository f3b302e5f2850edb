"""The award world itself: the round it makes scores as the example round does."""

from __future__ import annotations

from tests.webapp.award_world import FLAGGED, PROVIDERS, AwardWorld
from webapp.services.award import AwardStage, award_stage
from webapp.services.results import round_inputs, round_result


def test_marked_round_scores_from_stored_inputs(award: AwardWorld) -> None:
    award.mark_all()
    with award.app.app_context():
        inputs = round_inputs(award.round())
        result = round_result(inputs)
        assert award_stage(award.round()) == AwardStage.EVALUATING
        assert len(result.bids) == len(PROVIDERS)
        assert not any(b.awaiting for b in result.bids)
        flagged = result.bid(award.bid(FLAGGED).reference or "")
        assert {f.code for f in flagged.flags} == {"abnormally_low", "wage_floor_not_funded"}
        assert all(f.decision is None for f in flagged.flags)
        # Recomputed from the same stored inputs, the result is the same to the byte.
        assert round_result(round_inputs(award.round())).to_json() == result.to_json()
        assert round_inputs(award.round()).digest == inputs.digest


def test_disregarded_price_excludes_the_bid(award: AwardWorld) -> None:
    award.mark_all()
    award.decide_price_checks("disregard")
    with award.app.app_context():
        result = round_result(round_inputs(award.round()))
        flagged = result.bid(award.bid(FLAGGED).reference or "")
        assert flagged.status == "excluded"
        assert any(e.kind == "disregarded" for e in flagged.exclusions)


def test_unmarked_round_awaits_evaluation(award: AwardWorld) -> None:
    with award.app.app_context():
        result = round_result(round_inputs(award.round()))
        assert all(b.status in {"awaiting_evaluation", "excluded"} for b in result.bids)


def test_board_approval_awards_the_round(award: AwardWorld) -> None:
    award.mark_all()
    award.submit_to_board()
    with award.app.app_context():
        assert award_stage(award.round()) == AwardStage.WITH_BOARD
    award.approve()
    with award.app.app_context():
        assert award_stage(award.round()) == AwardStage.AWARDED
