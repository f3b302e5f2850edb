"""A round's audit trail as staff read it: who may see it, what is withheld, the log's health.

Commissioners and administrators see any round's events; the board sees a round's events once
it has closed. While a round is open its bids are sealed, so the events about bids show that
something happened and when, never who bid or what.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.audit.log import ACTIONS, EventPage, VerifyReport, round_event_page, verify_log
from webapp.audit.people import People
from webapp.clock import as_utc, london_text
from webapp.models import AuditEvent, CommissioningRound, Role, User
from webapp.services.rounds import is_sealed

__all__ = [
    "SEALED_TEXT",
    "EventRow",
    "NotAllowedError",
    "PageNotFoundError",
    "RoundTrail",
    "page_numbers",
    "round_trail",
]

PER_PAGE = 50
SEALED_TEXT = "Withheld until the deadline"
READERS = (Role.ADMIN, Role.COMMISSIONER)


class NotAllowedError(Exception):
    """The user's role may not read this round's trail (yet)."""


class PageNotFoundError(LookupError):
    """There is no such page of events."""


@dataclass(frozen=True)
class EventRow:
    """One event, in the words a person reads."""

    seq: int
    when: str
    iso_time: str
    who: str
    what: str
    subject: str
    summary: str
    before_digest: str | None
    after_digest: str | None
    withheld: bool


@dataclass(frozen=True)
class RoundTrail:
    round: CommissioningRound
    rows: list[EventRow]
    page: EventPage
    log: VerifyReport


def can_read(user: User, round_: CommissioningRound) -> bool:
    if user.has_role(*READERS):
        return True
    return user.has_role(Role.BOARD) and not is_sealed(round_)


def round_trail(user: User, round_: CommissioningRound, page: int = 1) -> RoundTrail:
    """Page `page` of the round's events, newest first, and the whole log's verification.

    Raises NotAllowedError for a role that may not read it and PageNotFoundError past the end.
    """
    if not can_read(user, round_):
        raise NotAllowedError(f"{user.role} users cannot read round {round_.reference}'s events")
    try:
        events = round_event_page(round_, page, PER_PAGE)
    except LookupError as error:
        raise PageNotFoundError(str(error)) from None
    sealed = is_sealed(round_)
    people = People.for_events(events.events)
    rows = [
        _row(event, people, withheld=sealed and event.action.startswith("bid."))
        for event in events.events
    ]
    return RoundTrail(round_, rows, events, verify_log())


def _row(event: AuditEvent, people: People, *, withheld: bool) -> EventRow:
    return EventRow(
        seq=event.seq,
        when=london_text(event.occurred_at),
        iso_time=as_utc(event.occurred_at).isoformat(timespec="seconds"),
        who=SEALED_TEXT if withheld else people.who(event),
        what=ACTIONS.get(event.action, event.action),
        subject=SEALED_TEXT if withheld else event.subject,
        summary=SEALED_TEXT if withheld else people.summary(event),
        before_digest=None if withheld else event.before_digest,
        after_digest=None if withheld else event.after_digest,
        withheld=withheld,
    )


def page_numbers(current: int, pages: int) -> list[int | None]:
    """The page links to show: first, last and the current page's neighbours; None for a gap."""
    shown = sorted({1, pages, current - 1, current, current + 1} & set(range(1, pages + 1)))
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
