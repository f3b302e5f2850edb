"""What the demo tests share: where they stand in time, the example round, and look-ups."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from criteria.round_file import load_round
from webapp.demo import AWARD_ROUND_REFERENCE, DEMO_ROUND_REFERENCE, ROUND_FILE
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    Bid,
    CommissioningRound,
    ConflictDeclaration,
    EvaluatorMark,
    EvidenceFile,
    FrameworkVersion,
    MarkSheet,
    Moderation,
    Organisation,
    PriceCheck,
    RoundEvaluator,
    SelfAssessment,
    User,
)

LOADED = load_round(ROUND_FILE)
EXAMPLE = LOADED.round
STANDING_AT = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
"""Where the demo tests stand: a Friday morning in late November (GMT)."""

COUNTED: dict[str, Any] = {
    "users": User,
    "organisations": Organisation,
    "rounds": CommissioningRound,
    "bids": Bid,
    "framework versions": FrameworkVersion,
    "documents": EvidenceFile,
    "self-assessments": SelfAssessment,
    "evaluator assignments": RoundEvaluator,
    "conflict declarations": ConflictDeclaration,
    "mark sheets": MarkSheet,
    "marks": EvaluatorMark,
    "moderations": Moderation,
    "price checks": PriceCheck,
    "audit events": AuditEvent,
}


def counts() -> dict[str, int]:
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        for name, model in COUNTED.items()
    }


def round_called(reference: str) -> CommissioningRound:
    return db.session.scalars(
        sa.select(CommissioningRound).where(CommissioningRound.reference == reference)
    ).one()


def demo_round() -> CommissioningRound:
    """The round open for bids."""
    return round_called(DEMO_ROUND_REFERENCE)


def award_round() -> CommissioningRound:
    """The closed round whose evaluation is under way."""
    return round_called(AWARD_ROUND_REFERENCE)


def organisation(name: str) -> Organisation:
    return db.session.scalars(sa.select(Organisation).where(Organisation.name == name)).one()


def example_name(bid_id: str) -> str:
    return next(b.name for b in EXAMPLE.bids if b.id == bid_id)
