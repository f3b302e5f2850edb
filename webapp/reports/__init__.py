"""Reports in the web app: each report's HTML twin and its PDF, each only to those allowed.

Two blueprints, so each report sits beside the pages of its audience: `bp` ("reports") under
`/commissioning` for staff and the board (the board pack, any bid's assessment summary, and
issuing every summary of a round at once), and `provider_bp` ("provider_reports") under
`/provider` for a provider's own assessment summary and self-assessment report.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/commissioning")
provider_bp = Blueprint("provider_reports", __name__, url_prefix="/provider")

# The view modules register their routes on the blueprints, so they are imported once they exist.
from webapp.reports import jobs, provider, round_reports  # noqa: E402, F401
