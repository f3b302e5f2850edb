"""Evidence downloads: an uploaded document, served only to those allowed to read it."""

from webapp.evidence.views import bp

__all__ = ["bp"]
