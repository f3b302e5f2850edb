"""Administration: the council's user accounts (staff invitations, deactivation)."""

from webapp.admin.views import bp

__all__ = ["bp"]
