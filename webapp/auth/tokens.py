"""Signed, expiring links sent by email: confirm an address, reset a password, accept an invite.

Each purpose has its own salt, so a token made for one cannot be used for another. A token binds
the user's id and a fingerprint of the state it changes:

- confirmation binds the email address, so a link stops working if the address changes;
- reset and invite bind a fingerprint of the current password hash, so once the password has
  been set the same link is refused.

Ages are measured with `webapp.clock.now()`, so a test (or a demo) controls when links expire.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from webapp import clock
from webapp.models import User


@dataclass(frozen=True)
class Purpose:
    salt: str
    max_age: timedelta


CONFIRM_EMAIL = Purpose("commonweal.confirm-email", timedelta(days=3))
RESET_PASSWORD = Purpose("commonweal.reset-password", timedelta(hours=1))
ACCEPT_INVITE = Purpose("commonweal.accept-invite", timedelta(days=7))


class TokenError(Exception):
    """A link that cannot be used. `expired` tells a stale link from a broken or used one."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class _ClockSigner(TimestampSigner):
    """Timestamps from the app's clock rather than the system's."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=purpose.salt, signer=_ClockSigner
    )


def _fingerprint(value: str | None) -> str:
    """A short digest of `value`, so a token never carries a password hash itself."""
    return hashlib.sha256((value or "").encode()).hexdigest()[:16]


def _binding(purpose: Purpose, user: User) -> str:
    if purpose is CONFIRM_EMAIL:
        return _fingerprint(user.email.lower())
    return _fingerprint(user.password_hash)


def make_token(purpose: Purpose, user: User) -> str:
    """A URL-safe token for `user` that `read_token` accepts until it expires or is used."""
    return _serializer(purpose).dumps([user.id, _binding(purpose, user)])


def token_user_id(purpose: Purpose, token: str) -> tuple[int, str]:
    """The user id and binding a token carries, if its signature holds and it has not expired.

    Raises `TokenError`. The caller must still check the binding against the user with
    `token_matches`.
    """
    try:
        payload: Any = _serializer(purpose).loads(
            token, max_age=int(purpose.max_age.total_seconds())
        )
    except SignatureExpired:
        raise TokenError(expired=True) from None
    except BadSignature:
        raise TokenError() from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not isinstance(payload[0], int)
        or not isinstance(payload[1], str)
    ):
        raise TokenError()
    return payload[0], payload[1]


def token_matches(purpose: Purpose, user: User, binding: str) -> bool:
    return hmac.compare_digest(_binding(purpose, user), binding)
