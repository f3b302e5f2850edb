"""Who may do what: the `role_required` decorator and the signed-in user's loader."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from webapp.extensions import db, login_manager
from webapp.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Sessions carry `id:session_version`; a changed password invalidates old sessions."""
    identifier, _, version = user_id.partition(":")
    if not identifier.isdigit():
        return None
    user = db.session.get(User, int(identifier))
    if user is None or not user.is_active or str(user.session_version) != version:
        return None
    return user


def role_required(*roles: Role) -> Callable[[F], F]:
    """Signed in with one of `roles`, else 403 (anonymous users go to sign in)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
