"""The time, in one place: UTC inside, Europe/London for people.

Deadlines are compared with `now()`. An app may set `CLOCK` in its config to a callable
returning an aware datetime (a demo running "as of" a date, or a test standing one second
after a deadline); otherwise it is the system clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current time as an aware UTC datetime."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    moment = clock() if clock else datetime.now(UTC)
    return moment.astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; naive values (SQLite drops the zone) are taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_london(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(LONDON)


def from_london(local: datetime) -> datetime:
    """A wall-clock time in London (naive) as aware UTC, honouring summer time."""
    return local.replace(tzinfo=LONDON).astimezone(UTC)


def london_text(moment: datetime) -> str:
    """`3 March 2027 at 12:00pm` in London time, GOV.UK style."""
    local = to_london(moment)
    hour = local.strftime("%I").lstrip("0") or "12"
    minute = local.strftime("%M")
    suffix = local.strftime("%p").lower()
    time = "midday" if (local.hour, local.minute) == (12, 0) else f"{hour}:{minute}{suffix}"
    if (local.hour, local.minute) == (0, 0):
        time = "midnight"
    return f"{local.day} {local.strftime('%B %Y')} at {time}"
