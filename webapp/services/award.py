"""Where a closed round is on its way to an award, and what that allows.

After the deadline a round is *evaluating*: evaluators declare conflicts and mark, the
commissioner moderates and decides price checks. When the results are put to the board it is
*with the board*, and nothing that feeds the result may change. The board approves (the round
is *awarded*, and providers may see their outcome) or refers it back (evaluating again, with
the board's comments). Each submission gets exactly one decision.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from webapp.audit.log import record
from webapp.clock import london_text, now
from webapp.extensions import db
from webapp.links import email_link
from webapp.mail import send_mail
from webapp.models import (
    Bid,
    BoardDecisionKind,
    BoardSubmission,
    CommissioningRound,
    Role,
    User,
)
from webapp.services.results import round_inputs, round_result, submitted_bids_of
from webapp.services.rounds import RoundState, round_state

__all__ = [
    "AwardNotAllowedError",
    "AwardPanel",
    "AwardStage",
    "BoardRefusedError",
    "EvaluationLockedError",
    "ReadinessStep",
    "award_panel",
    "award_stage",
    "board_queue",
    "decision_refusal",
    "ensure_evaluation_open",
    "latest_submission",
    "outcome_published",
    "readiness",
    "readiness_by_step",
    "record_decision",
    "result_digest",
    "results_changed",
    "submission_of",
    "submit_to_board",
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


class AwardNotAllowedError(Exception):
    """The user's role does not allow this step of the award."""


class BoardRefusedError(Exception):
    """A submission or decision that cannot be made as things stand; `reasons` say why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


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


class ReadinessStep(enum.StrEnum):
    """The part of the work a readiness reason belongs to (each has its own page)."""

    STAGE = "stage"
    MARKING = "marking"
    MODERATION = "moderation"
    PRICE_CHECKS = "price_checks"
    RESULTS = "results"


def readiness_by_step(round_: CommissioningRound) -> dict[ReadinessStep, list[str]]:
    """What stops the round's results going to the board, by step; empty when ready."""
    # Imported here: these services import this module for its stage checks.
    from webapp.services.evaluation import marking_complete
    from webapp.services.moderation import needs_moderation
    from webapp.services.price_checks import undecided_price_checks

    stage = award_stage(round_)
    if stage != AwardStage.EVALUATING:
        return {ReadinessStep.STAGE: [_STAGE_REFUSALS[stage]]}
    steps = {
        ReadinessStep.MARKING: marking_complete(round_),
        ReadinessStep.MODERATION: needs_moderation(round_),
        ReadinessStep.PRICE_CHECKS: undecided_price_checks(round_),
        ReadinessStep.RESULTS: [],
    }
    result = round_result(round_inputs(round_))
    awaiting = [b.name for b in result.bids if b.status == "awaiting_evaluation"]
    if awaiting:
        steps[ReadinessStep.RESULTS].append(f"Still awaiting evaluation: {', '.join(awaiting)}.")
    if not result.ranked:
        steps[ReadinessStep.RESULTS].append("No bid is ranked, so there is nothing to recommend.")
    return {step: reasons for step, reasons in steps.items() if reasons}


def readiness(round_: CommissioningRound) -> list[str]:
    """What stops the round's results going to the board, as sentences; empty when ready."""
    return [reason for reasons in readiness_by_step(round_).values() for reason in reasons]


_STAGE_REFUSALS = {
    AwardStage.NOT_CLOSED: "The round has not closed: bids are sealed until its deadline.",
    AwardStage.WITH_BOARD: "The results are already with the board, awaiting its decision.",
    AwardStage.AWARDED: "The board has already approved the award for this round.",
}


@dataclass(frozen=True)
class AwardPanel:
    """What the round page says about evaluation and award."""

    stage: AwardStage
    submission: BoardSubmission | None
    """The latest submission to the board, decided or not."""

    @property
    def referral(self) -> BoardSubmission | None:
        """The latest submission when the board referred it back (its comments say why)."""
        submission = self.submission
        if submission is not None and submission.decision == BoardDecisionKind.REFER_BACK.value:
            return submission
        return None


def award_panel(round_: CommissioningRound) -> AwardPanel:
    return AwardPanel(stage=award_stage(round_), submission=latest_submission(round_))


# --- putting the results to the board -------------------------------------------------------


def result_digest(result_json: str) -> str:
    """`sha256:...` of the result's JSON, exactly as `RoundResult.to_json()` wrote it."""
    return "sha256:" + hashlib.sha256(result_json.encode("utf-8")).hexdigest()


def _lock_round(round_: CommissioningRound) -> None:
    """On PostgreSQL, make a second submission for the same round wait for the first."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.select(CommissioningRound.id)
            .where(CommissioningRound.id == round_.id)
            .with_for_update()
        )


def submit_to_board(round_: CommissioningRound, *, by: User, note: str | None) -> BoardSubmission:
    """Put the round's results, as they stand, to the board; email the board members."""

    if not by.has_role(Role.ADMIN, Role.COMMISSIONER):
        raise AwardNotAllowedError(f"{by.role} users cannot submit results to the board")
    _lock_round(round_)
    reasons = readiness(round_)
    if reasons:
        db.session.rollback()
        raise BoardRefusedError(reasons)
    inputs = round_inputs(round_)
    result = round_result(inputs)
    winner = result.winner
    recommended: Bid | None = inputs.row_of(winner.bid_id) if winner else None
    submission = BoardSubmission(
        round_id=round_.id,
        submitted_by_id=by.id,
        submitted_at=now(),
        inputs_digest=inputs.digest,
        result_digest=result_digest(result.to_json()),
        recommended_bid_id=recommended.id if recommended else None,
        note=(note or "").strip() or None,
    )
    db.session.add(submission)
    db.session.flush()
    recommendation = recommended.organisation.name if recommended else "no single winner"
    record(
        "board.submitted",
        actor=by,
        subject=f"board_submission:{submission.id}",
        summary=f"Results of {round_.reference} submitted to the board; "
        f"recommended: {recommendation}",
        round_=round_,
        after=_submission_snapshot(submission),
    )
    db.session.commit()
    _email_board(round_)
    return submission


