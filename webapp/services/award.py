"""Where a closed round is on its way to an award, and what that allows.

After the deadline a round is *evaluating*: evaluators declare conflicts and mark, the
commissioner moderates and decides price checks. When the results are put to the board it is
*with the board*, and nothing that feeds the result may change. The board approves (the round
is *awarded*, and providers may see their outcome) or refers it back (evaluating again, with
the board's comments). Each submission gets exactly one decision.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import BoardDecisionKind, BoardSubmission, CommissioningRound
from webapp.services.rounds import RoundState, round_state

__all__ = [
    "AwardStage",
    "EvaluationLockedError",
    "award_stage",
    "ensure_evaluation_open",
    "latest_submission",
    "outcome_published",
]


class AwardStage(enum.StrEnum):
    NOT_CLOSED = "not_closed"  # draft, upcoming or open: bids sealed
    EVALUATING = "evaluating"  # marking, moderation and price checks
    WITH_BOARD = "with_board"  # submitted, awaiting the board's decision
    AWARDED = "awarded"  # the board approved: outcomes are published

    @property
    def label(self) -> str:
        return {
            AwardStage.NOT_CLOSED: "Not closed",
            AwardStage.EVALUATING: "Evaluating",
            AwardStage.WITH_BOARD: "With the board",
            AwardStage.AWARDED: "Awarded",
        }[self]


class EvaluationLockedError(Exception):
    """The round's results are with the board or approved: marks and decisions are final."""


def latest_submission(round_: CommissioningRound) -> BoardSubmission | None:
    query = (
        sa.select(BoardSubmission)
        .where(BoardSubmission.round_id == round_.id)
        .order_by(BoardSubmission.id.desc())
        .limit(1)
    )
    return db.session.scalars(query).first()


def award_stage(round_: CommissioningRound) -> AwardStage:
    if round_state(round_) != RoundState.CLOSED:
        return AwardStage.NOT_CLOSED
    submission = latest_submission(round_)
    if submission is None or submission.decision == BoardDecisionKind.REFER_BACK.value:
        return AwardStage.EVALUATING
    if submission.decision == BoardDecisionKind.APPROVE.value:
        return AwardStage.AWARDED
    return AwardStage.WITH_BOARD


def ensure_evaluation_open(round_: CommissioningRound) -> None:
    """Raise EvaluationLockedError unless marks, moderation and price checks may change."""
    stage = award_stage(round_)
    if stage == AwardStage.WITH_BOARD:
        raise EvaluationLockedError(
            "The results are with the board: marks, moderation and price decisions cannot "
            "change unless the board refers the round back."
        )
    if stage == AwardStage.AWARDED:
        raise EvaluationLockedError(
            "The board has approved the award: marks, moderation and price decisions are final."
        )
    if stage == AwardStage.NOT_CLOSED:
        raise EvaluationLockedError("Bids are sealed until the round's deadline has passed.")


def outcome_published(round_: CommissioningRound) -> bool:
    """Providers see their outcome only after the board approves."""
    return award_stage(round_) == AwardStage.AWARDED
