"""Backup and restore: a round written to a folder of JSON and files, and read back elsewhere.

`export_round` writes one round with everything it points at; `restore_round` puts it into
another database (SQLite or PostgreSQL) in one transaction, after checking every file's hash,
the schema revision and each audit event's own hash. Whole-database backups use the databases'
own tools (`commonweal db backup` for SQLite, pg_dump for PostgreSQL): see the README.
"""

from webapp.backup.export import ExportError, ExportSummary, export_round
from webapp.backup.restore import RestoreError, RestoreSummary, restore_round
from webapp.backup.sqlite import backup_sqlite

__all__ = [
    "ExportError",
    "ExportSummary",
    "RestoreError",
    "RestoreSummary",
    "backup_sqlite",
    "export_round",
    "restore_round",
]
