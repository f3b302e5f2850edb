"""A round's result, recomputed from what is stored: bids, submitted marks, moderation, decisions.

Nothing scored is ever stored as the answer: `round_inputs` reads the inputs, and the pure
engine (`criteria.engine.score_round`) turns them into the same `RoundResult` every time. The
inputs' digest fixes exactly what a board decision or a report was made from.

Engine bid ids are the bids' receipt references (`Bid.reference`), set when a bid is submitted.
Only submitted bids take part. Only submitted mark sheets count, and a mark from an evaluator
who has since declared a conflict with that bidder is left out. The latest moderation of a
criterion counts; earlier ones are its history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from criteria.engine import score_round
from criteria.hashing import content_hash
from criteria.inputs import Bid as EngineBid
from criteria.inputs import CriterionMarks, Mark, ModeratedMark, PriceDecision, RoundSettings
from criteria.model import Framework
from criteria.result import RoundResult
from webapp.audit.chain import digest
from webapp.extensions import db
from webapp.models import (
    Bid,
    BidStatus,
    CommissioningRound,
    ConflictDeclaration,
    MarkSheet,
    MarkSheetStatus,
    Moderation,
    PriceCheck,
    PriceCheckStatus,
)
from webapp.services.rounds import round_framework, round_settings

if TYPE_CHECKING:
    from criteria.robustness import Robustness

__all__ = [
    "RoundInputs",
    "conflicted_pairs",
    "round_analysis",
    "round_inputs",
    "round_result",
    "submitted_bids_of",
]


@dataclass(frozen=True)
class RoundInputs:
    """Everything the engine needs for a round, and the stored bid behind each engine bid id."""

    framework: Framework
    bids: tuple[EngineBid, ...]
    marks: dict[str, dict[str, CriterionMarks]]
    settings: RoundSettings
    decisions: dict[str, dict[str, PriceDecision]]
    rows: dict[str, Bid]
    """The stored bid for each engine bid id (its reference)."""

    @property
    def digest(self) -> str:
        """`sha256:...` of the inputs: the same inputs always give the same result."""
        document: dict[str, Any] = {
            "framework": self.framework.id,
            "framework_version": self.framework.version,
            "settings": self.settings.model_dump(mode="json"),
            "bids": [b.model_dump(mode="json") for b in self.bids],
            "marks": {
                bid: {c: m.model_dump(mode="json") for c, m in by_criterion.items()}
                for bid, by_criterion in self.marks.items()
            },
            "decisions": {
                bid: {code: d.model_dump(mode="json") for code, d in by_code.items()}
                for bid, by_code in self.decisions.items()
            },
        }
        document["framework_hash"] = content_hash(self.framework)
        value = digest(document)
        assert value is not None
        return value

    def row_of(self, engine_bid_id: str) -> Bid:
        return self.rows[engine_bid_id]


def submitted_bids_of(round_: CommissioningRound) -> list[Bid]:
    query = (
        sa.select(Bid)
        .where(Bid.round_id == round_.id, Bid.status == BidStatus.SUBMITTED.value)
        .order_by(Bid.reference)
    )
    return list(db.session.scalars(query))


def conflicted_pairs(round_: CommissioningRound) -> set[tuple[int, int]]:
    """(evaluator id, bid id) pairs whose latest declaration is a conflict."""
    latest: dict[tuple[int, int], ConflictDeclaration] = {}
    query = (
        sa.select(ConflictDeclaration)
        .where(ConflictDeclaration.round_id == round_.id)
        .order_by(ConflictDeclaration.id)
    )
    for declaration in db.session.scalars(query):
        latest[(declaration.evaluator_id, declaration.bid_id)] = declaration
    return {pair for pair, d in latest.items() if d.has_conflict}


def round_inputs(round_: CommissioningRound) -> RoundInputs:
    """Read a round's scoring inputs from the database."""
    framework = round_framework(round_)
    rows = {bid.reference or f"bid-{bid.id}": bid for bid in submitted_bids_of(round_)}
    engine_id = {bid.id: ref for ref, bid in rows.items()}
    bids = tuple(
        EngineBid(id=ref, name=bid.organisation.name, answers=dict(bid.answers or {}))
        for ref, bid in rows.items()
    )
    conflicted = conflicted_pairs(round_)

    given: dict[str, dict[str, list[Mark]]] = defaultdict(lambda: defaultdict(list))
    sheets = db.session.scalars(
        sa.select(MarkSheet)
        .where(MarkSheet.round_id == round_.id, MarkSheet.status == MarkSheetStatus.SUBMITTED.value)
        .order_by(MarkSheet.id)
    )
    for sheet in sheets:
        if sheet.bid_id not in engine_id or (sheet.evaluator_id, sheet.bid_id) in conflicted:
            continue
        for mark in sheet.marks:
            given[engine_id[sheet.bid_id]][mark.criterion_id].append(
                Mark(
                    evaluator=sheet.evaluator.name,
                    points=mark.points,
                    justification=mark.justification,
                )
            )
    moderated: dict[tuple[str, str], ModeratedMark] = {}
    for row in db.session.scalars(
        sa.select(Moderation).where(Moderation.round_id == round_.id).order_by(Moderation.id)
    ):
        if row.bid_id in engine_id:
            moderated[(engine_id[row.bid_id], row.criterion_id)] = ModeratedMark(
                points=row.points, rationale=row.rationale
            )
    marks: dict[str, dict[str, CriterionMarks]] = defaultdict(dict)
    keys = {(b, c) for b, by_c in given.items() for c in by_c} | set(moderated)
    for bid_ref, criterion_id in sorted(keys):
        marks[bid_ref][criterion_id] = CriterionMarks(
            marks=given.get(bid_ref, {}).get(criterion_id, []),
            moderated=moderated.get((bid_ref, criterion_id)),
        )

    decisions: dict[str, dict[str, PriceDecision]] = defaultdict(dict)
    for check in db.session.scalars(
        sa.select(PriceCheck)
        .where(
            PriceCheck.round_id == round_.id,
            PriceCheck.status == PriceCheckStatus.DECIDED.value,
        )
        .order_by(PriceCheck.id)
    ):
        if check.bid_id in engine_id and check.decision:
            decisions[engine_id[check.bid_id]][check.flag_code] = PriceDecision(
                decision=check.decision,  # type: ignore[arg-type]
                reason=check.decision_reason or "",
            )
    return RoundInputs(
        framework=framework,
        bids=bids,
        marks=dict(marks),
        settings=round_settings(round_),
        decisions=dict(decisions),
        rows=rows,
    )


def round_result(inputs: RoundInputs) -> RoundResult:
    """Score the round from its inputs (pure and deterministic)."""
    return score_round(
        inputs.framework,
        inputs.bids,
        inputs.marks,
        inputs.settings,
        inputs.decisions,
    )


def round_analysis(
    inputs: RoundInputs, result: RoundResult, samples: int = 10_000, seed: int = 0
) -> Robustness:
    """The robustness panel: first-place probabilities, winning weight changes, reversals."""
    from criteria.robustness import analyse  # numpy and scipy load with the first analysis

    return analyse(
        inputs.framework,
        result,
        inputs.bids,
        inputs.marks,
        inputs.settings,
        samples=samples,
        seed=seed,
        decisions=inputs.decisions,
    )
