"""Writing and reading the audit log through the database session.

`record(...)` adds an event to the current transaction, so the event and the change it
describes are committed together or not at all. The caller commits. Two writers cannot both
extend the chain from the same head: `seq` is unique (the second commit fails and nothing of
its change is kept), and on PostgreSQL a transaction-scoped advisory lock makes the second
writer wait for the first instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

from webapp.audit.chain import (
    GENESIS,
    Anchor,
    Break,
    ChainedEvent,
    digest,
    event_hash,
    verify,
    verify_anchor,
)
from webapp.clock import now
from webapp.extensions import db
from webapp.models import AuditEvent, CommissioningRound, User

__all__ = [
    "ACTIONS",
    "EventPage",
    "VerifyReport",
    "actor_text",
    "record",
    "record_copy",
    "round_event_page",
    "round_events",
    "verify_log",
]

T = TypeVar("T")

ADVISORY_LOCK_KEY = 0x636F6D6D6F6E  # "common": any fixed number shared by every writer

ACTIONS: dict[str, str] = {
    "round.created": "Round created",
    "round.settings_changed": "Round settings changed",
    "round.invitations_changed": "Invitations changed",
    "round.published": "Round published",
    "round.evaluators_changed": "Evaluators assigned",
    "bid.submitted": "Bid submitted",
    "bid.withdrawn": "Bid withdrawn",
    "coi.declared": "Conflicts of interest declared",
    "marks.saved": "Marks saved (draft)",
    "marks.submitted": "Marks submitted",
    "moderation.recorded": "Moderated mark recorded",
    "price_check.asked": "Price clarification requested",
    "price_check.answered": "Price clarification answered",
    "price_check.decided": "Price decision recorded",
    "board.submitted": "Results submitted to the board",
    "board.decided": "Board decision recorded",
    "report.issued": "Report issued",
    "round.imported": "Round restored from an export",
}
"""Every action the log records, with the words a person reads on the round's events page."""


def actor_text(user: User | None) -> str:
    if user is None:
        return "system"
    return f"{user.name} <{user.email}> ({user.role})"


def record(
    action: str,
    *,
    actor: User | None,
    subject: str,
    summary: str,
    round_: CommissioningRound | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    """Append an event for a state change to the current transaction (the caller commits).

    `before` and `after` are JSON-like snapshots of what changed; only their digests are kept.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; add it to ACTIONS")
    return _append(
        # The database keeps microseconds at most; hash exactly what will be read back.
        occurred_at=now(),
        actor_id=actor.id if actor is not None else None,
        actor=actor_text(actor),
        action=action,
        round_id=round_.id if round_ is not None else None,
        subject=subject,
        summary=summary,
        before_digest=digest(before),
        after_digest=digest(after),
    )


def record_copy(event: ChainedEvent) -> AuditEvent:
    """Append an event recorded in another database, keeping everything but its place.

    The copy has its own number, previous hash and hash in this database's chain; when it
    happened, who did it, what and to which subject stay as they were. Restoring an exported
    round uses this, after checking each exported event against its own hash.
    """
    return _append(
        **{
            name: getattr(event, name)
            for name in ChainedEvent.__dataclass_fields__
            if name not in {"seq", "prev_hash", "hash"}
        }
    )


def _append(**fields: Any) -> AuditEvent:
    """Extend the chain from its head by one event made of `fields` (all but seq and links)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
    head = session.execute(
        sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (head.seq + 1, head.hash) if head else (1, GENESIS)
    chained = ChainedEvent(seq=seq, prev_hash=prev_hash, **fields)
    event = AuditEvent(
        **{name: getattr(chained, name) for name in ChainedEvent.__dataclass_fields__},
    )
    event.hash = event_hash(chained)
    session.add(event)
    session.flush()
    return event


def round_events(round_: CommissioningRound) -> list[AuditEvent]:
    """A round's events, oldest first."""
    query = sa.select(AuditEvent).where(AuditEvent.round_id == round_.id).order_by(AuditEvent.seq)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class EventPage:
    """One page of a round's events, newest first."""

    events: list[AuditEvent]
    number: int
    pages: int
    total: int
    per_page: int

    @property
    def first_position(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.events else 0

    @property
    def last_position(self) -> int:
        return self.first_position + len(self.events) - 1 if self.events else 0


def round_event_page(round_: CommissioningRound, number: int, per_page: int = 50) -> EventPage:
    """Page `number` (from 1) of the round's events, newest first. LookupError past the end."""
    where = AuditEvent.round_id == round_.id
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(where)) or 0
    pages = max(1, -(-total // per_page))
    if number < 1 or number > pages:
        raise LookupError(f"there is no page {number} of events; there are {pages}")
    query = (
        sa.select(AuditEvent)
        .where(where)
        .order_by(AuditEvent.seq.desc())
        .offset((number - 1) * per_page)
        .limit(per_page)
    )
    return EventPage(list(db.session.scalars(query)), number, pages, total, per_page)


@dataclass(frozen=True)
class VerifyReport:
    """What checking the log found: how many events, the first break, and the head."""

    checked: int
    broken: Break | None
    head: Anchor | None = None
    """The last event's number and hash, to note down and check against later."""

    @property
    def ok(self) -> bool:
        return self.broken is None


_CHAINED_COLUMNS = [getattr(AuditEvent, name) for name in ChainedEvent.__dataclass_fields__]
"""The stored columns a `ChainedEvent` is made of, in its field order."""


def _verified(query: sa.Select[Any], check: Callable[[Iterator[ChainedEvent]], T]) -> T:
    """Run `check` over the stored events `query` reads, a batch at a time.

    The result is closed even when `check` stops early (at a break), so PostgreSQL's
    server-side cursor is not left open.
    """
    rows = db.session.execute(query.execution_options(yield_per=1000))
    try:
        return check(ChainedEvent(*row) for row in rows)
    finally:
        rows.close()


def verify_log(anchor: Anchor | None = None) -> VerifyReport:
    """Check the whole stored chain from the first event, and that `anchor` is still in it."""
    in_order = sa.select(*_CHAINED_COLUMNS).order_by(AuditEvent.seq)
    checked, broken = _verified(in_order, verify)
    if broken is None and anchor is not None:
        at_anchor = sa.select(*_CHAINED_COLUMNS).where(AuditEvent.seq == anchor.seq)
        broken = _verified(at_anchor, lambda events: verify_anchor(events, anchor))
    head = db.session.execute(
        sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return VerifyReport(checked, broken, Anchor(head.seq, head.hash) if head else None)
