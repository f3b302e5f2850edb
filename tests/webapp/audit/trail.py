"""Reading and tampering with the stored audit log in tests, and running `commonweal audit`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner, Result
from flask import Flask

from webapp.audit.log import verify_log
from webapp.console import main
from webapp.extensions import db
from webapp.models import AuditEvent


def stored_events(app: Flask, **where: Any) -> list[AuditEvent]:
    """The events matching `where`, oldest first (detached)."""
    with app.app_context():
        query = sa.select(AuditEvent).filter_by(**where).order_by(AuditEvent.seq)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def log_is_intact(app: Flask) -> bool:
    with app.app_context():
        return verify_log().ok


def database_url(app: Flask) -> str:
    """The test database as a URL another process could open (PostgreSQL: with the schema)."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}).get("options")
    if options:
        url = url.update_query_dict({"options": options})
    return url.render_as_string(hide_password=False)


def key_env(app: Flask) -> dict[str, str]:
    """The environment a `commonweal audit` command needs: the test app's audit key."""
    return {"AUDIT_HMAC_KEY": app.config["AUDIT_HMAC_KEY"]}


def audit_verify(app: Flask, *args: str) -> Result:
    """`commonweal audit verify --database-url <the test database> ...`, with the app's key."""
    return CliRunner().invoke(
        main, ["audit", "verify", "--database-url", database_url(app), *args], env=key_env(app)
    )


def drop_append_only_triggers(app: Flask) -> None:
    """What someone with the database's owner rights could do before rewriting history."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("DROP TRIGGER audit_event_append_only ON audit_event"))
            db.session.execute(sa.text("DROP TRIGGER audit_event_no_truncate ON audit_event"))
            db.session.execute(sa.text("DROP TRIGGER audit_head_no_delete ON audit_head"))
            db.session.execute(sa.text("DROP TRIGGER audit_head_no_truncate ON audit_head"))
        else:
            db.session.execute(sa.text("DROP TRIGGER audit_event_no_update"))
            db.session.execute(sa.text("DROP TRIGGER audit_event_no_delete"))
            db.session.execute(sa.text("DROP TRIGGER audit_head_no_delete"))
        db.session.commit()


def execute(app: Flask, sql: str, **params: Any) -> None:
    with app.app_context():
        db.session.execute(sa.text(sql), params)
        db.session.commit()
