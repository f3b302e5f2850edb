"""What commissioners have to do next in each round, for the rounds page they start on.

Everything is worked out from stored state: a draft not yet published, a round with no
evaluators, and for a closed round the same readiness check the "Submit to the board" page
uses (marking, moderation, price checks, results), or the board's referral.

The list says how many things are outstanding, never the reasons themselves: those name
bidders, and the rounds page shows every round, open ones too, so it names no bidder at all.
The page each action links to lists the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from webapp.services.award import AwardStage, ReadinessStep, award_panel, readiness_by_step
from webapp.services.evaluation import assignments_of, evaluated_criteria
from webapp.services.round_admin import RoundRow, publish_refusal
from webapp.services.rounds import RoundState, round_framework

_STEPS: dict[ReadinessStep, tuple[str, str]] = {
    ReadinessStep.MARKING: ("Marking is not complete", "commissioning.evaluators"),
    ReadinessStep.MODERATION: ("Moderation needed", "commissioning.moderation"),
    ReadinessStep.PRICE_CHECKS: ("Price checks need a decision", "commissioning.price_checks"),
    ReadinessStep.RESULTS: ("The results are not ready", "commissioning.results"),
}


@dataclass(frozen=True)
class RoundAction:
    """One thing to do in a round: what, the page to do it on, and how many items are open."""

    text: str
    href: str
    outstanding: int = 0


@dataclass(frozen=True)
class RoundWork:
    row: RoundRow
    actions: list[RoundAction]


def _action(text: str, href: str, reasons: list[str] | None = None) -> RoundAction:
    return RoundAction(text, href, len(reasons or []))


def round_actions(row: RoundRow) -> list[RoundAction]:
    """What needs doing in the round now; empty when nothing is waiting on the commissioner."""
    round_ = row.round
    page = url_for("commissioning.round", id=round_.id)
    actions = []
    if row.state == RoundState.DRAFT:
        if publish_refusal(round_):
            actions.append(_action("Draft cannot be published as it stands: see why", page))
        else:
            href = url_for("commissioning.publish", id=round_.id)
            actions.append(_action("Draft not published: check it and publish it", href))
    if row.state != RoundState.CLOSED:
        if evaluated_criteria(round_framework(round_), None) and not assignments_of(round_):
            href = url_for("commissioning.evaluators", id=round_.id)
            actions.append(_action("No evaluators assigned yet", href))
        return actions
    panel = award_panel(round_)
    if panel.stage != AwardStage.EVALUATING:
        return actions
    if panel.referral is not None:
        href = f"{page}#board-referral"
        actions.append(_action("Referred back by the board: read its comments", href))
    steps = readiness_by_step(round_)
    if not steps:
        href = url_for("commissioning.submit_to_board", id=round_.id)
        actions.append(_action("Ready to submit to the board", href))
    for step, reasons in steps.items():
        if step not in _STEPS:
            continue
        text, endpoint = _STEPS[step]
        actions.append(_action(text, url_for(endpoint, id=round_.id), reasons))
    return actions


def rounds_needing_action(rows: list[RoundRow]) -> list[RoundWork]:
    """The rounds with something to do, in the order of `rows`."""
    work = [RoundWork(row, round_actions(row)) for row in rows]
    return [item for item in work if item.actions]
