"""Moderation: the panel's agreed mark for each evaluator-marked criterion of each bid.

Evaluators mark independently; where their marks spread widely (`spread_threshold` points or
more) the commissioner agrees one moderated mark with a rationale. Moderations are never
edited: a change is a new row, the latest counts, and earlier rows stay as its history. The
evaluators' own marks always stay visible beside it.

Only submitted mark sheets count, and an evaluator who has declared a conflict with a bidder
is left out for that bid, exactly as `webapp.services.results.round_inputs` reads them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from criteria.model import Criterion, Framework, Scale
from criteria.wording import criterion_title
from webapp.audit.log import record
from webapp.clock import now
from webapp.extensions import db
from webapp.forms.builder import visible_criteria
from webapp.models import (
    Bid,
    CommissioningRound,
    MarkSheet,
    MarkSheetStatus,
    Moderation,
    Role,
    User,
)
from webapp.services.award import ensure_evaluation_open
from webapp.services.results import conflicted_pairs, submitted_bids_of
from webapp.services.rounds import round_framework

__all__ = [
    "MODERATORS",
    "GivenMark",
    "ModerationError",
    "ModerationNotAllowedError",
    "ModerationNotFoundError",
    "ModerationRow",
    "evaluated_criteria",
    "moderate",
    "moderation_history",
    "moderation_row",
    "moderation_rows",
    "needs_moderation",
    "scale_of",
]

MODERATORS = (Role.ADMIN, Role.COMMISSIONER)


class ModerationNotAllowedError(Exception):
    """The user's role does not allow moderation."""


class ModerationNotFoundError(Exception):
    """No such bid in the round, or the criterion is not one evaluators mark for that bid."""


class ModerationError(Exception):
    """The moderated mark cannot be recorded as given; the message says why, for a person."""


@dataclass(frozen=True)
class GivenMark:
    """One evaluator's submitted mark for one criterion of one bid."""

    evaluator: User
    points: int
    justification: str


@dataclass(frozen=True)
class ModerationRow:
    """One evaluator-marked criterion of one bid: the marks given and the moderated mark."""

    bid: Bid
    criterion: Criterion
    section_title: str
    marks: tuple[GivenMark, ...]
    moderated: Moderation | None
    """The latest moderation, the one that counts; None before any."""
    threshold: int

    @property
    def spread(self) -> int | None:
        """Highest mark minus lowest; None when no evaluator has marked it yet."""
        if not self.marks:
            return None
        points = [m.points for m in self.marks]
        return max(points) - min(points)

    @property
    def wide(self) -> bool:
        """The marks spread at least the round's threshold apart."""
        return self.spread is not None and self.spread >= self.threshold

    @property
    def needs_moderation(self) -> bool:
        return self.wide and self.moderated is None

    @property
    def label(self) -> str:
        """The bid and criterion, as the readiness check and the table say them."""
        bid = self.bid
        title = criterion_title(self.criterion)
        return f"Bid {bid.reference} ({bid.organisation.name}), {title}"


def evaluated_criteria(framework: Framework) -> list[Criterion]:
    """The criteria marked by evaluators on a scale, in framework order."""
    return [
        c
        for c in framework.criteria.values()
        if c.scoring is not None and c.scoring.rule == "evaluator_scale"
    ]


def scale_of(framework: Framework, criterion: Criterion) -> Scale:
    return framework.scales[getattr(criterion.scoring, "scale", "")]


def _asked_evaluated(framework: Framework, bid: Bid) -> list[Criterion]:
    """The evaluator-marked criteria this bid was asked (follow-ups hidden by show_if are not)."""
    evaluated = {c.id for c in evaluated_criteria(framework)}
    answers = dict(bid.answers or {})
    return [
        c
        for section in framework.sections
        for c in visible_criteria(framework, section, answers)
        if c.id in evaluated
    ]


def _given_marks(
    round_: CommissioningRound, bid_ids: set[int]
) -> dict[tuple[int, str], list[GivenMark]]:
    conflicted = conflicted_pairs(round_)
    sheets = db.session.scalars(
        sa.select(MarkSheet)
        .where(MarkSheet.round_id == round_.id, MarkSheet.status == MarkSheetStatus.SUBMITTED.value)
        .order_by(MarkSheet.id)
    )
    given: dict[tuple[int, str], list[GivenMark]] = defaultdict(list)
    for sheet in sheets:
        if sheet.bid_id not in bid_ids or (sheet.evaluator_id, sheet.bid_id) in conflicted:
            continue
        for mark in sheet.marks:
            given[(sheet.bid_id, mark.criterion_id)].append(
                GivenMark(sheet.evaluator, mark.points, mark.justification)
            )
    return given


