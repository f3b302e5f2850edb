"""Sending email through a sender chosen by configuration.

`MAIL_BACKEND` names a sender in `SENDERS`:

- `log` (the default) writes each message, links included, to the application log at INFO and
  keeps the latest ones in `app.extensions["mail_outbox"]`, so a developer can follow a
  confirmation link from the console and a test can read the message the code really produced;
- `smtp` hands the message to the SMTP server in `MAIL_SERVER`/`MAIL_PORT`, with STARTTLS when
  `MAIL_USE_TLS` is set and a login when `MAIL_USERNAME` is.

A new way of sending (an HTTP API, say) is one function and one entry in `SENDERS`.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from email.message import EmailMessage

from flask import Flask, current_app

OUTBOX_KEY = "mail_outbox"
OUTBOX_SIZE = 50
"""How many sent messages the log sender keeps for reading back."""

Sender = Callable[[Flask, EmailMessage], None]


class MailConfigurationError(RuntimeError):
    """The configured `MAIL_BACKEND` is not one Commonweal knows."""


def mail_logger(app: Flask) -> logging.Logger:
    """The app logger's `mail` child, at INFO even when the app logs only warnings.

    Its records go to the app logger's handlers (stderr by default, under gunicorn too), so a
    confirmation link shows in the console of `make run`.
    """
    logger = app.logger.getChild("mail")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    return logger


def send_with_log(app: Flask, message: EmailMessage) -> None:
    mail_logger(app).info(
        "Email to %s\nSubject: %s\n\n%s",
        message["To"],
        message["Subject"],
        message.get_content(),
    )
    outbox = outbox_of(app)
    outbox.append(message)
    del outbox[:-OUTBOX_SIZE]


def send_with_smtp(app: Flask, message: EmailMessage) -> None:
    config = app.config
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as server:
        if config.get("MAIL_USE_TLS"):
            server.starttls()
        if config.get("MAIL_USERNAME"):
            server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        server.send_message(message)


SENDERS: dict[str, Sender] = {
    "log": send_with_log,
    "smtp": send_with_smtp,
}


def outbox_of(app: Flask) -> list[EmailMessage]:
    """The messages the log sender has kept for `app`, oldest first."""
    outbox: list[EmailMessage] = app.extensions.setdefault(OUTBOX_KEY, [])
    return outbox


def compose(to: str, subject: str, body: str, *, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def send_mail(to: str, subject: str, body: str) -> EmailMessage:
    """Send a plain-text email with the configured sender and return the message sent."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    backend = app.config.get("MAIL_BACKEND") or "log"
    try:
        sender = SENDERS[backend]
    except KeyError:
        known = ", ".join(sorted(SENDERS))
        raise MailConfigurationError(
            f"MAIL_BACKEND is {backend!r}, which Commonweal cannot send with. Use one of: {known}."
        ) from None
    message = compose(
        to, subject, body, sender=app.config.get("MAIL_SENDER", "commonweal@localhost")
    )
    sender(app, message)
    return message
