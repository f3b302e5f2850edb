"""Writing and reading the audit log through the database session.

`record(...)` adds an event to the current transaction, so the event and the change it
describes are committed together or not at all. The caller commits. Each event is sealed with
the audit key (`AUDIT_HMAC_KEY`, held outside the database) and moves the signed head
(`audit_head`), so `verify_log` catches a changed, rewritten, shortened or emptied log.

Two writers cannot both extend the chain from the same head: `seq` is unique (the second commit
fails and nothing of its change is kept), and on PostgreSQL a transaction-scoped advisory lock
makes the second writer wait for the first instead.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app

from webapp.audit.chain import (
    GENESIS,
    Anchor,
    Break,
    ChainedEvent,
    digest,
    event_hash,
    head_seal_of,
    seal_of,
    verify,
    verify_anchor,
)
from webapp.audit.people import actor_ref
from webapp.audit.tables import HEAD_ID, AuditHead
from webapp.clock import now
from webapp.extensions import db
from webapp.models import AuditEvent, Bid, CommissioningRound, User

__all__ = [
    "ACTIONS",
    "EventPage",
    "VerifyReport",
    "actor_text",
    "audit_key",
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
    "bid.reopened": "Submitted bid changed (changes not submitted)",
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
    "person.exported": "Personal data exported (subject access)",
    "person.erased": "Personal data erased",
}
"""Every action the log records, with the words a person reads on the round's events page."""


def actor_text(user: User | None) -> str:
    """How a person is shown: name, email and role (never stored in an event)."""
    if user is None:
        return "system"
    return f"{user.name} <{user.email}> ({user.role})"


def audit_key() -> bytes:
    """The key every event is signed with, from the app's settings (RuntimeError if unset)."""
    key = current_app.config.get("AUDIT_HMAC_KEY")
    if not key:
        raise RuntimeError("AUDIT_HMAC_KEY is not set: the audit log cannot be signed or checked")
    return str(key).encode("utf-8")


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
    The actor is kept by id and role, not by name: a summary names people with
    `webapp.audit.people.person`, never with their name or email.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; add it to ACTIONS")
    return _append(
        # The database keeps microseconds at most; hash exactly what will be read back.
        occurred_at=now(),
        actor_id=actor.id if actor is not None else None,
        actor=actor_ref(actor),
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
            if name not in {"seq", "prev_hash", "hash", "seal"}
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
    key = audit_key()
    event.seal = seal_of(key, event.hash)
    session.add(event)
    session.flush()
    _move_head(key, event)
    return event


def _move_head(key: bytes, event: AuditEvent) -> None:
    head = db.session.get(AuditHead, HEAD_ID)
    if head is None:  # the migration creates it; only a hand-built schema lacks it
        head = AuditHead(id=HEAD_ID)
        db.session.add(head)
    if head.sealed_from is None:
        head.sealed_from = event.seq
    head.seq, head.hash, head.updated_at = event.seq, event.hash, event.occurred_at
    head.seal = head_seal_of(key, head.seq, head.hash, head.sealed_from)
    db.session.flush()


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
    """Check the whole stored chain from the first event, its seals and its signed head, and
    that `anchor` is still in it. An empty log fails while the database holds rounds or bids."""
    key = audit_key()
    head_row = db.session.get(AuditHead, HEAD_ID)
    sealed_from = head_row.sealed_from if head_row is not None else None
    in_order = sa.select(*_CHAINED_COLUMNS).order_by(AuditEvent.seq)
    checked, broken = _verified(
        in_order, lambda events: verify(events, key=key, sealed_from=sealed_from)
    )
    last = db.session.execute(
        sa.select(AuditEvent.seq, AuditEvent.hash, AuditEvent.seal)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    if broken is None:
        broken = _head_problem(key, head_row, last)
    if broken is None and last is None:
        broken = _empty_problem()
    if broken is None and anchor is not None:
        at_anchor = sa.select(*_CHAINED_COLUMNS).where(AuditEvent.seq == anchor.seq)
        broken = _verified(at_anchor, lambda events: verify_anchor(events, anchor))
    return VerifyReport(checked, broken, Anchor(last.seq, last.hash) if last else None)


def _head_problem(key: bytes, head: AuditHead | None, last: sa.Row[Any] | None) -> Break | None:
    """What is wrong between the signed head and the last stored event, if anything."""
    last_seq = last.seq if last is not None else 0
    if head is None:
        if last is None:
            return None
        return Break(
            last_seq, "the signed head of the log is missing: events may have been cut off"
        )
    if head.seal is None:
        # Nothing has been signed since the migration: only a head noted earlier can tell.
        if head.sealed_from is not None or (last is not None and last.seal is not None):
            return Break(last_seq, "the head of the log is not signed, though its events are")
        if head.seq > last_seq:
            return _cut_short(head.seq, last_seq)
        return None
    if not hmac.compare_digest(head.seal, head_seal_of(key, head.seq, head.hash, head.sealed_from)):
        return Break(
            head.seq,
            "the signed head of the log does not match its signature: it was changed by "
            "someone without the audit key",
        )
    if head.seq > last_seq:
        return _cut_short(head.seq, last_seq)
    if head.seq < last_seq:
        return Break(
            head.seq + 1,
            f"it comes after the signed head (event {head.seq}): it was added without the "
            "audit key",
        )
    if last is not None and head.hash != last.hash:
        return Break(head.seq, "its hash is not the one the signed head records")
    return None


def _cut_short(head_seq: int, last_seq: int) -> Break:
    ends = f"it ends at event {last_seq}" if last_seq else "it is empty"
    return Break(
        last_seq + 1,
        f"it is missing: the signed head says the log runs to event {head_seq}, but {ends}",
    )


def _empty_problem() -> Break | None:
    """An empty log is only right for a database that holds no rounds and no bids."""
    rounds = db.session.scalar(sa.select(sa.func.count(CommissioningRound.id))) or 0
    bids = db.session.scalar(sa.select(sa.func.count(Bid.id))) or 0
    if not rounds and not bids:
        return None
    return Break(
        1,
        f"it is missing: the log is empty, but the database holds {rounds} round(s) and "
        f"{bids} bid(s), whose changes it should record",
    )
