"""A round's outcome as people read it: the results for staff and the board, and each provider's.

Everything here is recomputed from the stored inputs (`webapp.services.results`), never read
from a stored score. Staff see the whole result with its robustness and the evaluators'
agreement; the board sees it once the results are submitted to it. A provider sees only its own
bid's outcome, only once the board has approved the award, set beside the winning tender's
scores as an assessment summary does (Procurement Regulations 2024, reg 31): evaluators' names
are never shown to providers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING

from flask import current_app

from criteria.agreement import Agreement, agreement
from criteria.improvement import Advice, improvement_advice
from criteria.model import Framework
from criteria.result import BidResult, CriterionScore, Flag, RoundResult
from webapp.extensions import db
from webapp.models import Bid, BidStatus, CommissioningRound, Role, User
from webapp.services.award import (
    AwardNotAllowedError,
    AwardStage,
    award_stage,
    latest_submission,
)
from webapp.services.bids import BidNotFoundError, bid_for
from webapp.services.results import RoundInputs, round_analysis, round_inputs, round_result

if TYPE_CHECKING:
    from criteria.robustness import Robustness

__all__ = [
    "BOARD_STAGES",
    "OutcomeContact",
    "OutcomeCriterion",
    "OutcomeNotPublishedError",
    "ProviderOutcome",
    "RoundResults",
    "may_see_results",
    "outcome_contact",
    "provider_outcome",
    "round_results",
]

BOARD_STAGES = (AwardStage.WITH_BOARD, AwardStage.AWARDED)
"""The stages in which board members may see a round's results."""


class OutcomeNotPublishedError(Exception):
    """The board has not approved the award, so the provider's outcome is not published."""


def may_see_results(user: User, round_: CommissioningRound) -> AwardStage:
    """The round's stage if `user` may see its results; AwardNotAllowedError if not.

    Commissioners and administrators may (before the deadline they are told the bids are
    sealed); board members once the results are submitted to them; nobody else.
    """
    stage = award_stage(round_)
    if user.has_role(Role.ADMIN, Role.COMMISSIONER):
        return stage
    if user.has_role(Role.BOARD) and stage in BOARD_STAGES:
        return stage
    raise AwardNotAllowedError(f"{user.role} users cannot see this round's results")


@dataclass(frozen=True)
class RoundResults:
    """A round's result with what the pages need to show it."""

    round: CommissioningRound
    inputs: RoundInputs
    result: RoundResult
    analysis: Robustness | None = None
    agreement: Agreement | None = None

    @property
    def digest(self) -> str:
        return self.inputs.digest

    @property
    def pillar_titles(self) -> dict[str, str]:
        return {p.id: p.title for p in self.inputs.framework.award.pillars}

    @property
    def section_titles(self) -> dict[str, str]:
        return {s.id: s.title for s in self.inputs.framework.sections}

    def name(self, engine_id: str) -> str:
        row = self.inputs.rows.get(engine_id)
        return row.organisation.name if row is not None else engine_id

    def row_id(self, engine_id: str) -> int:
        return self.inputs.row_of(engine_id).id

    def bid_for_row(self, row_id: int) -> BidResult | None:
        for engine_id, row in self.inputs.rows.items():
            if row.id == row_id:
                return self.result.bid(engine_id)
        return None

    @property
    def runner_up(self) -> BidResult | None:
        ranked = self.result.ranked
        return ranked[1] if self.result.winner is not None and len(ranked) > 1 else None

    @property
    def margin(self) -> Fraction | None:
        """The winner's lead over the bid ranked second, in points out of 100."""
        winner, second = self.result.winner, self.runner_up
        return winner.total - second.total if winner and second else None

    @property
    def flags(self) -> list[tuple[BidResult, Flag]]:
        return [(bid, flag) for bid in self.result.bids for flag in bid.flags]

    @property
    def awaiting(self) -> list[BidResult]:
        return [b for b in self.result.bids if b.status == "awaiting_evaluation"]

    @property
    def excluded(self) -> list[BidResult]:
        return [b for b in self.result.bids if b.status == "excluded"]

    def first_place_rows(self) -> list[tuple[str, float]]:
        """(bid name, probability of ranking first), most likely first."""
        if self.analysis is None:
            return []
        found = sorted(self.analysis.first_place.items(), key=lambda item: (-item[1], item[0]))
        return [(self.name(engine_id), value) for engine_id, value in found]


