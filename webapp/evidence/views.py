"""Views of the evidence blueprint: download one document as an attachment."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, send_file
from flask_login import current_user, login_required

from webapp.services.evidence import download_name, evidence_path, evidence_to_download

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


@bp.get("/<int:evidence_id>")
@login_required
def download(evidence_id: int) -> Response:
    """The document as an attachment; 404 for anyone not allowed, so existence is not revealed."""
    evidence = evidence_to_download(current_user, evidence_id)
    if evidence is None:
        abort(404)
    path = evidence_path(evidence)
    if not path.is_file():
        current_app.logger.error("Evidence %s: stored file %s is missing", evidence.id, path.name)
        abort(404)
    response = send_file(
        path,
        mimetype=evidence.content_type,
        as_attachment=True,
        download_name=download_name(evidence),
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
