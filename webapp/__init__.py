"""The Commonweal web app: `create_app()` builds a configured Flask application.

`create_app` is loaded from `webapp.factory` on first use, so importing the package (as the
`commonweal` command does, from `webapp.console`) loads neither Flask nor the database layer.
`flask --app webapp` and gunicorn's `webapp:create_app()` find it as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from webapp.factory import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from webapp.factory import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
