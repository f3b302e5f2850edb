"""Pages anyone can see without signing in: home, accessibility, health and readiness checks."""

from webapp.public.views import bp

__all__ = ["bp"]