def _latest_moderations(round_: CommissioningRound) -> dict[tuple[int, str], Moderation]:
    latest: dict[tuple[int, str], Moderation] = {}
    query = sa.select(Moderation).where(Moderation.round_id == round_.id).order_by(Moderation.id)
    for row in db.session.scalars(query):
        latest[(row.bid_id, row.criterion_id)] = row
    return latest


def _rows(round_: CommissioningRound, bids: list[Bid]) -> list[ModerationRow]:
    framework = round_framework(round_)
    given = _given_marks(round_, {b.id for b in bids})
    latest = _latest_moderations(round_)
    rows = []
    for bid in bids:
        for criterion in _asked_evaluated(framework, bid):
            key = (bid.id, criterion.id)
            rows.append(
                ModerationRow(
                    bid=bid,
                    criterion=criterion,
                    section_title=framework.section_of[criterion.id].title,
                    marks=tuple(given.get(key, ())),
                    moderated=latest.get(key),
                    threshold=round_.spread_threshold,
                )
            )
    return rows


def moderation_rows(round_: CommissioningRound) -> list[ModerationRow]:
    """What the moderation table shows: rows needing moderation first, then wide spreads
    already moderated, then the rest; by bid reference and framework order within each."""
    rows = _rows(round_, submitted_bids_of(round_))
    return sorted(rows, key=lambda r: (not r.needs_moderation, not r.wide))


def moderation_row(round_: CommissioningRound, bid_id: int, criterion_id: str) -> ModerationRow:
    """One row of the table; ModerationNotFoundError when there is no such row."""
    bid = next((b for b in submitted_bids_of(round_) if b.id == bid_id), None)
    if bid is None:
        raise ModerationNotFoundError(f"bid {bid_id} is not a submitted bid in this round")
    row = next((r for r in _rows(round_, [bid]) if r.criterion.id == criterion_id), None)
    if row is None:
        raise ModerationNotFoundError(f"criterion {criterion_id!r} is not marked for this bid")
    return row


def needs_moderation(round_: CommissioningRound) -> list[str]:
    """A reason for each wide spread without a moderated mark; empty when there is none."""
    return [
        f"{row.label}: marks spread {row.spread} points and no moderated mark"
        for row in moderation_rows(round_)
        if row.needs_moderation
    ]


def moderation_history(bid: Bid, criterion_id: str) -> list[Moderation]:
    """Every moderation of this criterion of this bid, newest (the one that counts) first."""
    query = (
        sa.select(Moderation)
        .where(Moderation.bid_id == bid.id, Moderation.criterion_id == criterion_id)
        .order_by(Moderation.id.desc())
    )
    return list(db.session.scalars(query))


def _snapshot(moderation: Moderation | None) -> dict[str, Any] | None:
    if moderation is None:
        return None
    return {
        "bid_id": moderation.bid_id,
        "criterion_id": moderation.criterion_id,
        "points": moderation.points,
        "rationale": moderation.rationale,
        "moderator_id": moderation.moderator_id,
    }


def moderate(
    round_: CommissioningRound,
    bid: Bid,
    criterion_id: str,
    points: int,
    rationale: str,
    by: User,
) -> Moderation:
    """Record a moderated mark (a new row: the history is kept) and its audit event; commit.

    Raises ModerationNotAllowedError for the wrong role, EvaluationLockedError when the
    results are with the board or awarded, ModerationNotFoundError for a bid or criterion that
    cannot be moderated, and ModerationError for a mark off the scale or no rationale.
    """
    if not by.has_role(*MODERATORS):
        raise ModerationNotAllowedError(f"{by.role} users cannot moderate marks")
    ensure_evaluation_open(round_)
    if bid.round_id != round_.id:
        raise ModerationNotFoundError(f"bid {bid.id} is not in round {round_.reference}")
    row = moderation_row(round_, bid.id, criterion_id)
    scale = scale_of(round_framework(round_), row.criterion)
    if scale.point(points) is None:
        raise ModerationError(
            f"The moderated mark must be on the scale, from {scale.minimum} to {scale.maximum}"
        )
    rationale = (rationale or "").strip()
    if not rationale:
        raise ModerationError("Enter the rationale for the moderated mark")
    moderation = Moderation(
        round_id=round_.id,
        bid_id=bid.id,
        criterion_id=criterion_id,
        points=points,
        rationale=rationale,
        moderator_id=by.id,
        created_at=now(),
    )
    db.session.add(moderation)
    db.session.flush()
    previous = row.moderated
    change = f"from {previous.points} to {points}" if previous else f"at {points}"
    record(
        "moderation.recorded",
        actor=by,
        subject=f"moderation:{moderation.id}",
        summary=f"Moderated mark for {bid.reference}, {criterion_title(row.criterion)}, "
        f"recorded {change}",
        round_=round_,
        before=_snapshot(previous),
        after=_snapshot(moderation),
    )
    db.session.commit()
    return moderation
