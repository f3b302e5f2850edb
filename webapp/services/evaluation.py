"""Evaluation: who evaluates a round, their conflicts of interest, and their independent marks.

A commissioner assigns evaluators to a round, to every section that evaluators mark or to
some of them. After the deadline each evaluator first declares, for every bidder, whether they
have a conflict of interest; a declared conflict removes them from that bid. They then mark each
evaluator-scored criterion of their sections on the framework's scale, with a justification,
and submit their sheet for the bid. A submitted sheet is final (moderation handles changes),
and only then may the evaluator see the other evaluators' marks for that bid.

Every function that changes something checks who is acting and that the round's marks may still
change (`webapp.services.award.ensure_evaluation_open`), records an audit event and commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from criteria.model import Criterion, EvaluatorScaleRule, Framework, Scale, Section
from criteria.wording import criterion_title
from webapp.audit.log import record
from webapp.audit.people import person
from webapp.clock import now
from webapp.extensions import db
from webapp.models import (
    Bid,
    CommissioningRound,
    ConflictDeclaration,
    EvaluatorMark,
    MarkSheet,
    MarkSheetStatus,
    Role,
    RoundEvaluator,
    User,
)
from webapp.services.award import ensure_evaluation_open
from webapp.services.results import conflicted_pairs, submitted_bids_of
from webapp.services.rounds import is_sealed, round_framework

__all__ = [
    "ConflictAnswer",
    "EvaluatorProgress",
    "MarkingRefusedError",
    "assigned_rounds",
    "assignment",
    "assignments_of",
    "bid_label",
    "conflicts_declared",
    "criteria_for",
    "criterion_scale",
    "declare_conflicts",
    "evaluated_criteria",
    "evaluation_bids",
    "evaluation_sections",
    "evaluator_progress",
    "has_conflict",
    "latest_declarations",
    "marking_complete",
    "panel_sheets",
    "price_criteria",
    "progress_of",
    "save_mark",
    "scale_maximum",
    "sheet_for",
    "submit_sheet",
    "unmarked_criteria",
]

MIN_JUSTIFICATION = 20
"""The shortest justification accepted, in characters once trimmed: enough for one reason."""
MAX_JUSTIFICATION = 10_000
"""The longest justification accepted, in characters once trimmed."""


class MarkingRefusedError(Exception):
    """A marking change that cannot be made as things stand; the message says why."""


# --- the framework's evaluated criteria -------------------------------------------------


def _evaluated(criterion: Criterion) -> bool:
    return isinstance(criterion.scoring, EvaluatorScaleRule)


def evaluation_sections(framework: Framework) -> list[Section]:
    """The sections with at least one criterion marked by evaluators, in framework order."""
    return [s for s in framework.sections if any(_evaluated(c) for c in s.criteria)]


def evaluated_criteria(framework: Framework, section_ids: list[str] | None) -> list[Criterion]:
    """The evaluator-marked criteria of the given sections (None: every section), in order."""
    return [
        c
        for s in framework.sections
        if section_ids is None or s.id in section_ids
        for c in s.criteria
        if _evaluated(c)
    ]


def criterion_scale(framework: Framework, criterion: Criterion) -> Scale:
    """The published scale an evaluator-marked criterion is marked on."""
    assert isinstance(criterion.scoring, EvaluatorScaleRule)
    return framework.scales[criterion.scoring.scale]


def scale_maximum(framework: Framework) -> int:
    """The highest point on any scale evaluators mark with (5 when nothing is marked)."""
    scales = {criterion_scale(framework, c).maximum for c in evaluated_criteria(framework, None)}
    return max(scales, default=5)


def price_criteria(framework: Framework) -> set[str]:
    """The criteria hidden when a round hides price from evaluators: the price pillar's."""
    award = framework.award
    named = {award.price.criterion} if award.price else set()
    if award.wage_floor:
        named.add(award.wage_floor.price_criterion)
    if award.abnormally_low:
        named.add(award.abnormally_low.criterion)
    pillars = {framework.section_of[c].pillar for c in named if c in framework.section_of}
    in_pillar = {c.id for s in framework.sections if s.pillar in pillars for c in s.criteria}
    return named | in_pillar


# --- assignment -------------------------------------------------------------------------


def assignment(round_: CommissioningRound, user: User) -> RoundEvaluator | None:
    query = sa.select(RoundEvaluator).where(
        RoundEvaluator.round_id == round_.id, RoundEvaluator.user_id == user.id
    )
    return db.session.scalars(query).first()


def assignments_of(round_: CommissioningRound) -> list[RoundEvaluator]:
    query = (
        sa.select(RoundEvaluator)
        .join(User, User.id == RoundEvaluator.user_id)
        .where(RoundEvaluator.round_id == round_.id)
        .order_by(User.name, User.id)
    )
    return list(db.session.scalars(query))


