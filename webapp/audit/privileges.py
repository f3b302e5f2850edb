"""The PostgreSQL privileges the app's own database role should have, as SQL to run.

The triggers that keep the audit log append-only bind every role but the table's owner (and a
superuser), who can drop or disable them. So the app must not connect as the owner: migrations
run as the owner, the app as a role that can read and add events but never change, delete or
truncate them. `commonweal audit grants ROLE` prints these statements.
"""

from __future__ import annotations

__all__ = ["app_role_grants"]


def _quoted(name: str) -> str:
    if not name or '"' in name or "\x00" in name:
        raise ValueError(f"{name!r} cannot be used as a PostgreSQL role or schema name")
    return f'"{name}"'


def app_role_grants(role: str, schema: str = "public") -> list[str]:
    """GRANT and REVOKE statements for `role`, to run as the owner after every migration."""
    r, s = _quoted(role), _quoted(schema)
    return [
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        # The log: read and add only. The head: read, add and move, never remove.
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {s}.audit_event FROM {r}",
        f"REVOKE DELETE, TRUNCATE ON {s}.audit_head FROM {r}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {s}.alembic_version FROM {r}",
    ]
