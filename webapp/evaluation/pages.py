"""What the evaluator pages show, as plain rows for the templates.

Nothing here changes anything. Names are shown only when the round does not anonymise
bidders, and price answers only when it does not hide price from evaluators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from criteria.model import Criterion, Section
from webapp.forms.builder import visible_criteria
from webapp.forms.summary import answer_html
from webapp.models import Bid, CommissioningRound, MarkSheetStatus, User
from webapp.services import evaluation
from webapp.services.award import AwardStage, award_stage
from webapp.services.bids import attachments_of
from webapp.services.rounds import is_sealed, round_framework

NOT_STARTED = "Not started"
IN_PROGRESS = "In progress"
SUBMITTED = "Submitted"
REMOVED = "Removed: conflict declared"


def round_todo(round_: CommissioningRound, user: User) -> str:
    """What the evaluator still has to do in the round, in a few words."""
    if is_sealed(round_):
        return "Nothing yet: bids are sealed until the deadline"
    stage = award_stage(round_)
    if stage in (AwardStage.WITH_BOARD, AwardStage.AWARDED):
        return f"Nothing: marking has closed ({stage.label.lower()})"
    if not evaluation.conflicts_declared(round_, user):
        return "Declare conflicts of interest"
    assigned = evaluation.assignment(round_, user)
    if assigned is None:
        return "Nothing"
    progress = evaluation.progress_of(round_, assigned)
    remaining = progress.expected - progress.submitted
    if remaining <= 0:
        return "Done"
    return f"Mark {remaining} bid" + ("" if remaining == 1 else "s")


def bid_status(round_: CommissioningRound, user: User, bid: Bid) -> str:
    if evaluation.has_conflict(round_, user, bid):
        return REMOVED
    sheet = evaluation.sheet_for(round_, user, bid)
    if sheet is None or not sheet.marks:
        return NOT_STARTED
    if sheet.status == MarkSheetStatus.SUBMITTED.value:
        return SUBMITTED
    return IN_PROGRESS


@dataclass(frozen=True)
class MarkingBid:
    """One bid on "Your marking": where the evaluator's marks are, and the link to act."""

    label: str
    status: str
    action: str | None
    href: str | None


@dataclass(frozen=True)
class MarkingRound:
    """One assigned round on "Your marking"."""

    round: CommissioningRound
    todo: str
    declaration_due: bool
    bids: list[MarkingBid]

    @property
    def needs_action(self) -> bool:
        waiting = (NOT_STARTED, IN_PROGRESS)
        return self.declaration_due or any(b.status in waiting for b in self.bids)

    def count(self, status: str) -> int:
        return sum(b.status == status for b in self.bids)


_ACTIONS = {
    NOT_STARTED: ("Start marking", "evaluation.bid"),
    IN_PROGRESS: ("Continue marking", "evaluation.check"),
    SUBMITTED: ("See all evaluators' marks", "evaluation.panel"),
}


def _marking_bid(round_: CommissioningRound, user: User, bid: Bid, *, open_: bool) -> MarkingBid:
    status = bid_status(round_, user, bid)
    action, endpoint = _ACTIONS.get(status, (None, None))
    if endpoint is None or (not open_ and status != SUBMITTED):
        return MarkingBid(evaluation.bid_label(round_, bid), status, None, None)
    href = url_for(endpoint, id=round_.id, bid_id=bid.id)
    return MarkingBid(evaluation.bid_label(round_, bid), status, action, href)


def marking_round(round_: CommissioningRound, user: User) -> MarkingRound:
    """What the evaluator has to do in one assigned round, from the stored declarations and
    mark sheets: a declaration due, or each bid's marks not started, in progress or submitted."""
    todo = round_todo(round_, user)
    if is_sealed(round_):
        return MarkingRound(round_, todo, declaration_due=False, bids=[])
    open_ = award_stage(round_) == AwardStage.EVALUATING
    if not evaluation.conflicts_declared(round_, user):
        return MarkingRound(round_, todo, declaration_due=open_, bids=[])
    bids = [
        _marking_bid(round_, user, bid, open_=open_) for bid in evaluation.evaluation_bids(round_)
    ]
    return MarkingRound(round_, todo, declaration_due=False, bids=bids)


def your_marking(user: User) -> list[MarkingRound]:
    """Every round `user` is assigned to, those with something to do first."""
    rounds = [marking_round(r, user) for r in evaluation.assigned_rounds(user)]
    return sorted(rounds, key=lambda r: not r.needs_action)


