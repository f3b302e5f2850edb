"""A round's audit trail: every recorded change, newest first, under the whole log's check."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_login import current_user

from webapp.audit.trail import NotAllowedError, PageNotFoundError, page_numbers, round_trail
from webapp.auth.roles import role_required
from webapp.commissioning.blueprint import bp, round_or_404
from webapp.models import Role

readers_only = role_required(Role.ADMIN, Role.COMMISSIONER, Role.BOARD)


@bp.get("/rounds/<int:id>/events")
@readers_only
def audit_events(id: int) -> str:
    round_ = round_or_404(id)
    page = request.args.get("page", "1")
    if not page.isdigit():
        abort(404)
    try:
        trail = round_trail(current_user, round_, int(page))
    except NotAllowedError:
        abort(403)
    except PageNotFoundError:
        abort(404)
    return render_template(
        "commissioning/audit_events.html",
        round=round_,
        trail=trail,
        pagination=_pagination(round_.id, trail.page.number, trail.page.pages),
    )


def _pagination(round_id: int, current: int, pages: int) -> dict[str, Any] | None:
    """GOV.UK pagination parameters, or None when everything fits on one page."""
    if pages < 2:
        return None

    def href(number: int) -> str:
        return url_for("commissioning.audit_events", id=round_id, page=number)

    items = [
        {"ellipsis": True}
        if number is None
        else {"number": number, "href": href(number), "current": number == current}
        for number in page_numbers(current, pages)
    ]
    return {
        "items": items,
        "previous": {"href": href(current - 1)} if current > 1 else None,
        "next": {"href": href(current + 1)} if current < pages else None,
        "landmarkLabel": "Pages of events",
    }
