"""The demo's audit events, told in the order things happened in the story the seed sets up.

The seed makes its records in whatever order is convenient (a round, then all its bids, then
the evaluation), but the audit log should read as the round's history: the round created and
published, bids arriving, evaluators assigned, conflicts declared, marks submitted. Each made
record adds an event here with the moment it happened in the story; `record_all` writes them
to the log sorted by that moment, in the seeding transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from webapp.audit.log import record
from webapp.clock import as_utc
from webapp.extensions import db
from webapp.models import CommissioningRound, User


@dataclass(frozen=True)
class StoryEvent:
    happened_at: datetime
    action: str
    actor: User
    subject: str
    summary: str
    round_: CommissioningRound
    before: Any = None
    after: Any = None


@dataclass
class AuditStory:
    """Audit events waiting to be recorded, each with when it happened in the demo's story."""

    events: list[StoryEvent] = field(default_factory=list)

    def add(
        self,
        happened_at: datetime,
        action: str,
        *,
        actor: User,
        subject: str,
        summary: str,
        round_: CommissioningRound,
        before: Any = None,
        after: Any = None,
    ) -> None:
        self.events.append(
            StoryEvent(as_utc(happened_at), action, actor, subject, summary, round_, before, after)
        )

    def record_all(self) -> int:
        """Append every event to the audit log, earliest first; the caller commits."""
        db.session.flush()  # new users and records get the ids the events name
        ordered = sorted(enumerate(self.events), key=lambda item: (item[1].happened_at, item[0]))
        for _, event in ordered:
            record(
                event.action,
                actor=event.actor,
                subject=event.subject,
                summary=event.summary,
                round_=event.round_,
                before=event.before,
                after=event.after,
            )
        count = len(self.events)
        self.events.clear()
        return count
