"""The `commonweal` commands that read or change the web app's database: `audit`, `round`,
`db` and `people`. `webapp.console` loads this module only when one of them is run.

They use the app's database: `DATABASE_URL`, else the SQLite file under `instance/`, or the
database named by `--database-url`.

Exit status of `commonweal audit verify`: 0 the log is intact, 1 it is broken (the first broken
event is named), 2 the log could not be read. The log is checked with `AUDIT_HMAC_KEY`, which
must be the key the app signs with.

`commonweal people export EMAIL -o FILE` writes everything held about a person (subject
access); `commonweal people erase EMAIL` pseudonymises them once their retention has ended.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from config import engine_options_for, normalise_database_url

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["BROKEN", "UNREADABLE", "audit", "db_group", "people", "round_group"]

BROKEN = 1
UNREADABLE = 2


@click.group(help="Check the audit log of every change made in the web app.")
def audit() -> None:
    pass


@audit.command("verify")
@click.option(
    "--database-url",
    default=None,
    metavar="URL",
    help="The database to check (default: DATABASE_URL, else the SQLite file under instance/).",
)
@click.option(
    "--head",
    "anchor_text",
    default=None,
    metavar="N:HASH",
    help="A head printed by an earlier check: fail if that event has gone or changed since.",
)
def audit_verify(database_url: str | None, anchor_text: str | None) -> None:
    """Check every event's hash and its link to the event before, from the first event."""
    from webapp.audit.chain import Anchor
    from webapp.audit.log import verify_log

    try:
        anchor = Anchor.parse(anchor_text) if anchor_text else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--head") from None
    app = _app(database_url)
    missing = _missing_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if missing:
        click.echo(f"There is no database at {missing}: nothing to check.", err=True)
        raise SystemExit(UNREADABLE)
    with app.app_context():
        try:
            report = verify_log(anchor)
        except SQLAlchemyError as error:
            click.echo(
                f"Could not read the audit log in {_shown(app.config['SQLALCHEMY_DATABASE_URI'])}: "
                f"{type(error).__name__}. Is the database up to date (flask db upgrade)?",
                err=True,
            )
            raise SystemExit(UNREADABLE) from None
        finally:
            _close(app)
    if report.broken is not None:
        click.echo(f"Audit log broken at event {report.broken.seq}: {report.broken.problem}")
        raise SystemExit(BROKEN)
    click.echo(f"Audit log intact: {report.checked} events checked.")
    if report.head is not None:
        click.echo(f"Head: {report.head}")


DATABASE_URL_OPTION = click.option(
    "--database-url",
    default=None,
    metavar="URL",
    help="The database (default: DATABASE_URL, else the SQLite file under instance/).",
)
UPLOAD_FOLDER_OPTION = click.option(
    "--upload-folder",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where evidence and issued reports are kept (default: the app's UPLOAD_FOLDER).",
)


@click.group("round", help="Export a round to a folder, or restore one from such a folder.")
def round_group() -> None:
    pass


@round_group.command("export")
@click.argument("round_id")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new or empty folder to write the round to.",
)
@DATABASE_URL_OPTION
@UPLOAD_FOLDER_OPTION
def round_export(
    round_id: str, output: Path, database_url: str | None, upload_folder: Path | None
) -> None:
    """Write round ROUND_ID (its number or reference) with its bids, marks, files and log."""
    import sqlalchemy as sa

    from webapp.backup import ExportError, export_round
    from webapp.extensions import db
    from webapp.models import CommissioningRound

    app = _app(database_url, upload_folder)
    with app.app_context():
        try:
            where = CommissioningRound.reference == round_id
            if round_id.isdigit():
                where = sa.or_(where, CommissioningRound.id == int(round_id))
            round_ = db.session.scalars(sa.select(CommissioningRound).where(where)).first()
            if round_ is None:
                click.echo(f"There is no round {round_id}.", err=True)
                raise SystemExit(UNREADABLE)
            summary = export_round(round_, output)
        except ExportError as error:
            click.echo(f"Could not export round {round_id}: {error}", err=True)
            raise SystemExit(UNREADABLE) from None
        finally:
            _close(app)
    rows = sum(summary.counts.values())
    click.echo(
        f"Exported round {summary.reference} to {output}: {rows} rows, {summary.files} files."
    )


@round_group.command("import")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
@DATABASE_URL_OPTION
@UPLOAD_FOLDER_OPTION
def round_import(directory: Path, database_url: str | None, upload_folder: Path | None) -> None:
    """Restore the round exported to DIRECTORY into the database, all of it or nothing."""
    from webapp.backup import RestoreError, restore_round

    app = _app(database_url, upload_folder)
    with app.app_context():
        try:
            summary = restore_round(directory)
        except RestoreError as error:
            click.echo(f"Nothing was restored: {error}", err=True)
            raise SystemExit(UNREADABLE) from None
        finally:
            _close(app)
    rows = sum(summary.inserted.values())
    reused = sum(summary.reused.values())
    click.echo(
        f"Restored round {summary.reference}: {rows} rows written, {reused} reused "
        f"(people and frameworks already here), {summary.events} audit events recorded again."
    )


