"""What providers see: their bids (dashboard, task list, questions, check and submit,
receipt, withdraw), their organisation profile and their self-assessment."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("provider", __name__, url_prefix="/provider")

# The view modules register their routes on `bp`, so they are imported once it exists.
from webapp.provider import (  # noqa: E402, F401
    bids,
    dashboard,
    outcome,
    price_checks,
    profile,
    returns,
    self_assessment,
)
