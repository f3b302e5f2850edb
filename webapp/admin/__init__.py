"""Administration: the council's user accounts (staff invitations, deactivation, personal data)."""

from webapp.admin import personal_data_views  # noqa: F401  (adds its routes to bp)
from webapp.admin.views import bp

__all__ = ["bp"]
