"""Audit events about a bid that its service records in passing."""

from __future__ import annotations

from webapp.audit.chain import digest
from webapp.audit.log import record
from webapp.audit.snapshots import bid_snapshot
from webapp.models import Bid, User


def record_reopened(user: User, bid: Bid) -> None:
    """A submitted bid now has changes that are not submitted: it is open again (the caller
    commits). The submitted answers still count; the event keeps the changes' digest."""
    before = bid_snapshot(bid)
    after = {**before, "changes_pending": True, "draft_answers_digest": digest(bid.draft_answers)}
    record(
        "bid.reopened",
        actor=user,
        subject=f"bid:{bid.id}",
        summary=f"Bid {bid.reference} of {bid.organisation.name} changed after it was "
        "submitted; the submitted bid counts until it is submitted again",
        round_=bid.round,
        before=before,
        after=after,
    )
