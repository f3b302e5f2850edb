"""The reports of a round and of a self-assessment, from what is stored: the contexts they need.

Each function reads the database once, recomputes the result from the stored inputs
(`webapp.services.outcomes.round_results`) and hands it to the pure builders in `reports/`,
which the PDFs and their HTML twins share. The board pack names the evaluators (the board
sees who marked what, whatever the round's anonymity settings for evaluators); an assessment
summary never names an evaluator. Who may see which report is decided by the views, with
`may_see_results` and `outcome_published`, exactly as for the results pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import current_app

from criteria.agreement import agreement
from criteria.improvement import improvement_advice
from criteria.inputs import Declaration, PanelMember
from reports.bulk import sha256_of
from reports.context import RoundMeta, assessment_summary_context, board_pack_context
from reports.self_assessment import self_assessment_context
from reports.wording import long_date
from webapp.audit.log import record
from webapp.clock import now, to_london
from webapp.extensions import db
from webapp.models import (
    Bid,
    BoardDecisionKind,
    CommissioningRound,
    ConflictDeclaration,
    RoundEvaluator,
    SelfAssessment,
    User,
)
from webapp.services.award import AwardStage, award_stage, latest_submission
from webapp.services.outcomes import RoundResults, round_results
from webapp.services.results import round_analysis
from webapp.services.self_assessments import score_self_assessment, self_assessment_framework

__all__ = [
    "ROBUSTNESS_SAMPLES",
    "board_pack_context_for",
    "engine_bid_id",
    "london_today",
    "record_summary_issued",
    "round_meta",
    "round_panel",
    "round_status",
    "self_assessment_context_for",
    "summary_context_for",
]

ROBUSTNESS_SAMPLES = 10_000
"""The weightings tried for the robustness panel: as many as the results page uses."""


def london_today() -> dt.date:
    return to_london(now()).date()


def _day(moment: dt.datetime | None) -> str:
    if moment is None:
        return "an earlier date"
    return long_date(to_london(moment).date())


def round_status(round_: CommissioningRound) -> str:
    """Where the round stands, in words for a report's cover."""
    stage = award_stage(round_)
    submission = latest_submission(round_)
    if stage == AwardStage.AWARDED and submission is not None:
        return f"Approved by the board on {_day(submission.decided_at)}"
    if stage == AwardStage.WITH_BOARD and submission is not None:
        return f"Submitted for the board's decision on {_day(submission.submitted_at)}"
    if stage == AwardStage.EVALUATING:
        if submission is not None and submission.decision == BoardDecisionKind.REFER_BACK.value:
            return f"Draft: referred back by the board on {_day(submission.decided_at)}"
        return "Draft: evaluation in progress"
    return "Draft: bids are sealed until the deadline"


def round_meta(round_: CommissioningRound, results: RoundResults) -> RoundMeta:
    return RoundMeta(
        council=str(current_app.config.get("COUNCIL_NAME") or "The council"),
        title=round_.title,
        reference=round_.reference,
        date=london_today(),
        status=round_status(round_),
        inputs_digest=results.digest,
    )


def round_panel(round_: CommissioningRound, results: RoundResults) -> list[PanelMember]:
    """The round's evaluators, named as their marks are, each with their latest declarations.

    Evaluators assigned to the round come first in name order; anyone who declared without
    being assigned any longer is listed too, so no declaration is lost from the pack.
    """
    engine_id = {row.id: ref for ref, row in results.inputs.rows.items()}
    assigned = db.session.scalars(
        sa.select(RoundEvaluator).where(RoundEvaluator.round_id == round_.id)
    )
    members: dict[int, str] = {row.user_id: row.user.name for row in assigned}
    latest: dict[tuple[int, int], ConflictDeclaration] = {}
    for declaration in db.session.scalars(
        sa.select(ConflictDeclaration)
        .where(ConflictDeclaration.round_id == round_.id)
        .order_by(ConflictDeclaration.id)
    ):
        latest[(declaration.evaluator_id, declaration.bid_id)] = declaration
        members.setdefault(declaration.evaluator_id, declaration.evaluator.name)
    panel = []
    for user_id, name in sorted(members.items(), key=lambda item: (item[1], item[0])):
        declarations = [
            Declaration(bid=engine_id[bid_id], conflict=d.has_conflict, details=d.details or "")
            for (evaluator_id, bid_id), d in sorted(
                latest.items(), key=lambda item: engine_id.get(item[0][1], "")
            )
            if evaluator_id == user_id and bid_id in engine_id
        ]
        panel.append(PanelMember(evaluator=name, declarations=declarations))
    return panel


def board_pack_context_for(
    round_: CommissioningRound, *, results: RoundResults | None = None
) -> dict[str, Any]:
    """The board pack's context for a closed round, recomputed from the stored inputs."""
    if results is None:
        results = round_results(round_, analysis=True, with_agreement=True)
    inputs, result = results.inputs, results.result
    robustness = results.analysis or round_analysis(inputs, result, samples=ROBUSTNESS_SAMPLES)
    marks_agreement = results.agreement or agreement(
        inputs.framework, inputs.marks, round_.spread_threshold
    )
    return board_pack_context(
        inputs.framework,
        round_meta(round_, results),
        result,
        robustness,
        marks_agreement,
        panel=round_panel(round_, results),
        settings=inputs.settings,
    )


def engine_bid_id(results: RoundResults, bid: Bid) -> str:
    """The engine's id for a stored bid; KeyError when the bid is not among the round's bids."""
    found = results.bid_for_row(bid.id)
    if found is not None:
        return found.bid_id
    raise KeyError(f"bid {bid.id} is not a submitted bid of round {results.round.reference}")


def summary_context_for(
    round_: CommissioningRound, bid: Bid, *, results: RoundResults | None = None
) -> dict[str, Any]:
    """One bidder's assessment summary: no evaluator is named in it.

    Raises KeyError when `bid` is not a submitted bid of `round_`.
    """
    if results is None:
        results = round_results(round_)
    bid_id = engine_bid_id(results, bid)
    framework = results.inputs.framework
    recipient = results.result.bid(bid_id)
    return assessment_summary_context(
        framework,
        round_meta(round_, results),
        results.result,
        bid_id,
        improvement_advice(framework, recipient),
    )


def record_summary_issued(bid: Bid, *, to: User, pdf: bytes, inputs_digest: str) -> None:
    """Record in the audit log that the bid's assessment summary was issued to `to`. Commits."""
    record(
        "report.issued",
        actor=to,
        subject=bid.reference or f"bid {bid.id}",
        summary=f"Assessment summary for {bid.reference} issued to {bid.organisation.name}",
        round_=bid.round,
        after={
            "kind": "assessment_summary",
            "bid": bid.reference,
            "pdf_sha256": sha256_of(pdf),
            "inputs_digest": inputs_digest,
        },
    )
    db.session.commit()


def self_assessment_context_for(assessment: SelfAssessment) -> dict[str, Any]:
    """The self-assessment report's context: the answers so far, scored, with the plan."""
    return self_assessment_context(
        self_assessment_framework(assessment),
        score_self_assessment(assessment),
        organisation=assessment.organisation.name,
        date=london_today(),
    )
