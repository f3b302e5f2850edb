"""A provider's outcome for its own bid, published once the board approves the award.

Until then the page does not exist for the provider (404), and no score reaches any provider
page: the dashboard links the outcome only when it is published.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from reports.wording import long_date
from webapp.auth.roles import role_required
from webapp.clock import to_london
from webapp.models import Bid, BidStatus, Role
from webapp.provider import bp
from webapp.provider.access import signed_in_user
from webapp.services.award import outcome_published
from webapp.services.bids import BidNotFoundError
from webapp.services.outcomes import OutcomeNotPublishedError, provider_outcome


@bp.get("/bids/<int:bid_id>/outcome")
@role_required(Role.PROVIDER)
def outcome(bid_id: int) -> ResponseReturnValue:
    try:
        found = provider_outcome(signed_in_user(), bid_id)
    except (BidNotFoundError, OutcomeNotPublishedError):
        abort(404)
    return render_template("provider/outcome.html", outcome=found, london_date=london_date)


def london_date(moment: datetime) -> str:
    """`3 March 2027`: the day in London."""
    return long_date(to_london(moment).date())


@bp.context_processor
def inject_outcome_link() -> dict[str, Any]:
    """`has_outcome(bid)` for provider pages: whether the bid's outcome may be linked."""

    def has_outcome(bid: Bid) -> bool:
        return bid.status == BidStatus.SUBMITTED.value and outcome_published(bid.round)

    return {"has_outcome": has_outcome}
