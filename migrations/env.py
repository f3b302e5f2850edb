"""Alembic environment: runs migrations with the Flask app's database engine and metadata."""

import logging
from logging.config import fileConfig
from typing import Any

from alembic import context
from flask import current_app

config = context.config

# Tests capture logging themselves; the command line gets the handlers from alembic.ini.
if config.config_file_name is not None and not current_app.testing:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_extension = current_app.extensions["migrate"]
target_db = migrate_extension.db
config.set_main_option(
    "sqlalchemy.url",
    target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
)


def run_migrations_offline() -> None:
    """Write the SQL to standard output instead of running it (`flask db upgrade --sql`)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        **migrate_extension.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against the app's database."""

    def skip_empty_autogenerate(context: Any, revision: Any, directives: list[Any]) -> None:
        # `flask db migrate` with no model changes should not write an empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    configure_args = dict(migrate_extension.configure_args)
    configure_args.setdefault("process_revision_directives", skip_empty_autogenerate)

    with target_db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode rebuilds a table by copying it and dropping the old one; with foreign
            # keys enforced that drop would delete (or refuse for) the rows that refer to it.
            # The pragma only takes effect outside a transaction, so it is set before one begins.
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
        context.configure(
            connection=connection, target_metadata=target_db.metadata, **configure_args
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if connection.dialect.name == "sqlite":
                # The connection goes back to the app's pool: enforce foreign keys again.
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
