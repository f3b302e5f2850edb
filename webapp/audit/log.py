"""Writing and reading the audit log through the database session.

`record(...)` adds an event to the current transaction, so the event and the change it
describes are committed together or not at all. The caller commits. Two writers cannot both
extend the chain from the same head: `seq` is unique (the second commit fails and nothing of
its change is kept), and on PostgreSQL a transaction-scoped advisory lock makes the second
writer wait for the first instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from webapp.audit.chain import GENESIS, Break, ChainedEvent, digest, event_hash, verify
from webapp.clock import now
from webapp.extensions import db
from webapp.models import AuditEvent, CommissioningRound, User

__all__ = ["ACTIONS", "VerifyReport", "actor_text", "record", "round_events", "verify_log"]

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
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
    head = session.execute(
        sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (head.seq + 1, head.hash) if head else (1, GENESIS)
    chained = ChainedEvent(
        seq=seq,
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
        prev_hash=prev_hash,
    )
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
class VerifyReport:
    checked: int
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _stored_events(batch: int = 1000) -> Iterator[ChainedEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    for row in db.session.scalars(query):
        yield ChainedEvent.of(row)


def verify_log() -> VerifyReport:
    """Check the whole stored chain from the first event."""
    checked, broken = verify(_stored_events())
    return VerifyReport(checked, broken)
