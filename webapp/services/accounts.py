"""Accounts: sign-in checks, provider registration, email confirmation, password reset, staff
invitations and deactivation.

Every function here owns its transaction and sends its email only after the change is stored.
Functions that answer "if an account exists" (reset, resend confirmation) behave the same way
whether or not it does, so the pages built on them reveal nothing about who has an account.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from webapp import clock
from webapp.auth import emails, tokens
from webapp.auth.passwords import password_problem
from webapp.extensions import db
from webapp.links import email_link
from webapp.mail import send_mail
from webapp.models import STAFF_ROLES, Organisation, Role, User


class AccountError(Exception):
    """A request about accounts that cannot be carried out; `message` is for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EmailTakenError(AccountError):
    def __init__(self) -> None:
        super().__init__(
            "An account already exists with this email address. Sign in or reset your password."
        )


class WeakPasswordError(AccountError):
    pass


class LinkError(AccountError):
    """A confirmation, reset or invitation link that cannot be used (`expired` or not)."""

    def __init__(self, message: str, *, expired: bool) -> None:
        super().__init__(message)
        self.expired = expired


class SignInOutcome(enum.Enum):
    SIGNED_IN = "signed in"
    WRONG_CREDENTIALS = "wrong email address or password"
    UNCONFIRMED = "email address not confirmed"
    INACTIVE = "account deactivated"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    address = normalise_email(email)
    return db.session.scalars(select(User).where(func.lower(User.email) == address)).first()


def hash_password(password: str) -> str:
    """The stored form of a password: salted, by the app's `PASSWORD_HASH_METHOD`."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _decoy_hash(method: str) -> str:
    return generate_password_hash(
        "a password nobody has, checked so timing tells nothing", method=method
    )


def authenticate(email: str, password: str) -> SignInResult:
    """Check an email address and password; on success record the time of signing in.

    A wrong address and a wrong password take the same time and give the same outcome. Only a
    person who knows the password learns that the account is unconfirmed or deactivated.
    """
    user = user_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_decoy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return SignInResult(SignInOutcome.WRONG_CREDENTIALS)
    if not check_password_hash(user.password_hash, password):
        return SignInResult(SignInOutcome.WRONG_CREDENTIALS)
    if not user.is_active:
        return SignInResult(SignInOutcome.INACTIVE, user)
    if user.email_confirmed_at is None:
        return SignInResult(SignInOutcome.UNCONFIRMED, user)
    user.last_signed_in_at = clock.now()
    db.session.commit()
    return SignInResult(SignInOutcome.SIGNED_IN, user)


def _check_password(password: str, email: str) -> None:
    problem = password_problem(password, email=email)
    if problem:
        raise WeakPasswordError(problem)


def _service_name() -> str:
    return f"Commonweal, {current_app.config.get('COUNCIL_NAME', '')}".rstrip(", ")


def _send(user: User, email: emails.Email) -> None:
    send_mail(user.email, email.subject, email.body)


# --- providers register themselves -----------------------------------------------------------


def register_provider(organisation_name: str, name: str, email: str, password: str) -> str:
    """Create an organisation and its first user, unconfirmed, and email the confirmation link.

    When the address already has an account nothing is created: its owner is emailed instead,
    and the caller sees no difference (the same return value, similar time), so registration
    tells no one which addresses have accounts. Returns the normalised address. Raises
    `WeakPasswordError`.
    """
    address = normalise_email(email)
    _check_password(password, address)
    password_hash = hash_password(password)
    existing = user_by_email(address)
    if existing is not None:
        _send_already_registered(existing)
        return address
    organisation = Organisation(name=organisation_name.strip(), contact_name=name.strip())
    organisation.contact_email = address
    user = User(
        email=address,
        name=name.strip(),
        role=Role.PROVIDER.value,
        organisation=organisation,
        password_hash=password_hash,
        email_confirmed_at=None,
    )
    db.session.add_all([organisation, user])
    try:
        db.session.commit()
    except IntegrityError:
        # Another request registered the same address a moment earlier.
        db.session.rollback()
        existing = user_by_email(address)
        if existing is not None:
            _send_already_registered(existing)
        return address
    send_confirmation(user)
    return address


def _send_already_registered(user: User) -> None:
    link = email_link("auth.sign_in")
    reset = email_link("auth.forgot_password")
    _send(user, emails.already_registered_email(user.name, link, reset, _service_name()))


def send_confirmation(user: User) -> None:
    link = email_link("auth.confirm_email", token=tokens.make_token(tokens.CONFIRM_EMAIL, user))
    _send(user, emails.confirmation_email(user.name, link, _service_name()))


def resend_confirmation(email: str) -> None:
    """Send the confirmation link again if `email` belongs to an unconfirmed active account."""
    user = user_by_email(email)
    if user and user.is_active and user.email_confirmed_at is None and user.password_hash:
        send_confirmation(user)


def _user_from_link(purpose: tokens.Purpose, token: str, what: str) -> User:
    expired_message = f"The link to {what} has expired."
    invalid_message = f"The link to {what} is not valid. It may have been used already."
    try:
        user_id, binding = tokens.token_user_id(purpose, token)
    except tokens.TokenError as error:
        message = expired_message if error.expired else invalid_message
        raise LinkError(message, expired=error.expired) from None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or not tokens.token_matches(purpose, user, binding):
        raise LinkError(invalid_message, expired=False)
    return user


def confirm_email(token: str) -> User:
    """Mark the address in a confirmation link as confirmed. Raises `LinkError`."""
    user = _user_from_link(tokens.CONFIRM_EMAIL, token, "confirm your email address")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
        db.session.commit()
    return user


# --- password reset ----------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Email a reset link if `email` belongs to an active account that has a password."""
    user = user_by_email(email)
    if user is None or not user.is_active or not user.password_hash:
        return
    link = email_link("auth.reset_password", token=tokens.make_token(tokens.RESET_PASSWORD, user))
    _send(user, emails.reset_email(user.name, link, _service_name()))


