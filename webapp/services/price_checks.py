"""Price checks (Procurement Act 2023 s.19): asking about a flagged price, and deciding on it.

The engine flags a bid whose price is abnormally low, or too low to fund the pay it promises.
A flag never changes a score by itself: the commissioner must first ask the provider to
explain the price, may read the answer, and then records one final decision with a reason:
*accept* keeps the bid in the ranking, *disregard* excludes it (`round_inputs` reads decided
checks and the engine applies them). Providers see the decision only once the board approves.

One `PriceCheck` row per flag of a bid holds the question, the answer and the decision.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from criteria.judging import FLAG_TITLES
from criteria.model import Framework
from criteria.result import Exclusion, Flag
from criteria.wording import plain
from webapp.audit.log import record
from webapp.clock import london_text, now
from webapp.extensions import db
from webapp.links import email_link
from webapp.mail import send_mail
from webapp.models import (
    Bid,
    CommissioningRound,
    Organisation,
    PriceCheck,
    PriceCheckStatus,
    Role,
    User,
)
from webapp.services.award import AwardStage, award_stage, ensure_evaluation_open
from webapp.services.results import round_inputs, round_result

__all__ = [
    "DECIDERS",
    "Decision",
    "PriceCheckError",
    "PriceCheckNotAllowedError",
    "PriceCheckNotFoundError",
    "PriceCheckRefusedError",
    "PriceCheckRow",
    "answer",
    "ask",
    "ask_refusal",
    "decide",
    "decide_refusal",
    "decided_text",
    "default_question",
    "open_questions_for",
    "price_check_row",
    "price_check_rows",
    "undecided_price_checks",
]

DECIDERS = (Role.ADMIN, Role.COMMISSIONER)
OTHER_EXCLUSIONS = ("gate", "threshold")
"""Exclusions that stand whatever the price decision: a failed gate or a missed minimum."""


class Decision(enum.StrEnum):
    ACCEPT = "accept"
    DISREGARD = "disregard"


class PriceCheckNotAllowedError(Exception):
    """The user's role does not allow this step of a price check."""


class PriceCheckNotFoundError(Exception):
    """No such flag on a bid of the round, or a check the user may not know of."""


class PriceCheckRefusedError(Exception):
    """The step cannot be taken as the check stands (already answered, decided, ...)."""


class PriceCheckError(Exception):
    """What was entered cannot be used; the message says what to do, for a person."""


@dataclass(frozen=True)
class PriceCheckRow:
    """One flag the engine raised on one bid, and what has been done about it."""

    bid: Bid
    flag: Flag
    check: PriceCheck | None
    other_exclusions: tuple[Exclusion, ...]
    """A failed gate or missed minimum that excludes the bid whatever the price decision."""
    framework: Framework | None = None
    """The round's framework, whose parameter labels word the reasons."""

    @property
    def code(self) -> str:
        return self.flag.code

    @property
    def reason(self) -> str:
        """Why the engine flagged the price, with its parameters in words."""
        return plain(self.flag.reason, self.framework)

    @property
    def other_reasons(self) -> list[str]:
        return [plain(e.reason, self.framework) for e in self.other_exclusions]

    @property
    def title(self) -> str:
        return FLAG_TITLES[self.flag.code]

    @property
    def status(self) -> PriceCheckStatus:
        return PriceCheckStatus(self.check.status) if self.check else PriceCheckStatus.OPEN

    @property
    def decided(self) -> bool:
        return self.status == PriceCheckStatus.DECIDED

    @property
    def excluded_otherwise(self) -> bool:
        return bool(self.other_exclusions)

    @property
    def needs_decision(self) -> bool:
        """Undecided on a bid that could otherwise win (an excluded bid needs none)."""
        return not self.decided and not self.excluded_otherwise

    @property
    def status_text(self) -> str:
        check = self.check
        if check is None or self.status == PriceCheckStatus.OPEN:
            return "Not asked"
        if self.status == PriceCheckStatus.ASKED and check.asked_at:
            return f"Asked on {london_text(check.asked_at)}"
        if self.status == PriceCheckStatus.ANSWERED and check.responded_at:
            return f"Answered on {london_text(check.responded_at)}"
        return "Accepted" if check.decision == Decision.ACCEPT.value else "Disregarded"


def _checks_of(round_: CommissioningRound) -> dict[tuple[int, str], PriceCheck]:
    query = sa.select(PriceCheck).where(PriceCheck.round_id == round_.id)
    return {(c.bid_id, c.flag_code): c for c in db.session.scalars(query)}


