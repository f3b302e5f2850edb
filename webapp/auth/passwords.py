"""What makes a password acceptable, in one place for the web forms and the command line.

Common passwords come from the list of the 30,000 most common passwords in public breaches that
the `zxcvbn` package ships (MIT licence, from Dropbox's zxcvbn), plus a few this service's own
users would be tempted by. Every comparison ignores case and surrounding spaces.
"""

from __future__ import annotations

import functools

MIN_PASSWORD_LENGTH = 12

TOO_SHORT = f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
TOO_COMMON = (
    "Password is too easy to guess: it is one of the most common passwords. "
    "Choose a less common one, for example three or four unrelated words"
)
IS_EMAIL = "Password must not be your email address"

# Passwords that would come to mind on this service and appear in no general list.
SERVICE_PASSWORDS = frozenset(
    {
        "commonweal123",
        "commonweal1234",
        "commonweal2026",
        "commonwealcommonweal",
        "password1234",
        "password12345",
        "password123456",
        "passwordpassword",
        "welcome12345",
        "changeme1234",
    }
)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The common-password list, lower-cased (read once per process, when first needed)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # 0.8 MB of lists: not at start-up

    breached = (entry.strip().lower() for entry in FREQUENCY_LISTS["passwords"])
    return frozenset(breached) | SERVICE_PASSWORDS


def is_common(password: str) -> bool:
    return password.strip().lower() in common_passwords()


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why `password` is not acceptable, in words for the person choosing it; None if it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return TOO_SHORT
    if is_common(password) or len(set(password)) < 4:
        return TOO_COMMON
    if email and password.strip().lower() == email.strip().lower():
        return IS_EMAIL
    return None