def _submission_snapshot(submission: BoardSubmission) -> dict[str, Any]:
    return {
        "round_id": submission.round_id,
        "inputs_digest": submission.inputs_digest,
        "result_digest": submission.result_digest,
        "recommended_bid_id": submission.recommended_bid_id,
        "note": submission.note,
        "decision": submission.decision,
        "comments": submission.comments,
        "decided_by_id": submission.decided_by_id,
    }


def results_changed(submission: BoardSubmission) -> bool:
    """True when the round's inputs no longer match what was submitted to the board."""

    return round_inputs(submission.round).digest != submission.inputs_digest


# --- the board's decision -------------------------------------------------------------------


def record_decision(
    submission: BoardSubmission,
    *,
    by: User,
    decision: BoardDecisionKind,
    comments: str | None,
) -> BoardSubmission:
    """Record the board's one decision on a submission; on approval, tell the bidders.

    The update only applies while the submission has no decision, so of two decisions sent
    at once exactly one is kept and the other is refused.
    """
    if not by.has_role(Role.BOARD):
        raise AwardNotAllowedError(f"{by.role} users cannot record a board decision")
    comments = (comments or "").strip() or None
    if decision == BoardDecisionKind.REFER_BACK and not comments:
        raise BoardRefusedError(
            ["Enter the board's comments: say what the commissioner should look at"]
        )
    refusal = decision_refusal(submission)
    if refusal:
        raise BoardRefusedError([refusal])
    decided_at = now()
    updated = db.session.execute(
        sa.update(BoardSubmission)
        .where(BoardSubmission.id == submission.id, BoardSubmission.decision.is_(None))
        .values(
            decision=decision.value,
            comments=comments,
            decided_by_id=by.id,
            decided_at=decided_at,
        )
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        db.session.rollback()
        db.session.refresh(submission)
        raise BoardRefusedError([already_decided_text(submission)])
    db.session.refresh(submission)
    round_ = submission.round
    record(
        "board.decided",
        actor=by,
        subject=f"board_submission:{submission.id}",
        summary=f"Board {DECISION_WORDS[decision]} the results of {round_.reference}",
        round_=round_,
        before={
            **_submission_snapshot(submission),
            "decision": None,
            "comments": None,
            "decided_by_id": None,
        },
        after=_submission_snapshot(submission),
    )
    db.session.commit()
    if decision == BoardDecisionKind.APPROVE:
        _email_bidders(round_)
    return submission


def decision_refusal(submission: BoardSubmission) -> str | None:
    """Why the board cannot decide on `submission` now, for people; None when it can."""
    if submission.decision is not None:
        return already_decided_text(submission)
    if submission != latest_submission(submission.round):
        return "A newer submission of these results has replaced this one."
    if results_changed(submission):
        return (
            "The results have changed since they were submitted to the board, so no "
            "decision can be recorded on them. Ask the commissioner to submit them again."
        )
    return None


DECISION_WORDS = {
    BoardDecisionKind.APPROVE: "approved",
    BoardDecisionKind.REFER_BACK: "referred back",
}


def already_decided_text(submission: BoardSubmission) -> str:
    kind = BoardDecisionKind(submission.decision)
    who = submission.decided_by.name if submission.decided_by else "a board member"
    when = london_text(submission.decided_at) if submission.decided_at else "earlier"
    return (
        f"The board has already decided on these results: {who} {DECISION_WORDS[kind]} them "
        f"on {when}. A decision is recorded only once."
    )


def submission_of(round_: CommissioningRound, submission_id: int) -> BoardSubmission | None:
    """One of the round's submissions (a decision form names the one it was opened for)."""
    submission = db.session.get(BoardSubmission, submission_id)
    return submission if submission is not None and submission.round_id == round_.id else None


def board_queue() -> tuple[list[BoardSubmission], list[BoardSubmission]]:
    """Submissions awaiting the board's decision (oldest first), and decided ones (latest first)."""
    rows = list(db.session.scalars(sa.select(BoardSubmission).order_by(BoardSubmission.id)))
    awaiting = [s for s in rows if s.decision is None]
    decided = sorted((s for s in rows if s.decision is not None), key=lambda s: s.id, reverse=True)
    return awaiting, decided


# --- emails ---------------------------------------------------------------------------------


def _email_board(round_: CommissioningRound) -> None:
    members = db.session.scalars(
        sa.select(User).where(User.role == Role.BOARD.value, User.is_active.is_(True))
    )
    link = email_link("board.round", id=round_.id)
    for member in members:
        send_mail(
            member.email,
            f"Results for your decision: {round_.reference} {round_.title}",
            f"Dear {member.name},\n\n"
            f"The results of {round_.reference} ({round_.title}) have been submitted to the "
            f"board. Review them and record the board's decision:\n\n{link}\n",
        )


def _email_bidders(round_: CommissioningRound) -> None:

    for bid in submitted_bids_of(round_):
        link = email_link("provider.outcome", bid_id=bid.id)
        for user in bid.organisation.active_provider_users:
            send_mail(
                user.email,
                f"Outcome available: {round_.reference} {round_.title}",
                f"Dear {user.name},\n\n"
                f"The council has decided the award for {round_.reference} ({round_.title}). "
                f"The outcome of your bid {bid.reference}, with its scores and the reasons for "
                f"them, is available:\n\n{link}\n",
            )
