"""The "Are you sure" step before an action that cannot be undone.

A form that asks for a final action posts its answers to the view first; the view shows a
confirmation page (`templates/_confirmation.html`) that restates the consequence and posts the
same answers again with `confirmed=yes`. Only that second post acts, so a post that skips the
confirmation page changes nothing.
"""

from __future__ import annotations

from flask import request

CONFIRMED_FIELD = "confirmed"


def is_confirmed() -> bool:
    """True when this POST came from a confirmation page."""
    return request.method == "POST" and request.form.get(CONFIRMED_FIELD) == "yes"