def user_for_reset(token: str) -> User:
    """The user a reset link is for, if it can still be used. Raises `LinkError`."""
    return _user_from_link(tokens.RESET_PASSWORD, token, "reset your password")


def _set_password(user: User, password: str) -> None:
    _check_password(password, user.email)
    user.password_hash = hash_password(password)
    # Every session signed in with the old password ends.
    user.session_version = (user.session_version or 1) + 1
    # Opening a link sent to the address proves the address.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; the link then stops working.

    Raises `LinkError` or `WeakPasswordError`.
    """
    user = user_for_reset(token)
    _set_password(user, password)
    user.last_signed_in_at = clock.now()
    db.session.commit()
    return user


# --- staff invitations -------------------------------------------------------------------------


def invite_staff(inviter: User, name: str, email: str, role: Role) -> User:
    """Create a staff account without a password and email its invitation link.

    Only administrators invite. Raises `EmailTakenError`, or `AccountError` for a non-staff role.
    """
    _require_admin(inviter)
    if role not in STAFF_ROLES:
        raise AccountError("Choose a council role: providers register themselves")
    address = normalise_email(email)
    if user_by_email(address) is not None:
        raise EmailTakenError()
    user = User(
        email=address,
        name=name.strip(),
        role=role.value,
        password_hash=None,
        email_confirmed_at=None,
        invited_by_id=inviter.id,
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTakenError() from None
    send_invitation(inviter, user)
    return user


def send_invitation(inviter: User, user: User) -> None:
    link = email_link("auth.accept_invite", token=tokens.make_token(tokens.ACCEPT_INVITE, user))
    _send(
        user,
        emails.invite_email(user.name, link, _service_name(), user.role_enum.label, inviter.name),
    )


def resend_invitation(inviter: User, user_id: int) -> User:
    """Send a fresh invitation to a staff user who has not yet set a password."""
    _require_admin(inviter)
    user = _user_or_error(user_id)
    if user.password_hash or user.role_enum not in STAFF_ROLES or not user.is_active:
        raise AccountError(f"{user.name} has already accepted their invitation")
    send_invitation(inviter, user)
    return user


def user_for_invite(token: str) -> User:
    """The invited user a link is for, if it is still unused. Raises `LinkError`."""
    user = _user_from_link(tokens.ACCEPT_INVITE, token, "accept your invitation")
    if user.password_hash:
        raise LinkError("The link to accept your invitation has been used already.", expired=False)
    return user


def accept_invite(token: str, password: str) -> User:
    """Set an invited user's first password; their address is then confirmed.

    Raises `LinkError` or `WeakPasswordError`.
    """
    user = user_for_invite(token)
    _set_password(user, password)
    user.last_signed_in_at = clock.now()
    db.session.commit()
    return user


# --- administration ----------------------------------------------------------------------------


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionError("Only administrators manage accounts")


def _user_or_error(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    return user


class AccountStatus(enum.Enum):
    ACTIVE = "Active"
    INVITED = "Invited"
    UNCONFIRMED = "Email not confirmed"
    DEACTIVATED = "Deactivated"


def account_status(user: User) -> AccountStatus:
    if not user.is_active:
        return AccountStatus.DEACTIVATED
    if not user.password_hash:
        return AccountStatus.INVITED
    if user.email_confirmed_at is None:
        return AccountStatus.UNCONFIRMED
    return AccountStatus.ACTIVE


def list_users() -> tuple[Sequence[User], Sequence[User]]:
    """Council staff and provider users, each sorted by name."""
    staff = db.session.scalars(
        select(User)
        .where(User.role.in_([role.value for role in STAFF_ROLES]))
        .order_by(func.lower(User.name), User.id)
    ).all()
    providers = db.session.scalars(
        select(User)
        .where(User.role == Role.PROVIDER.value)
        .outerjoin(User.organisation)
        .order_by(func.lower(Organisation.name), func.lower(User.name), User.id)
    ).all()
    return staff, providers


def account_to_change(actor: User, user_id: int) -> User:
    """The account an administrator is about to change. Raises `LookupError` if unknown."""
    _require_admin(actor)
    return _user_or_error(user_id)


def deactivation_refusal(actor: User, user: User) -> str | None:
    """Why `actor` cannot deactivate `user`, for people; None when they can."""
    if user.id == actor.id:
        return "You cannot deactivate your own account"
    if not user.is_active:
        return f"{user.name}’s account is already deactivated"
    return None


def set_active(actor: User, user_id: int, *, active: bool) -> User:
    """Deactivate (or reactivate) an account; a deactivated user is signed out at once.

    Raises `LookupError` for an unknown user, `AccountError` for the actor's own account.
    """
    user = account_to_change(actor, user_id)
    if user.id == actor.id:
        raise AccountError("You cannot deactivate your own account")
    user.is_active = active
    db.session.commit()
    return user


def create_admin(email: str, name: str, password: str) -> User:
    """An administrator with a confirmed address, for the first sign-in of a new installation.

    Raises `EmailTakenError` or `WeakPasswordError`.
    """
    address = normalise_email(email)
    _check_password(password, address)
    if user_by_email(address) is not None:
        raise EmailTakenError()
    user = User(
        email=address,
        name=name.strip(),
        role=Role.ADMIN.value,
        password_hash=hash_password(password),
        email_confirmed_at=clock.now(),
    )
    db.session.add(user)
    db.session.commit()
    return user
