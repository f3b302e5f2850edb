"""Submitting a bid: once, in time, judged by when the server received it.

The deadline is judged by `clock.received_at()` (when the request reached the server, or a
trusted proxy's stamp), so a provider who pressed *Submit* in time is in time even when the
request queued behind hundreds of others. The check and the write are one transaction: it
starts by taking the write lock (PostgreSQL: `SELECT ... FOR UPDATE` of the bid and `FOR SHARE`
of its round; SQLite: `BEGIN IMMEDIATE`), then reads the bid and its deadline afresh, so a
concurrent submission of the same bid, or a change of the deadline, waits for it or is seen.

A check page carries the bid `version` it was opened with, and a submission records it
(`Bid.submitted_from_version`). Posting a page of that version again while nothing has changed
since (a double click, a second tab opened at the same moment, a retried request) stores
nothing and shows the receipt (`AlreadySubmittedError`). A page of any other version is stale
(`StaleBidError`): a replayed old form never submits.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from webapp.audit.log import record
from webapp.audit.people import person
from webapp.audit.snapshots import bid_snapshot
from webapp.clock import now, received_at
from webapp.extensions import db
from webapp.models import Bid, BidStatus, CommissioningRound, User
from webapp.services.bids import (
    SUBMIT_CONFLICT_MESSAGE,
    BidError,
    StaleBidError,
    bid_for,
    changes_pending,
    check_deadline,
    is_complete,
    latest_document_ids,
    working_answers,
)

__all__ = ["ALREADY_SUBMITTED_MESSAGE", "AlreadySubmittedError", "submit_bid"]

ALREADY_SUBMITTED_MESSAGE = (
    "Your bid had already been submitted: this is its receipt. It was submitted once."
)


class AlreadySubmittedError(BidError):
    """The posted page was submitted already and the bid is unchanged since: nothing stored."""


def lock_bid(bid_id: int) -> Bid:
    """Start the write transaction for the bid and read it, and its round, afresh within it.

    PostgreSQL locks the bid row (FOR UPDATE) and its round (FOR SHARE) until commit or
    rollback; SQLite takes the database's write lock at once (BEGIN IMMEDIATE), so writers
    queue here rather than failing later. The caller must commit or roll back.
    """
    session = db.session
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:  # type: ignore[attr-defined]
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    fresh = {"populate_existing": True}
    bid = session.scalars(
        sa.select(Bid).where(Bid.id == bid_id).with_for_update().execution_options(**fresh)
    ).one()
    session.scalars(
        sa.select(CommissioningRound)
        .where(CommissioningRound.id == bid.round_id)
        .with_for_update(read=True)
        .execution_options(**fresh)
    ).one()
    return bid


def _already_submitted_from(bid: Bid, version: int | None) -> bool:
    """True when a page of `version` shows the bid as it stands submitted: the page the
    submission was posted from (nothing changed since), or one opened after it."""
    if bid.status != BidStatus.SUBMITTED.value or changes_pending(bid) or version is None:
        return False
    if version == bid.version:
        return True
    # Submitting writes the bid once, so its version counter moved on by exactly one.
    posted_from = bid.submitted_from_version
    return posted_from is not None and version == posted_from and bid.version == posted_from + 1


def _next_reference(bid: Bid) -> str:
    """`<round reference>-B<bid id>-<n>`, n counting this bid's submissions."""
    previous = bid.reference.rsplit("-", 1)[-1] if bid.reference else "0"
    count = int(previous) + 1 if previous.isdigit() else 1
    return f"{bid.round.reference}-B{bid.id}-{count}"


def submit_bid(
    user: User,
    bid: Bid,
    *,
    full_name: str,
    confirmed: bool,
    expected_version: int | None,
    received: datetime | None = None,
) -> Bid:
    """Submit the bid with the declaration: its working answers and documents become the ones
    that count, and `received` (default: when the request reached the server) is kept as the
    time it was received.

    Raises AlreadySubmittedError (this page was submitted already: nothing stored),
    DeadlinePassedError (received at or after the deadline: nothing changed, the draft kept),
    StaleBidError (changed since the page was opened) or BidError (not ready)."""
    moment = received or received_at()
    bid = bid_for(user, bid.id)  # authorisation first: another organisation's bid is not found
    try:
        bid = lock_bid(bid.id)
        if _already_submitted_from(bid, expected_version):
            raise AlreadySubmittedError(ALREADY_SUBMITTED_MESSAGE)
        check_deadline(bid, "Your bid was not submitted. Your draft has been kept.", moment)
        if expected_version is None or expected_version != bid.version:
            raise StaleBidError(SUBMIT_CONFLICT_MESSAGE)
        if not confirmed or not full_name.strip():
            raise BidError("Confirm the declaration and enter your full name to submit your bid.")
        if not is_complete(bid):
            raise BidError("Complete every section before you submit your bid.")
        _write_submission(user, bid, full_name=full_name, version=expected_version, at=moment)
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise StaleBidError(SUBMIT_CONFLICT_MESSAGE) from error
    except BaseException:
        db.session.rollback()  # ends the transaction, so the lock is released
        raise
    return bid


def _write_submission(user: User, bid: Bid, *, full_name: str, version: int, at: datetime) -> None:
    before = bid_snapshot(bid)
    previous = bid.reference
    bid.answers = working_answers(bid)
    bid.draft_answers = None
    bid.submitted_attachments = latest_document_ids(bid)
    bid.changes_reminded_at = None
    bid.status = BidStatus.SUBMITTED.value
    bid.reference = _next_reference(bid)
    bid.declaration_name = full_name.strip()
    bid.submitted_at = now()
    bid.submitted_received_at = at
    bid.submitted_from_version = version
    bid.withdrawn_at = None
    replaces = f", replacing {previous}" if previous else ""
    record(
        "bid.submitted",
        actor=user,
        subject=f"bid:{bid.id}",
        summary=f"Bid {bid.reference} submitted by {bid.organisation.name}, "
        f"declaration signed by {person(user)}{replaces}",
        round_=bid.round,
        before=before,
        after=bid_snapshot(bid),
    )