@click.group("db", help="Whole-database backups.")
def db_group() -> None:
    pass


@db_group.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@DATABASE_URL_OPTION
def db_backup(target: Path, database_url: str | None) -> None:
    """Copy the live SQLite database to TARGET with SQLite's online backup API."""
    from webapp.backup import backup_sqlite

    app = _app(database_url)
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database:
        click.echo(
            "This database is not a SQLite file: back PostgreSQL up with pg_dump "
            "(see the README's 'Backup and restore').",
            err=True,
        )
        raise SystemExit(UNREADABLE)
    try:
        pages = backup_sqlite(Path(url.database), target)
    except (OSError, sqlite3.Error) as error:
        click.echo(f"Could not back up {url.database}: {error}", err=True)
        raise SystemExit(UNREADABLE) from None
    click.echo(f"Backed up {url.database} to {target} ({pages} pages), checked intact.")


@audit.command("anchor")
@click.option("--database-url", default=None, metavar="URL", help="The database to read.")
def audit_anchor(database_url: str | None) -> None:
    """Print the signed head of the log, to keep somewhere outside the database.

    Pass the head back to `commonweal audit verify --head` later: events cut off after it, or a
    log rebuilt from an older copy of the database, fail that check.
    """
    from webapp.audit.tables import HEAD_ID, AuditHead

    app = _app(database_url)
    with app.app_context():
        try:
            head = _db().session.get(AuditHead, HEAD_ID)
        finally:
            _close(app)
    if head is None or head.seq == 0:
        click.echo("The audit log is empty: there is no head to note.")
        return
    click.echo(f"Head: {head.seq}:{head.hash}")
    click.echo(f"Signature: {head.seal or 'none (nothing signed yet)'}")
    click.echo(f"Signed at: {head.updated_at.isoformat() if head.updated_at else 'unknown'}")


@audit.command("grants")
@click.argument("role")
@click.option("--schema", default="public", show_default=True, help="The app's schema.")
def audit_grants(role: str, schema: str) -> None:
    """Print the SQL giving the app's PostgreSQL ROLE what it needs, and no power to rewrite
    the audit log. Run it as the tables' owner after every migration."""
    from webapp.audit.privileges import app_role_grants

    try:
        statements = app_role_grants(role, schema)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    for statement in statements:
        click.echo(statement + ";")


@click.group(help="Personal data held about a person: subject access export and erasure.")
def people() -> None:
    pass


@people.command("export")
@click.argument("email")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The JSON file to write.",
)
@click.option("--database-url", default=None, metavar="URL", help="The database to read.")
def people_export(email: str, output: Path, database_url: str | None) -> None:
    """Write everything held about the person with this email address (or account id)."""
    from webapp.services import personal_data

    app = _app(database_url)
    with app.app_context():
        try:
            user = personal_data.find_person(email)
            data = personal_data.export_person(user, by=None)
        except LookupError as error:
            raise click.ClickException(str(error)) from None
        finally:
            _close(app)
    output.write_text(personal_data.export_json(data), encoding="utf-8")
    click.echo(f"Wrote the personal data of user {data['account']['id']} to {output}.")


@people.command("erase")
@click.argument("email")
@click.option("--force", is_flag=True, help="Erase before the retention period has ended.")
@click.option("--reason", default="", help="Why (required with --force).")
@click.option("--database-url", default=None, metavar="URL", help="The database to change.")
def people_erase(email: str, force: bool, reason: str, database_url: str | None) -> None:
    """Pseudonymise the person with this email address (or account id) after retention."""
    from webapp.services import personal_data

    app = _app(database_url)
    with app.app_context():
        try:
            user = personal_data.find_person(email)
            user_id = user.id
            erasure = personal_data.erase_person(user, by=None, reason=reason, force=force)
            withheld = len(erasure.redacted_event_seqs or [])
        except LookupError as error:
            raise click.ClickException(str(error)) from None
        except personal_data.ErasureRefusedError as error:
            raise click.ClickException(error.message) from None
        finally:
            _close(app)
    click.echo(f"Erased the personal data of user {user_id}.")
    if withheld:
        click.echo(f"{withheld} earlier audit event(s) naming them are now withheld from display.")


def _db() -> Any:
    from webapp.extensions import db

    return db


def _app(database_url: str | None, upload_folder: Path | None = None) -> Flask:
    """The web app on its configured database, or on `database_url` when given."""
    from webapp import create_app

    overrides: dict[str, object] = {}
    if upload_folder is not None:
        overrides["UPLOAD_FOLDER"] = str(upload_folder)
    if database_url:
        url = normalise_database_url(database_url)
        overrides["SQLALCHEMY_DATABASE_URI"] = url
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options_for(url)
    return create_app(overrides or None)


def _missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite file that does not exist (connecting would create it empty)."""
    parsed = sa.engine.make_url(url)
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return None
    return None if Path(path).exists() else path


def _close(app: Flask) -> None:
    from webapp.extensions import db

    db.session.remove()
    db.engine.dispose()


def _shown(url: str) -> str:
    """The URL without its password."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)