def price_check_rows(round_: CommissioningRound) -> list[PriceCheckRow]:
    """Every flag on the round's bids, by bid reference, in the engine's order within a bid."""
    inputs = round_inputs(round_)
    result = round_result(inputs)
    checks = _checks_of(round_)
    rows = []
    for bid_result in sorted(result.bids, key=lambda b: b.bid_id):
        bid = inputs.row_of(bid_result.bid_id)
        other = tuple(e for e in bid_result.exclusions if e.kind in OTHER_EXCLUSIONS)
        for flag in bid_result.flags:
            check = checks.get((bid.id, flag.code))
            rows.append(PriceCheckRow(bid, flag, check, other, inputs.framework))
    return rows


def price_check_row(round_: CommissioningRound, bid_id: int, flag_code: str) -> PriceCheckRow:
    """The row for one flag of one bid; PriceCheckNotFoundError when the bid has no such flag."""
    for row in price_check_rows(round_):
        if row.bid.id == bid_id and row.code == flag_code:
            return row
    raise PriceCheckNotFoundError(f"bid {bid_id} has no {flag_code!r} flag in this round")


def undecided_price_checks(round_: CommissioningRound) -> list[str]:
    """A reason for each flag still needing a decision; empty when all are decided."""
    return [
        f"Bid {row.bid.reference} ({row.bid.organisation.name}): {row.title.lower()} needs a "
        f"decision ({row.status_text.lower()})"
        for row in price_check_rows(round_)
        if row.needs_decision
    ]


def default_question(row: PriceCheckRow) -> str:
    """A question the commissioner can send as it is, quoting the engine's reason."""
    return (
        f"Your bid {row.bid.reference} has been flagged: {row.title.lower()}.\n\n"
        f"{row.reason}\n\n"
        "Under section 19 of the Procurement Act 2023 we must ask you to explain before we "
        "decide whether to disregard the tender. Please show how you will deliver the service "
        "at this price, including the pay you promise, travel time, mileage and on-costs, with "
        "a breakdown of your hourly rate."
    )


def open_questions_for(organisation: Organisation) -> list[PriceCheck]:
    """Questions the council has asked the organisation that it has not yet answered."""
    query = (
        sa.select(PriceCheck)
        .join(Bid, PriceCheck.bid_id == Bid.id)
        .where(
            Bid.organisation_id == organisation.id,
            PriceCheck.status == PriceCheckStatus.ASKED.value,
        )
        .order_by(PriceCheck.asked_at, PriceCheck.id)
    )
    return list(db.session.scalars(query))


