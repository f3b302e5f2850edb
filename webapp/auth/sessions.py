"""Signed-in sessions: started afresh at sign-in, ended everywhere at sign-out, and ended after
a spell of inactivity.

Sessions live in Flask's signed cookie. The cookie names the user as `id:session_version`
(`User.get_id`); signing out and changing a password move the version on, so every copy of
every cookie issued before, on any device, no longer signs anyone in. Inactivity is measured
by the wall clock, not the app's business clock (`webapp.clock`), which demos and tests move:
the cookie carries the time of the last request, and a request that comes more than
`SESSION_IDLE_TIMEOUT` after it is signed out.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from webapp.extensions import db
from webapp.models import User

LAST_SEEN = "_seen"
SESSION_ID = "_sid"
# Requests for assets need no user: their cookie is neither checked nor refreshed.
_ASSET_ENDPOINTS = frozenset({"static", "styles.static"})


def idle_timeout() -> timedelta:
    value = current_app.config["SESSION_IDLE_TIMEOUT"]
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def idle_message(timeout: timedelta) -> str:
    minutes = max(1, int(timeout.total_seconds() // 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"You were signed out because you were inactive for {minutes} {unit}"


def start_session(user: User) -> None:
    """Sign `user` in on a new session: nothing from the session before it is kept."""
    session.clear()
    login_user(user)
    session.permanent = True
    session[SESSION_ID] = secrets.token_urlsafe(16)
    session[LAST_SEEN] = int(time.time())


def end_every_session(user: User) -> None:
    """Sign `user` out here and on every other device, then clear this session."""
    user.session_version = (user.session_version or 1) + 1
    db.session.commit()
    logout_user()
    session.clear()


def end_idle_session() -> ResponseReturnValue | None:
    """Before each request: sign out a session idle for too long, else note it was used."""
    if request.endpoint in _ASSET_ENDPOINTS or not current_user.is_authenticated:
        return None
    now = int(time.time())
    last_seen = session.get(LAST_SEEN)
    timeout = idle_timeout()
    if isinstance(last_seen, int) and now - last_seen > timeout.total_seconds():
        logout_user()
        session.clear()
        flash(idle_message(timeout), "info")
        if request.method == "GET" and request.endpoint != "auth.sign_in":
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        return redirect(url_for("auth.sign_in"))
    # A session from before activity was noted starts being timed now.
    session[LAST_SEEN] = now
    return None