def assigned_rounds(user: User) -> list[CommissioningRound]:
    """The rounds `user` is assigned to evaluate, the soonest deadline first."""
    query = (
        sa.select(CommissioningRound)
        .join(RoundEvaluator, RoundEvaluator.round_id == CommissioningRound.id)
        .where(RoundEvaluator.user_id == user.id)
        .order_by(CommissioningRound.closes_at, CommissioningRound.id)
    )
    return list(db.session.scalars(query))


def criteria_for(round_: CommissioningRound, user: User) -> list[Criterion]:
    """What `user` marks in each bid of the round: nothing when not assigned."""
    assigned = assignment(round_, user)
    if assigned is None:
        return []
    return evaluated_criteria(round_framework(round_), assigned.section_ids)


# --- bids as evaluators see them --------------------------------------------------------


def _shuffle_key(round_: CommissioningRound, bid: Bid) -> str:
    """A stable order that reveals neither submission order nor the bidder's name."""
    return hashlib.sha256(f"commonweal:{round_.id}:{bid.id}".encode()).hexdigest()


def evaluation_bids(round_: CommissioningRound) -> list[Bid]:
    """The round's submitted bids in the order evaluators see them; none while sealed."""
    if is_sealed(round_):
        return []
    bids = submitted_bids_of(round_)
    if round_.anonymise_bidders:
        return sorted(bids, key=lambda b: _shuffle_key(round_, b))
    return sorted(bids, key=lambda b: (b.organisation.name.casefold(), b.id))


def _letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet column names."""
    text = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        text = chr(ord("A") + remainder) + text
    return text


def bid_label(round_: CommissioningRound, bid: Bid) -> str:
    """ "Bid A", "Bid B"... when the round anonymises bidders, else the organisation's name."""
    if not round_.anonymise_bidders:
        return bid.organisation.name
    ordered = sorted(submitted_bids_of(round_), key=lambda b: _shuffle_key(round_, b))
    position = next((i for i, b in enumerate(ordered) if b.id == bid.id), len(ordered))
    return f"Bid {_letters(position)}"


# --- conflicts of interest --------------------------------------------------------------


@dataclass(frozen=True)
class ConflictAnswer:
    """One bidder's answer on the conflicts page."""

    has_conflict: bool
    details: str | None = None


def latest_declarations(round_: CommissioningRound, user: User) -> dict[int, ConflictDeclaration]:
    """The declaration that stands for each bid (the latest), by bid id."""
    query = (
        sa.select(ConflictDeclaration)
        .where(
            ConflictDeclaration.round_id == round_.id,
            ConflictDeclaration.evaluator_id == user.id,
        )
        .order_by(ConflictDeclaration.id)
    )
    return {d.bid_id: d for d in db.session.scalars(query)}


def conflicts_declared(round_: CommissioningRound, user: User) -> bool:
    """True once `user` has declared, for every submitted bid, a conflict or none."""
    if is_sealed(round_):
        return False
    declared = latest_declarations(round_, user)
    return all(b.id in declared for b in submitted_bids_of(round_))


def has_conflict(round_: CommissioningRound, user: User, bid: Bid) -> bool:
    declaration = latest_declarations(round_, user).get(bid.id)
    return declaration is not None and declaration.has_conflict


def _require_assignment(round_: CommissioningRound, user: User) -> RoundEvaluator:
    assigned = assignment(round_, user)
    if assigned is None or not user.has_role(Role.EVALUATOR):
        raise LookupError(f"user {user.id} does not evaluate round {round_.id}")
    return assigned