def round_results(
    round_: CommissioningRound, *, analysis: bool = False, with_agreement: bool = False
) -> RoundResults:
    """The round's result from its stored inputs; with the robustness panel and agreement."""
    inputs = round_inputs(round_)
    result = round_result(inputs)
    return RoundResults(
        round=round_,
        inputs=inputs,
        result=result,
        analysis=round_analysis(inputs, result, samples=10_000, seed=0) if analysis else None,
        agreement=_agreement(round_, inputs) if with_agreement else None,
    )


def _agreement(round_: CommissioningRound, inputs: RoundInputs) -> Agreement:
    return agreement(inputs.framework, inputs.marks, round_.spread_threshold)


# --- a provider's outcome --------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeCriterion:
    """One criterion of an assessment summary: the provider's score beside the winner's."""

    section_title: str
    own: CriterionScore
    winning: CriterionScore | None
    feedback: tuple[str, ...]
    """The moderated rationale or, without one, the evaluators' justifications (no names)."""

    @property
    def evaluator_marked(self) -> bool:
        return self.own.rule == "evaluator_scale"


@dataclass(frozen=True)
class OutcomeContact:
    """Whom a provider asks about its outcome: the commissioner who ran the round, at the
    council; only the council when the round has no commissioner who can still answer."""

    council: str
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ProviderOutcome:
    bid: Bid
    result: BidResult
    ranked_count: int
    winner: BidResult | None
    successful: bool
    criteria: tuple[OutcomeCriterion, ...]
    advice: tuple[Advice, ...]
    pillar_titles: dict[str, str]
    framework: Framework
    """The round's framework, whose parameter labels word the reasons."""
    contact: OutcomeContact
    approved_at: datetime | None = None
    """When the board approved the award."""


def outcome_contact(round_: CommissioningRound) -> OutcomeContact:
    council = str(current_app.config.get("COUNCIL_NAME") or "The council")
    creator = db.session.get(User, round_.created_by_id) if round_.created_by_id else None
    if creator is None or not creator.is_active or not creator.has_role(*CONTACT_ROLES):
        return OutcomeContact(council=council)
    return OutcomeContact(council=council, name=creator.name, email=creator.email)


CONTACT_ROLES = (Role.COMMISSIONER, Role.ADMIN)
"""Who may answer a provider's questions about a round: the people who run rounds."""


def provider_outcome(user: User, bid_id: int) -> ProviderOutcome:
    """The provider's own bid's outcome once the award is approved.

    Raises BidNotFoundError for a bid the user's organisation did not submit (so another
    organisation's bid is never revealed) and OutcomeNotPublishedError before approval.
    """
    bid = bid_for(user, bid_id)
    if bid.status != BidStatus.SUBMITTED.value:
        raise BidNotFoundError(bid_id)
    round_ = bid.round
    if award_stage(round_) != AwardStage.AWARDED:
        raise OutcomeNotPublishedError(round_.reference)
    results = round_results(round_)
    own = results.bid_for_row(bid.id)
    if own is None:
        raise BidNotFoundError(bid_id)
    submission = latest_submission(round_)
    winner = None
    if submission is not None and submission.recommended_bid_id is not None:
        winner = results.bid_for_row(submission.recommended_bid_id)
    sections = results.section_titles
    criteria = tuple(
        OutcomeCriterion(
            section_title=sections.get(score.section_id, score.section_id),
            own=score,
            winning=_criterion_of(winner, score.criterion_id),
            feedback=_feedback(score),
        )
        for score in own.criteria
        if _assessed(score)
    )
    return ProviderOutcome(
        bid=bid,
        result=own,
        ranked_count=len(results.result.ranked),
        winner=winner,
        successful=winner is not None and winner.bid_id == own.bid_id,
        criteria=criteria,
        advice=tuple(improvement_advice(results.inputs.framework, own)),
        pillar_titles=results.pillar_titles,
        framework=results.inputs.framework,
        contact=outcome_contact(round_),
        approved_at=submission.decided_at if submission is not None else None,
    )


def _assessed(score: CriterionScore) -> bool:
    """Criteria that carry points or decide a gate; questions asked for information do not."""
    return score.status != "not_applicable" and (score.weight > 0 or score.gate_passed is not None)


def _criterion_of(bid: BidResult | None, criterion_id: str) -> CriterionScore | None:
    if bid is None:
        return None
    return next((c for c in bid.criteria if c.criterion_id == criterion_id), None)


def _feedback(score: CriterionScore) -> tuple[str, ...]:
    if score.moderated is not None and score.moderated.get("rationale"):
        return (str(score.moderated["rationale"]),)
    return tuple(str(mark["justification"]) for mark in score.marks if mark.get("justification"))
