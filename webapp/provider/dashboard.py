"""The provider's dashboard: open rounds, the organisation's bids, and starting a bid."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from webapp.auth.roles import role_required
from webapp.clock import london_text
from webapp.models import Role
from webapp.provider import bp
from webapp.provider.access import signed_in_user
from webapp.services.bids import (
    BidError,
    BidNotFoundError,
    bid_state,
    bids_of,
    open_rounds,
    start_bid,
)


@bp.get("/")
@role_required(Role.PROVIDER)
def dashboard() -> ResponseReturnValue:
    user = signed_in_user()
    try:
        rounds = open_rounds(user)
        bids = bids_of(user)
    except BidNotFoundError:
        abort(403)
    return render_template(
        "provider/dashboard.html",
        rounds=rounds,
        bids=bids,
        bid_state=bid_state,
        london_text=london_text,
    )


@bp.post("/rounds/<int:round_id>/bid", endpoint="start_bid")
@role_required(Role.PROVIDER)
def start_bid_view(round_id: int) -> ResponseReturnValue:
    try:
        bid = start_bid(signed_in_user(), round_id)
    except BidNotFoundError:
        abort(404)
    except BidError as error:
        flash(error.message, "error")
        return redirect(url_for("provider.dashboard"))
    return redirect(url_for("provider.bid", bid_id=bid.id))
