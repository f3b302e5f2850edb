"""What the procurement board sees: rounds awaiting a decision, and the decision."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("board", __name__, url_prefix="/board")

# The view module registers its routes on `bp`, so it is imported once `bp` exists.
from webapp.board import views  # noqa: E402, F401
