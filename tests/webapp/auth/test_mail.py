"""The mail senders: the log (default) keeps what it sent; SMTP talks to a server."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Any, ClassVar

import pytest
from flask import Flask

from webapp import mail
from webapp.mail import OUTBOX_SIZE, MailConfigurationError, outbox_of, send_mail


def test_the_log_sender_writes_the_message_and_keeps_it(
    app: Flask, caplog: pytest.LogCaptureFixture
):
    with app.app_context(), caplog.at_level(logging.INFO, logger=app.logger.name):
        sent = send_mail("ada@example.org", "Hello", "Open https://example.org/x to go on.")

    assert outbox_of(app) == [sent]
    assert sent["To"] == "ada@example.org"
    assert sent["From"] == app.config["MAIL_SENDER"]
    assert "https://example.org/x" in caplog.text
    assert "Subject: Hello" in caplog.text


def test_the_log_sender_keeps_only_the_latest_messages(app: Flask):
    with app.app_context():
        for number in range(OUTBOX_SIZE + 5):
            send_mail("a@example.org", f"Message {number}", "Body")

    outbox = outbox_of(app)
    assert len(outbox) == OUTBOX_SIZE
    assert outbox[-1]["Subject"] == f"Message {OUTBOX_SIZE + 4}"


class FakeSMTP:
    instances: ClassVar[list[FakeSMTP]] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port = host, port
        self.calls: list[tuple[str, Any]] = []
        FakeSMTP.instances.append(self)

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append(("quit", None))

    def starttls(self) -> None:
        self.calls.append(("starttls", None))

    def login(self, username: str, password: str) -> None:
        self.calls.append(("login", (username, password)))

    def send_message(self, message: EmailMessage) -> None:
        self.calls.append(("send", message))


def test_the_smtp_sender_uses_the_configured_server(app: Flask, monkeypatch: pytest.MonkeyPatch):
    FakeSMTP.instances = []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="smtp.council.example",
        MAIL_PORT=587,
        MAIL_USE_TLS=True,
        MAIL_USERNAME="commonweal",
        MAIL_PASSWORD="s3cret",
    )

    with app.app_context():
        sent = send_mail("ada@example.org", "Hello", "Body")

    (server,) = FakeSMTP.instances
    assert (server.host, server.port) == ("smtp.council.example", 587)
    assert [name for name, _ in server.calls] == ["starttls", "login", "send", "quit"]
    assert server.calls[1][1] == ("commonweal", "s3cret")
    assert server.calls[2][1] is sent
    assert outbox_of(app) == []


def test_an_unknown_backend_is_named_in_the_error(app: Flask):
    app.config["MAIL_BACKEND"] = "pigeon"

    with app.app_context(), pytest.raises(MailConfigurationError, match=r"'pigeon'.*log, smtp"):
        send_mail("ada@example.org", "Hello", "Body")
