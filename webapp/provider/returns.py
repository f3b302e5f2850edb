"""Where a provider goes back to after saving a page it reached from another one.

A "Change" link on check your answers opens the section with `return_to=check`, so that
"Save and continue" goes back to check your answers rather than to the task list (the GOV.UK
check answers pattern). Only the names listed here are accepted, never a URL, so a link
cannot send anyone to another page or another site.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from webapp.provider import bp

__all__ = ["RETURN_PAGES", "return_target", "return_url"]

RETURN_PAGES: dict[str, str] = {"check": "provider.check_answers"}
"""`return_to` value -> the bid page it names."""


def return_target() -> str | None:
    """The request's `return_to`, if it is one of the names in `RETURN_PAGES`."""
    target = request.args.get("return_to")
    return target if target in RETURN_PAGES else None


def return_url(target: str, *, bid_id: int) -> str:
    return url_for(RETURN_PAGES[target], bid_id=bid_id)


@bp.context_processor
def inject_return_target() -> dict[str, Any]:
    """`return_to` (a checked name or None) for the section page's form and back link."""
    return {"return_to": return_target()}
