"""The words of the account emails: confirm an address, reset a password, accept an invite."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.auth.tokens import ACCEPT_INVITE, CONFIRM_EMAIL, RESET_PASSWORD, Purpose


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


def _days_or_hours(purpose: Purpose) -> str:
    hours = int(purpose.max_age.total_seconds() // 3600)
    if hours % 24 == 0 and hours >= 24:
        days = hours // 24
        return f"{days} day" if days == 1 else f"{days} days"
    return f"{hours} hour" if hours == 1 else f"{hours} hours"


def confirmation_email(name: str, link: str, service: str) -> Email:
    return Email(
        subject=f"Confirm your email address – {service}",
        body=(
            f"Dear {name},\n\n"
            f"You created an account to bid for care contracts with {service}.\n\n"
            f"Confirm your email address by opening this link:\n\n{link}\n\n"
            f"The link works for {_days_or_hours(CONFIRM_EMAIL)}. "
            "If you did not create an account, you can ignore this email.\n"
        ),
    )


def already_registered_email(name: str, sign_in: str, reset: str, service: str) -> Email:
    return Email(
        subject=f"You already have an account – {service}",
        body=(
            f"Dear {name},\n\n"
            f"Someone tried to create an account with {service} using this email address, "
            "which already has one. No new account has been created.\n\n"
            f"If it was you, sign in here:\n\n{sign_in}\n\n"
            f"If you have forgotten your password, reset it here:\n\n{reset}\n\n"
            "If it was not you, you can ignore this email: nothing has changed.\n"
        ),
    )


def reset_email(name: str, link: str, service: str) -> Email:
    return Email(
        subject=f"Reset your password – {service}",
        body=(
            f"Dear {name},\n\n"
            "Someone asked to reset the password of your account. "
            f"To choose a new password, open this link:\n\n{link}\n\n"
            f"The link works for {_days_or_hours(RESET_PASSWORD)} and only once. "
            "If you did not ask for this, you can ignore this email: your password has not "
            "changed.\n"
        ),
    )


def invite_email(name: str, link: str, service: str, role_label: str, inviter: str) -> Email:
    return Email(
        subject=f"You have been invited to {service}",
        body=(
            f"Dear {name},\n\n"
            f"{inviter} has invited you to {service} as: {role_label}.\n\n"
            f"To set your password and sign in, open this link:\n\n{link}\n\n"
            f"The link works for {_days_or_hours(ACCEPT_INVITE)} and only once. "
            "If it has expired, ask your administrator to send a new invitation.\n"
        ),
    )
