"""Setting up a round's evaluation: who evaluates which sections, and what evaluators see.

Commissioners and administrators assign evaluators and choose the evaluation settings (hide
bidder names, hide price, the spread that moderation highlights) at any time until the results
go to the board. Someone who has submitted marks stays assigned, to the same sections, so their
submitted marks keep meaning what they meant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from webapp.audit.log import record
from webapp.audit.people import person
from webapp.clock import now
from webapp.extensions import db
from webapp.models import (
    CommissioningRound,
    MarkSheet,
    MarkSheetStatus,
    Role,
    RoundEvaluator,
    User,
)
from webapp.services.award import AwardStage, award_stage
from webapp.services.evaluation import assignments_of, evaluation_sections, scale_maximum
from webapp.services.round_admin import MANAGERS, NotAllowedError
from webapp.services.rounds import round_framework

__all__ = [
    "EvaluationSettings",
    "SetupRefusedError",
    "assign_evaluators",
    "available_evaluators",
    "setup_locked_reason",
    "update_evaluation_settings",
]


class SetupRefusedError(Exception):
    """The change cannot be made to the round's evaluation as it stands; the message says why."""


@dataclass(frozen=True)
class EvaluationSettings:
    anonymise_bidders: bool
    hide_price_from_evaluators: bool
    spread_threshold: int


def _require_manager(user: User) -> None:
    if not user.has_role(*MANAGERS):
        raise NotAllowedError(f"{user.role} users cannot set up a round's evaluation")


def setup_locked_reason(round_: CommissioningRound) -> str | None:
    """Why evaluators and settings can no longer change, or None while they can."""
    stage = award_stage(round_)
    if stage == AwardStage.WITH_BOARD:
        return (
            "The results are with the board, so evaluators and evaluation settings cannot "
            "change unless the board refers the round back."
        )
    if stage == AwardStage.AWARDED:
        return "The board has approved the award, so evaluators and evaluation settings are final."
    return None


def available_evaluators(round_: CommissioningRound) -> list[User]:
    """Active evaluators, and anyone already assigned to the round, by name."""
    assigned = sa.select(RoundEvaluator.user_id).where(RoundEvaluator.round_id == round_.id)
    query = (
        sa.select(User)
        .where(
            sa.or_(
                sa.and_(User.role == Role.EVALUATOR.value, User.is_active.is_(True)),
                User.id.in_(assigned),
            )
        )
        .order_by(User.name, User.id)
    )
    return list(db.session.scalars(query))


def _submitted_evaluator_ids(round_: CommissioningRound) -> set[int]:
    query = sa.select(MarkSheet.evaluator_id).where(
        MarkSheet.round_id == round_.id, MarkSheet.status == MarkSheetStatus.SUBMITTED.value
    )
    return set(db.session.scalars(query))


def _assignment_snapshot(rows: list[RoundEvaluator]) -> dict[str, Any]:
    return {
        str(r.user_id): sorted(r.section_ids) if r.section_ids is not None else "all"
        for r in sorted(rows, key=lambda r: r.user_id)
    }


def _same_sections(a: list[str] | None, b: list[str] | None) -> bool:
    if a is None or b is None:
        return a is b
    return sorted(a) == sorted(b)


def assign_evaluators(
    round_: CommissioningRound, wanted: Mapping[int, list[str] | None], *, by: User
) -> list[RoundEvaluator]:
    """Make the round's evaluators exactly `wanted` (user id -> section ids, None for all)."""
    _require_manager(by)
    locked = setup_locked_reason(round_)
    if locked:
        raise SetupRefusedError(locked)
    offered = {s.id for s in evaluation_sections(round_framework(round_))}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(wanted)))}
    current = {r.user_id: r for r in assignments_of(round_)}
    for user_id, sections in wanted.items():
        user = users.get(user_id)
        # Someone deactivated after being assigned may stay; only active people are added.
        active = user is not None and (user.is_active or user_id in current)
        if user is None or not user.has_role(Role.EVALUATOR) or not active:
            raise SetupRefusedError("Only active evaluators can be assigned to a round.")
        if sections is not None and (not sections or set(sections) - offered):
            raise SetupRefusedError(f"Select the sections {user.name} evaluates.")
    before = _assignment_snapshot(list(current.values()))
    submitted = _submitted_evaluator_ids(round_)
    for user_id, row in current.items():
        if user_id in submitted and user_id not in wanted:
            raise SetupRefusedError(
                f"{row.user.name} has submitted marks for this round, so they cannot be removed."
            )
        if user_id in submitted and not _same_sections(row.section_ids, wanted[user_id]):
            raise SetupRefusedError(
                f"{row.user.name} has submitted marks for this round, so the sections they "
                "evaluate cannot change."
            )
    for user_id, row in current.items():
        if user_id not in wanted:
            db.session.delete(row)
        else:
            row.section_ids = wanted[user_id]
    for user_id, sections in wanted.items():
        if user_id not in current:
            db.session.add(
                RoundEvaluator(
                    round_id=round_.id,
                    user_id=user_id,
                    section_ids=sections,
                    assigned_by_id=by.id,
                    assigned_at=now(),
                )
            )
    db.session.flush()
    rows = assignments_of(round_)
    after = _assignment_snapshot(rows)
    names = ", ".join(person(r.user) for r in rows) or "none"
    record(
        "round.evaluators_changed",
        actor=by,
        subject=f"round:{round_.id}",
        summary=f"Evaluators of {round_.reference}: {names}",
        round_=round_,
        before=before,
        after=after,
    )
    db.session.commit()
    return rows


def _settings_snapshot(round_: CommissioningRound) -> dict[str, Any]:
    return {
        "anonymise_bidders": round_.anonymise_bidders,
        "hide_price_from_evaluators": round_.hide_price_from_evaluators,
        "spread_threshold": round_.spread_threshold,
    }


def update_evaluation_settings(
    round_: CommissioningRound, settings: EvaluationSettings, *, by: User
) -> None:
    """Change what evaluators see and the spread moderation highlights."""
    _require_manager(by)
    locked = setup_locked_reason(round_)
    if locked:
        raise SetupRefusedError(locked)
    highest = scale_maximum(round_framework(round_))
    if not 1 <= settings.spread_threshold <= highest:
        raise SetupRefusedError(f"The spread must be a whole number from 1 to {highest}")
    before = _settings_snapshot(round_)
    round_.anonymise_bidders = settings.anonymise_bidders
    round_.hide_price_from_evaluators = settings.hide_price_from_evaluators
    round_.spread_threshold = settings.spread_threshold
    db.session.flush()
    record(
        "round.settings_changed",
        actor=by,
        subject=f"round:{round_.id}",
        summary=f"Evaluation settings of {round_.reference} changed",
        round_=round_,
        before=before,
        after=_settings_snapshot(round_),
    )
    db.session.commit()