def declare_conflicts(
    round_: CommissioningRound, user: User, answers: Mapping[int, ConflictAnswer]
) -> list[ConflictDeclaration]:
    """Record `user`'s declaration for every bidder at once (new rows: the latest stands)."""
    assigned = _require_assignment(round_, user)
    ensure_evaluation_open(round_)
    bids = submitted_bids_of(round_)
    missing = [b for b in bids if b.id not in answers]
    if missing or set(answers) - {b.id for b in bids}:
        raise MarkingRefusedError("Answer for every bidder, and only for the round's bidders.")
    declared_at = now()
    rows = []
    for bid in bids:
        answer = answers[bid.id]
        details = (answer.details or "").strip() or None
        if answer.has_conflict and not details:
            raise MarkingRefusedError(f"Give details of your conflict with {bid.organisation.name}")
        rows.append(
            ConflictDeclaration(
                round_id=round_.id,
                evaluator_id=user.id,
                bid_id=bid.id,
                has_conflict=answer.has_conflict,
                details=details if answer.has_conflict else None,
                declared_at=declared_at,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    conflicts = [r for r in rows if r.has_conflict]
    record(
        "coi.declared",
        actor=user,
        subject=f"round_evaluator:{assigned.id}",
        summary=f"{person(user)} declared conflicts of interest for {round_.reference}: "
        + (f"{len(conflicts)} conflict(s)" if conflicts else "no conflicts"),
        round_=round_,
        after=[
            {"bid_id": r.bid_id, "has_conflict": r.has_conflict, "details": r.details} for r in rows
        ],
    )
    db.session.commit()
    return rows


# --- mark sheets ------------------------------------------------------------------------


def sheet_for(round_: CommissioningRound, user: User, bid: Bid) -> MarkSheet | None:
    query = sa.select(MarkSheet).where(
        MarkSheet.round_id == round_.id,
        MarkSheet.bid_id == bid.id,
        MarkSheet.evaluator_id == user.id,
    )
    return db.session.scalars(query).first()


def unmarked_criteria(round_: CommissioningRound, user: User, bid: Bid) -> list[Criterion]:
    """The criteria `user` still has to mark in `bid`, in framework order."""
    sheet = sheet_for(round_, user, bid)
    marked = {m.criterion_id for m in sheet.marks} if sheet else set()
    return [c for c in criteria_for(round_, user) if c.id not in marked]


def _check_may_mark(round_: CommissioningRound, user: User, bid: Bid) -> RoundEvaluator:
    assigned = _require_assignment(round_, user)
    if bid.id not in {b.id for b in submitted_bids_of(round_)}:
        raise LookupError(f"bid {bid.id} is not a submitted bid of round {round_.id}")
    ensure_evaluation_open(round_)
    if not conflicts_declared(round_, user):
        raise MarkingRefusedError(
            "Declare any conflicts of interest with the bidders before you open a bid."
        )
    if has_conflict(round_, user, bid):
        raise MarkingRefusedError(
            "You declared a conflict of interest with this bidder, so you do not evaluate it."
        )
    sheet = sheet_for(round_, user, bid)
    if sheet is not None and sheet.status == MarkSheetStatus.SUBMITTED.value:
        raise MarkingRefusedError(
            "You have submitted your marks for this bid, so they can no longer change. "
            "Any change is made in moderation."
        )
    return assigned


def _marks_snapshot(sheet: MarkSheet) -> dict[str, Any]:
    return {
        "bid_id": sheet.bid_id,
        "evaluator_id": sheet.evaluator_id,
        "status": sheet.status,
        "marks": {
            m.criterion_id: {"points": m.points, "justification": m.justification}
            for m in sorted(sheet.marks, key=lambda m: m.criterion_id)
        },
    }


def save_mark(
    round_: CommissioningRound,
    user: User,
    bid: Bid,
    criterion_id: str,
    points: int,
    justification: str,
) -> EvaluatorMark:
    """Save (or change) one mark on `user`'s draft sheet for `bid`."""
    _check_may_mark(round_, user, bid)
    framework = round_framework(round_)
    criterion = next((c for c in criteria_for(round_, user) if c.id == criterion_id), None)
    if criterion is None:
        raise LookupError(f"criterion {criterion_id} is not marked by user {user.id}")
    if criterion_scale(framework, criterion).point(points) is None:
        raise MarkingRefusedError("Select a mark on the scale")
    justification = justification.strip()
    if len(justification) < MIN_JUSTIFICATION:
        raise MarkingRefusedError(f"Justification must be {MIN_JUSTIFICATION} characters or more")
    if len(justification) > MAX_JUSTIFICATION:
        raise MarkingRefusedError(
            f"Justification must be {MAX_JUSTIFICATION:,} characters or fewer"
        )
    sheet = sheet_for(round_, user, bid)
    if sheet is None:
        sheet = MarkSheet(round_id=round_.id, bid_id=bid.id, evaluator_id=user.id)
        db.session.add(sheet)
        db.session.flush()
    before = _marks_snapshot(sheet)
    mark = next((m for m in sheet.marks if m.criterion_id == criterion_id), None)
    if mark is None:
        mark = EvaluatorMark(criterion_id=criterion_id, points=points, justification="")
        sheet.marks.append(mark)
    mark.points = points
    mark.justification = justification
    mark.updated_at = now()
    db.session.flush()
    record(
        "marks.saved",
        actor=user,
        subject=f"mark_sheet:{sheet.id}",
        summary=f"{person(user)} saved a mark of {points} for {criterion_title(criterion)} "
        f"in bid {bid.reference} (draft)",
        round_=round_,
        before=before,
        after=_marks_snapshot(sheet),
    )
    db.session.commit()
    return mark


def submit_sheet(round_: CommissioningRound, user: User, bid: Bid) -> MarkSheet:
    """Submit `user`'s marks for `bid`: final from now on."""
    _check_may_mark(round_, user, bid)
    missing = unmarked_criteria(round_, user, bid)
    sheet = sheet_for(round_, user, bid)
    if missing or sheet is None:
        raise MarkingRefusedError(
            "Mark every criterion before you submit: "
            + "; ".join(c.prompt for c in missing or criteria_for(round_, user))
        )
    before = _marks_snapshot(sheet)
    sheet.status = MarkSheetStatus.SUBMITTED.value
    sheet.submitted_at = now()
    db.session.flush()
    record(
        "marks.submitted",
        actor=user,
        subject=f"mark_sheet:{sheet.id}",
        summary=f"{person(user)} submitted marks for bid {bid.reference}",
        round_=round_,
        before=before,
        after=_marks_snapshot(sheet),
    )
    db.session.commit()
    return sheet


def panel_sheets(round_: CommissioningRound, bid: Bid) -> list[MarkSheet]:
    """Every submitted sheet for `bid` that counts (not from a conflicted evaluator)."""
    conflicted = conflicted_pairs(round_)
    query = (
        sa.select(MarkSheet)
        .join(User, User.id == MarkSheet.evaluator_id)
        .where(
            MarkSheet.round_id == round_.id,
            MarkSheet.bid_id == bid.id,
            MarkSheet.status == MarkSheetStatus.SUBMITTED.value,
        )
        .order_by(User.name, User.id)
    )
    return [s for s in db.session.scalars(query) if (s.evaluator_id, bid.id) not in conflicted]


# --- progress ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluatorProgress:
    """How far one assigned evaluator has got with a round."""

    evaluator: User
    section_ids: list[str] | None
    declared: bool
    conflicts: int
    """Bids the evaluator is removed from by a declared conflict."""
    submitted: int
    expected: int
    """Sheets to submit: one per bid without a conflict (none while bids are sealed)."""

    @property
    def done(self) -> bool:
        return self.declared and self.submitted >= self.expected


def _submitted_bid_ids(round_: CommissioningRound, user: User) -> set[int]:
    query = sa.select(MarkSheet.bid_id).where(
        MarkSheet.round_id == round_.id,
        MarkSheet.evaluator_id == user.id,
        MarkSheet.status == MarkSheetStatus.SUBMITTED.value,
    )
    return set(db.session.scalars(query))


def progress_of(round_: CommissioningRound, assigned: RoundEvaluator) -> EvaluatorProgress:
    user = assigned.user
    bids = [] if is_sealed(round_) else submitted_bids_of(round_)
    declared = latest_declarations(round_, user)
    conflicted = {b.id for b in bids if b.id in declared and declared[b.id].has_conflict}
    to_mark = {b.id for b in bids} - conflicted
    has_criteria = bool(evaluated_criteria(round_framework(round_), assigned.section_ids))
    return EvaluatorProgress(
        evaluator=user,
        section_ids=assigned.section_ids,
        declared=bool(bids) and all(b.id in declared for b in bids),
        conflicts=len(conflicted),
        submitted=len(_submitted_bid_ids(round_, user) & to_mark),
        expected=len(to_mark) if has_criteria else 0,
    )


def evaluator_progress(round_: CommissioningRound) -> list[EvaluatorProgress]:
    """For each assigned evaluator: conflicts declared?, sheets submitted n of m."""
    return [progress_of(round_, a) for a in assignments_of(round_)]


def marking_complete(round_: CommissioningRound) -> list[str]:
    """Why marking is not complete, one sentence each; [] when it is."""
    framework = round_framework(round_)
    if not evaluated_criteria(framework, None):
        return []
    if is_sealed(round_):
        return ["Bids are sealed until the round's deadline, so nobody has marked them yet."]
    assignments = assignments_of(round_)
    if not assignments:
        return ["No evaluators are assigned to this round."]
    reasons: list[str] = []
    bids = submitted_bids_of(round_)
    conflicted = conflicted_pairs(round_)
    for assigned in assignments:
        progress = progress_of(round_, assigned)
        name = assigned.user.name
        if not progress.declared:
            reasons.append(f"{name} has not declared conflicts of interest.")
            continue
        if not progress.expected:
            continue
        done = _submitted_bid_ids(round_, assigned.user)
        for bid in bids:
            if (assigned.user_id, bid.id) not in conflicted and bid.id not in done:
                reasons.append(f"{name} has not submitted marks for {bid.organisation.name}.")
    for bid in bids:
        covered: set[str] = set()
        for assigned in assignments:
            if (assigned.user_id, bid.id) not in conflicted:
                covered |= {c.id for c in evaluated_criteria(framework, assigned.section_ids)}
        uncovered = [c for c in evaluated_criteria(framework, None) if c.id not in covered]
        if uncovered:
            reasons.append(
                f"Nobody without a conflict of interest marks {len(uncovered)} "
                f"criterion(s) for {bid.organisation.name}: assign another evaluator."
            )
    return reasons