def _snapshot(check: PriceCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {
        "bid_id": check.bid_id,
        "flag_code": check.flag_code,
        "status": check.status,
        "question": check.question,
        "response": check.response,
        "decision": check.decision,
        "decision_reason": check.decision_reason,
    }


def _required(text: str | None, message: str) -> str:
    value = (text or "").strip()
    if not value:
        raise PriceCheckError(message)
    return value


# --- asking ---------------------------------------------------------------------------------


def ask_refusal(check: PriceCheck | None) -> str | None:
    """Why the provider cannot be asked (again), for people; None when it can."""
    if check is not None and check.status == PriceCheckStatus.ANSWERED.value:
        return "The provider has already answered this question. Record your decision instead."
    if check is not None and check.status == PriceCheckStatus.DECIDED.value:
        return decided_text(check)
    return None


def ask(
    round_: CommissioningRound, bid: Bid, flag_code: str, question: str, *, by: User
) -> PriceCheck:
    """Ask the provider to explain a flagged price (or send the question again before it
    answers); email the provider's users. Commits."""
    if not by.has_role(*DECIDERS):
        raise PriceCheckNotAllowedError(f"{by.role} users cannot ask about prices")
    ensure_evaluation_open(round_)
    row = price_check_row(round_, bid.id, flag_code)
    text = _required(question, "Enter the question for the provider")
    check = row.check
    refusal = ask_refusal(check)
    if refusal:
        raise PriceCheckRefusedError(refusal)
    before = _snapshot(check)
    if check is None:
        check = PriceCheck(round_id=round_.id, bid_id=bid.id, flag_code=flag_code)
        db.session.add(check)
    check.status = PriceCheckStatus.ASKED.value
    check.question = text
    check.asked_by_id = by.id
    check.asked_at = now()
    db.session.flush()
    record(
        "price_check.asked",
        actor=by,
        subject=f"price_check:{check.id}",
        summary=f"Asked {bid.organisation.name} ({bid.reference}) to explain its price: "
        f"{row.title.lower()}",
        round_=round_,
        before=before,
        after=_snapshot(check),
    )
    db.session.commit()
    _email_provider(check, row.title)
    return check


def _email_provider(check: PriceCheck, title: str) -> None:
    bid = check.bid
    link = email_link("provider.price_check", bid_id=bid.id, check_id=check.id)
    for user in bid.organisation.active_provider_users:
        send_mail(
            user.email,
            f"Please explain your price: {bid.round.reference} {bid.round.title}",
            f"Dear {user.name},\n\n"
            f"The council has a question about the price in your bid {bid.reference} "
            f"({title.lower()}). Read the question and answer it here:\n\n{link}\n",
        )


# --- answering ------------------------------------------------------------------------------


def answer(check: PriceCheck, response: str, *, by: User) -> PriceCheck:
    """The provider's answer to the council's question. Commits."""
    bid = check.bid
    if not by.has_role(Role.PROVIDER) or by.organisation_id != bid.organisation_id:
        raise PriceCheckNotFoundError(f"price check {check.id}")
    if check.status == PriceCheckStatus.OPEN.value:
        raise PriceCheckNotFoundError(f"price check {check.id} has no question yet")
    if check.status != PriceCheckStatus.ASKED.value:
        raise PriceCheckRefusedError(
            "This question has already been answered or closed: you cannot change the answer."
        )
    if award_stage(bid.round) != AwardStage.EVALUATING:
        raise PriceCheckRefusedError(
            "The council has finished evaluating this round, so it no longer takes answers."
        )
    text = _required(response, "Enter your answer to the council’s question")
    before = _snapshot(check)
    check.status = PriceCheckStatus.ANSWERED.value
    check.response = text
    check.responded_by_id = by.id
    check.responded_at = now()
    record(
        "price_check.answered",
        actor=by,
        subject=f"price_check:{check.id}",
        summary=f"{bid.organisation.name} answered the price question on {bid.reference}",
        round_=bid.round,
        before=before,
        after=_snapshot(check),
    )
    db.session.commit()
    _email_asker(check)
    return check


def _email_asker(check: PriceCheck) -> None:
    asker = db.session.get(User, check.asked_by_id) if check.asked_by_id else None
    if asker is None or not asker.is_active:
        return
    bid = check.bid
    link = email_link(
        "commissioning.price_check", id=bid.round_id, bid_id=bid.id, flag_code=check.flag_code
    )
    send_mail(
        asker.email,
        f"Price question answered: {bid.reference}",
        f"Dear {asker.name},\n\n{bid.organisation.name} has answered your question about the "
        f"price in bid {bid.reference}. Read the answer and record your decision:\n\n{link}\n",
    )


# --- deciding -------------------------------------------------------------------------------


def decide_refusal(check: PriceCheck | None) -> str | None:
    """Why no decision can be recorded now, for people; None when one can."""
    if check is None or check.status == PriceCheckStatus.OPEN.value:
        return (
            "Ask the provider to explain the price before recording a decision: the "
            "Procurement Act 2023 (section 19) requires it."
        )
    if check.status == PriceCheckStatus.DECIDED.value:
        return decided_text(check)
    return None


def decided_text(check: PriceCheck) -> str:
    when = london_text(check.decided_at) if check.decided_at else "earlier"
    word = "accepted" if check.decision == Decision.ACCEPT.value else "disregarded"
    return (
        f"A decision has already been recorded: the price was {word} on {when}. "
        "A price decision is final."
    )


def decide(
    round_: CommissioningRound,
    bid: Bid,
    flag_code: str,
    decision: Decision,
    reason: str,
    *,
    by: User,
) -> PriceCheck:
    """Record the one, final decision on a flagged price, once the provider has been asked.

    A decision before the provider answers is allowed, and its recorded reason says so.
    Of two decisions sent at once, exactly one is kept. Commits.
    """
    if not by.has_role(*DECIDERS):
        raise PriceCheckNotAllowedError(f"{by.role} users cannot decide on prices")
    ensure_evaluation_open(round_)
    row = price_check_row(round_, bid.id, flag_code)
    check = row.check
    refusal = decide_refusal(check)
    if refusal or check is None:
        raise PriceCheckRefusedError(refusal or "")
    text = _required(reason, "Enter the reason for your decision")
    if check.status == PriceCheckStatus.ASKED.value:
        asked = london_text(check.asked_at) if check.asked_at else "earlier"
        text = f"Decided without an answer from the provider, who was asked on {asked}. {text}"
    before = _snapshot(check)
    updated = db.session.execute(
        sa.update(PriceCheck)
        .where(PriceCheck.id == check.id, PriceCheck.status != PriceCheckStatus.DECIDED.value)
        .values(
            status=PriceCheckStatus.DECIDED.value,
            decision=Decision(decision).value,
            decision_reason=text,
            decided_by_id=by.id,
            decided_at=now(),
        )
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        db.session.rollback()
        db.session.refresh(check)
        raise PriceCheckRefusedError(decided_text(check))
    db.session.refresh(check)
    word = "accepted" if check.decision == Decision.ACCEPT.value else "disregarded"
    record(
        "price_check.decided",
        actor=by,
        subject=f"price_check:{check.id}",
        summary=f"Price of {bid.organisation.name} ({bid.reference}) {word} after a price "
        f"check: {row.title.lower()}",
        round_=round_,
        before=before,
        after=_snapshot(check),
    )
    db.session.commit()
    return check