def _attached(round_: CommissioningRound, bid: Bid) -> dict[str, str]:
    """Document names, or just "Document attached" when a file name could name the bidder."""
    names = attachments_of(bid)
    if round_.anonymise_bidders:
        return dict.fromkeys(names, "Document attached")
    return names


def criterion_answer(round_: CommissioningRound, bid: Bid, criterion: Criterion) -> dict[str, Any]:
    """The bid's answer to one criterion, and the document attached to it, if any."""
    attached = _attached(round_, bid)
    return {
        "html": answer_html(criterion, (bid.answers or {}).get(criterion.id)),
        "document": attached.get(criterion.id) if criterion.evidence else None,
    }


@dataclass(frozen=True)
class AnswerSection:
    section: Section
    rows: list[dict[str, Any]]


def answer_sections(
    round_: CommissioningRound, bid: Bid, *, exclude: set[str]
) -> list[AnswerSection]:
    """The bid's other answers, read only, by section; price left out when the round hides it."""
    framework = round_framework(round_)
    hidden = set(exclude)
    if round_.hide_price_from_evaluators:
        hidden |= evaluation.price_criteria(framework)
    answers = bid.answers or {}
    attached = _attached(round_, bid)
    found = []
    for section in framework.sections:
        rows = []
        for criterion in visible_criteria(framework, section, answers):
            if criterion.id in hidden:
                continue
            rows.append(
                {
                    "key": {"text": criterion.prompt},
                    "value": {"html": answer_html(criterion, answers.get(criterion.id))},
                }
            )
            if criterion.evidence is not None:
                rows.append(
                    {
                        "key": {"text": "Supporting document"},
                        "value": {"text": attached.get(criterion.id, "None attached")},
                    }
                )
        if rows:
            found.append(AnswerSection(section, rows))
    return found


def _mark_text(round_: CommissioningRound, criterion: Criterion, points: int) -> str:
    scale = evaluation.criterion_scale(round_framework(round_), criterion)
    point = scale.point(points)
    return f"{points}: {point.label}" if point else str(points)


def mark_rows(
    round_: CommissioningRound, user: User, bid: Bid, *, editable: bool
) -> list[dict[str, Any]]:
    """Summary list rows of the evaluator's marks for "Check your marks"."""
    sheet = evaluation.sheet_for(round_, user, bid)
    marks = {m.criterion_id: m for m in sheet.marks} if sheet else {}
    rows = []
    for criterion in evaluation.criteria_for(round_, user):
        mark = marks.get(criterion.id)
        if mark is None:
            value: dict[str, Any] = {"text": "Not marked"}
        else:
            value = {
                "html": Markup("<strong>{}</strong><br>{}").format(
                    _mark_text(round_, criterion, mark.points),
                    Markup("<br>").join(escape(line) for line in mark.justification.splitlines()),
                )
            }
        row: dict[str, Any] = {"key": {"text": criterion.prompt}, "value": value}
        if editable:
            href = url_for(
                "evaluation.criterion", id=round_.id, bid_id=bid.id, criterion_id=criterion.id
            )
            row["actions"] = {
                "items": [
                    {
                        "href": href,
                        "text": "Change" if mark else "Mark",
                        "visuallyHiddenText": criterion.prompt,
                    }
                ]
            }
        rows.append(row)
    return rows


@dataclass(frozen=True)
class PanelRow:
    evaluator: str
    is_viewer: bool
    mark: str
    justification: str


@dataclass(frozen=True)
class PanelTable:
    criterion: Criterion
    rows: list[PanelRow]
    spread: int | None
    wide: bool


def panel_tables(round_: CommissioningRound, viewer: User, bid: Bid) -> list[PanelTable]:
    """Every counted evaluator's submitted mark per criterion, side by side, with the spread."""
    sheets = evaluation.panel_sheets(round_, bid)
    tables = []
    for criterion in evaluation.criteria_for(round_, viewer):
        rows = []
        points = []
        for sheet in sheets:
            mark = next((m for m in sheet.marks if m.criterion_id == criterion.id), None)
            if mark is None:
                continue
            points.append(mark.points)
            rows.append(
                PanelRow(
                    evaluator=sheet.evaluator.name,
                    is_viewer=sheet.evaluator_id == viewer.id,
                    mark=_mark_text(round_, criterion, mark.points),
                    justification=mark.justification,
                )
            )
        spread = max(points) - min(points) if points else None
        wide = spread is not None and spread >= round_.spread_threshold
        tables.append(PanelTable(criterion, rows, spread, wide))
    return tables
