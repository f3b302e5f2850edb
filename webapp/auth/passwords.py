"""What makes a password acceptable, in one place for the web forms and the command line."""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 12

# Passwords of 12 characters or more that appear near the top of every breached-password list.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456123456",
        "111111111111",
        "000000000000",
        "aaaaaaaaaaaa",
        "abcdefghijkl",
        "abc123abc123",
        "qwertyuiopas",
        "qwertyuiop123",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "zaq12wsxcde3",
        "password1234",
        "password12345",
        "password123456",
        "passwordpassword",
        "password123!",
        "p@ssw0rd1234",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "welcome123456",
        "changeme1234",
        "administrator",
        "administrator1",
        "trustno1trustno1",
        "football1234",
        "monkey123456",
        "sunshine1234",
        "princess1234",
        "superman1234",
        "commonweal123",
        "commonweal1234",
    }
)


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why `password` is not acceptable, in words for the person choosing it; None if it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if password.strip().lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "Password is too easy to guess. Choose a longer or less common one"
    if email and password.strip().lower() == email.strip().lower():
        return "Password must not be your email address"
    return None
