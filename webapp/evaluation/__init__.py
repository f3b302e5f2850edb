"""What evaluators see: their rounds, conflict declarations and marking."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")

# The view module registers its routes on `bp`, so it is imported once `bp` exists.
from webapp.evaluation import views  # noqa: E402, F401
