"""The `commissioning` blueprint and who may use it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort
from flask_login import current_user

from webapp.auth.roles import role_required
from webapp.clock import london_text
from webapp.models import CommissioningRound
from webapp.services.round_admin import MANAGERS, VIEWERS, can_manage, find_round

bp = Blueprint("commissioning", __name__, url_prefix="/commissioning")

viewers_only = role_required(*VIEWERS)
"""Staff who may look: administrators, commissioners, evaluators and the board."""

managers_only = role_required(*MANAGERS)
"""Staff who may change rounds and frameworks: administrators and commissioners."""


def round_or_404(round_id: int) -> CommissioningRound:
    round_ = find_round(round_id)
    if round_ is None:
        abort(404)
    return round_


@bp.context_processor
def inject_permissions() -> dict[str, Any]:
    return {
        "can_manage": current_user.is_authenticated and can_manage(current_user),
        "london_text": london_text,
    }
