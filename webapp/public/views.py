"""Views of the public blueprint."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue

from webapp.readiness import readiness

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str:
    return render_template("public/home.html")


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template("public/accessibility.html")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Tell a supervisor that this process answers (liveness; `/readyz` checks its database)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Tell a load balancer whether to send traffic here: the database and Redis answer.

    503, naming the dependency that failed, when one does not.
    """
    checks = readiness()
    ready = all(state == "ok" for state in checks.values())
    return jsonify(status="ok" if ready else "error", **checks), 200 if ready else 503
