"""Pages anyone can see without signing in: home, accessibility statement, health check."""

from webapp.public.views import bp

__all__ = ["bp"]
