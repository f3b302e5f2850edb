"""Deadline reminders: a provider whose submitted bid has changes not yet submitted is told,
by email, a day before the round closes.

`send_unsubmitted_changes_reminders` is run by a scheduler (cron or a systemd timer calling
`flask --app webapp remind-unsubmitted-changes` every few minutes). Each bid is reminded once
for its changes: the reminder is claimed with a conditional update before the email goes, so
two runs at the same moment send one message, and claiming it does not count as a change to the
bid (a provider with the bid open in a tab can still save). Submitting the bid again clears the
claim, so changes made after that are reminded afresh.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from webapp.clock import london_text, now
from webapp.extensions import db
from webapp.links import email_link
from webapp.mail import send_mail
from webapp.models import Bid, BidStatus, CommissioningRound
from webapp.services.bids import changes_pending

REMINDER_WINDOW = timedelta(hours=24)
"""How long before the deadline a provider is reminded of changes it has not submitted."""


def send_unsubmitted_changes_reminders(*, window: timedelta = REMINDER_WINDOW) -> list[Bid]:
    """Email every provider whose submitted bid has unsubmitted changes and whose round closes
    within `window`; returns the bids reminded by this run."""
    moment = now()
    candidates = db.session.scalars(
        sa.select(Bid)
        .join(Bid.round)
        .where(
            Bid.status == BidStatus.SUBMITTED.value,
            Bid.changes_reminded_at.is_(None),
            CommissioningRound.closes_at > moment,
            CommissioningRound.closes_at <= moment + window,
        )
        .order_by(Bid.id)
    ).all()
    reminded = []
    for bid in candidates:
        if changes_pending(bid) and _claim(bid, moment):
            _email(bid)
            reminded.append(bid)
    return reminded


def _claim(bid: Bid, moment: datetime) -> bool:
    """Mark the bid reminded unless another run did first (a core UPDATE: no version bump)."""
    claimed = db.session.execute(
        sa.update(Bid)
        .where(Bid.id == bid.id, Bid.changes_reminded_at.is_(None))
        .values(changes_reminded_at=moment)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(claimed.rowcount)


def _email(bid: Bid) -> None:
    round_ = bid.round
    link = email_link("provider.bid", bid_id=bid.id)
    for user in bid.organisation.active_provider_users:
        send_mail(
            user.email,
            f"Your changes are not submitted: {round_.reference} {round_.title}",
            f"Dear {user.name},\n\n"
            f"You have changed your bid {bid.reference} for {round_.title} since you submitted "
            f"it, but you have not submitted the changes. The round closes on "
            f"{london_text(round_.closes_at)}.\n\n"
            f"If you do nothing, the bid you submitted on {london_text(bid.submitted_at)} counts "
            f"as it is. To make your changes count, check your answers and submit your bid "
            f"again before the deadline:\n\n{link}\n",
        )
