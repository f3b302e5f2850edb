"""The signed-in provider and the bids it may reach (anything else is "not found")."""

from __future__ import annotations

from typing import cast

from flask import abort
from flask_login import current_user

from webapp.models import Bid, User
from webapp.services.bids import BidNotFoundError, bid_for


def signed_in_user() -> User:
    return cast(User, current_user._get_current_object())


def own_bid(bid_id: int) -> Bid:
    """The organisation's own bid, or a 404 page (another organisation's bid is not revealed)."""
    try:
        return bid_for(signed_in_user(), bid_id)
    except BidNotFoundError:
        abort(404)


def form_version(text: str | None) -> int | None:
    """The bid version a page was opened with, from its hidden field."""
    return int(text) if text and text.isdigit() else None
