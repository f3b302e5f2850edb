"""GOV.UK date and time fields: a date typed as day, month and year, a time typed as words.

Each field reads what was typed, keeps it to show back on an error, and explains a mistake in
GOV.UK words ("Opening date must include a month"). Together they name a wall-clock moment
in London, which `webapp.clock.from_london` turns into UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import Field
from wtforms.validators import StopValidation

_PARTS = ("day", "month", "year")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?$|^(\d{1,2})[:.](\d{2})$")
_TIME_WORDS = {"midday": dt.time(12, 0), "noon": dt.time(12, 0), "midnight": dt.time(0, 0)}


class GovDateField(Field):
    """A date typed as day, month and year, with the GOV.UK date input.

    `what` names the date in messages ("Opening date"). `data` is a `datetime.date` or None.
    Errors link to the day input, so `error_anchor` names it.
    """

    widget = GovDateInput()

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.what = label or "Date"

    @property
    def error_anchor(self) -> str:
        return f"{self.name}-day"

    def _value(self) -> str:
        return ""  # the widget reads the three parts from `raw_data` or `data`

    def process_formdata(self, valuelist: list[str]) -> None:
        # The three inputs share one name; a browser sends them in page order.
        values = [str(v).strip() for v in valuelist][:3]
        self.raw_data = values + [""] * (3 - len(values))

    def pre_validate(self, form: Any) -> None:
        self.data = None
        parts = dict(zip(_PARTS, self.raw_data or ["", "", ""], strict=True))
        missing = [name for name in _PARTS if not parts[name]]
        if len(missing) == 3:
            raise StopValidation(f"Enter the {self.what.lower()}")
        if missing:
            raise StopValidation(f"{self.what} must include a {' and '.join(missing)}")
        if not all(value.isdigit() for value in parts.values()):
            raise StopValidation(f"{self.what} must be a real date, in numbers, like 27 3 2027")
        if len(parts["year"]) != 4:
            raise StopValidation("Year must include 4 numbers, like 2027")
        try:
            self.data = dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            raise StopValidation(f"{self.what} must be a real date") from None


def parse_time(text: str) -> dt.time | None:
    """A time of day from what people type: 14:00, 9:30am, 2pm, 12 p.m., midday; else None."""
    typed = " ".join(text.lower().split())
    if typed in _TIME_WORDS:
        return _TIME_WORDS[typed]
    match = _TIME.match(typed)
    if match is None:
        return None
    if match.group(4) is not None:  # 24-hour clock: 14:30
        hour, minute = int(match.group(4)), int(match.group(5))
        return dt.time(hour, minute) if hour < 24 and minute < 60 else None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if not 1 <= hour <= 12 or minute >= 60:
        return None
    hour = hour % 12 + (12 if match.group(3) == "p" else 0)
    return dt.time(hour, minute)


def time_text(moment: dt.time) -> str:
    """A time as GOV.UK writes it: 9:30am, 12pm (for a form's value, not a sentence)."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}:{moment.minute:02d}{suffix}"


class GovTimeField(Field):
    """A time of day typed in one text input. `data` is a `datetime.time` or None."""

    widget = GovTextInput()

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.what = label or "Time"

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return time_text(self.data) if isinstance(self.data, dt.time) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = [str(valuelist[0]) if valuelist else ""]
        self.data = None

    def pre_validate(self, form: Any) -> None:
        typed = (self.raw_data[0] if self.raw_data else "").strip()
        if not typed:
            raise StopValidation(f"Enter the {self.what.lower()}")
        self.data = parse_time(typed)
        if self.data is None:
            raise StopValidation(f"{self.what} must be a real time, like 9:30am or 14:00")
