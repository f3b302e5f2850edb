"""The time, in one place: UTC inside, Europe/London for people.

Deadlines are compared with `now()`. An app may set `CLOCK` in its config to a callable
returning an aware datetime (a demo running "as of" a date, or a test standing one second
after a deadline); otherwise it is the system clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context, has_request_context, request

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


def london_precise_text(moment: datetime) -> str:
    """`14:59:59.873 on 3 December 2026` in London time, to the millisecond: a receipt's time."""
    local = to_london(moment)
    return f"{local:%H:%M:%S}.{local.microsecond // 1000:03d} on {local.day} {local:%B %Y}"


RECEIVED_AT_KEY = "commonweal.received_at"
"""Where `webapp.request_timing` leaves, in the WSGI environ, when the request was received."""


def received_at() -> datetime:
    """When the current request reached the server (see `webapp.request_timing`), as aware UTC.

    Deadlines are judged by this, not by when the request's turn came: a provider who pressed
    *Submit* in time is in time however long the request then queued. Outside a request, or
    when the app is not wrapped by the timing middleware, it is `now()`.
    """
    if has_request_context():
        moment = request.environ.get(RECEIVED_AT_KEY)
        if isinstance(moment, datetime):
            return moment.astimezone(UTC)
    return now()
