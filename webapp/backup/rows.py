"""Which stored rows make up a round, and how a row is written to JSON and read back.

A round's export holds every row that belongs to it (its bids, their evidence, the evaluators'
sheets and marks, moderation, price checks, board submissions, issued reports, audit events)
and every row those point at (the framework version, organisations, people). Rows keep their
ids, so answers that name evidence (`"evidence:12"`), audit subjects (`"bid:7"`) and the
results recomputed from them are the same in the database they are restored into.

Values are written by column type: times as ISO 8601 with their offset, JSON documents as
JSON, everything else as it is. Reading a row back uses the same column types, so a round
trip through the files gives the database exactly what it held.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from webapp.extensions import db

__all__ = [
    "EXCLUDED_COLUMNS",
    "INSERT_ORDER",
    "RoundRows",
    "decode_row",
    "encode_row",
    "round_rows",
    "table",
]

INSERT_ORDER = (
    "organisation",
    "user_account",
    "framework_version",
    "commissioning_round",
    "round_invitation",
    "bid",
    "evidence_file",
    "round_evaluator",
    "conflict_declaration",
    "mark_sheet",
    "evaluator_mark",
    "moderation",
    "price_check",
    "report_job",
    "board_submission",
    "issued_report",
)
"""Every table a round's export holds but the audit log, parents before children."""

EXCLUDED_COLUMNS: Mapping[str, frozenset[str]] = {
    # A restored account signs in only after its owner sets a new password: password hashes
    # stay in the database they were made in.
    "user_account": frozenset({"password_hash"}),
}

_ROUND_CHILDREN = (
    "round_invitation",
    "bid",
    "round_evaluator",
    "conflict_declaration",
    "mark_sheet",
    "moderation",
    "price_check",
    "report_job",
    "board_submission",
    "issued_report",
)
"""Tables whose rows carry the round's id in `round_id`."""


def table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def _columns(name: str) -> list[sa.Column[Any]]:
    excluded = EXCLUDED_COLUMNS.get(name, frozenset())
    return [column for column in table(name).columns if column.name not in excluded]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_row(name: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row as JSON-ready values, column by column (excluded columns left out)."""
    return {column.name: _encode(row[column.name]) for column in _columns(name)}


def decode_row(name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Values written by `encode_row` as the column types want them for an insert.

    Raises KeyError naming a column the table does not have (the export is from a newer
    schema) and ValueError for a value that is not of the column's type.
    """
    columns = {column.name: column for column in table(name).columns}
    unknown = sorted(set(values) - set(columns))
    if unknown:
        raise KeyError(f"{name} has no column {', '.join(unknown)}")
    decoded: dict[str, Any] = {}
    for key, value in values.items():
        kind = columns[key].type
        if value is not None and isinstance(kind, sa.DateTime):
            decoded[key] = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, sa.Date):
            decoded[key] = date.fromisoformat(value)
        elif isinstance(value, str) and isinstance(kind, sa.Numeric):
            decoded[key] = Decimal(value)
        else:
            decoded[key] = value
    return decoded


@dataclass(frozen=True)
class RoundRows:
    """Every row of a round's export, by table, each as the database returned it."""

    tables: dict[str, list[dict[str, Any]]]
    audit_events: list[dict[str, Any]]

    def ids(self, name: str) -> set[int]:
        return {row["id"] for row in self.tables.get(name, []) if "id" in row}


def _select(name: str, where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    query = sa.select(table(name)).where(where)
    primary = list(table(name).primary_key.columns)
    rows = db.session.execute(query.order_by(*primary)).mappings()
    return [dict(row) for row in rows]


def _in(name: str, column: str, values: Iterable[int]) -> list[dict[str, Any]]:
    wanted = sorted(set(values))
    if not wanted:
        return []
    return _select(name, table(name).c[column].in_(wanted))


def _referenced(rows: dict[str, list[dict[str, Any]]], target: str) -> set[int]:
    """Ids of `target` rows that the collected rows point at through a foreign key."""
    found: set[int] = set()
    for name, table_rows in rows.items():
        for column in table(name).columns:
            if any(key.column.table.name == target for key in column.foreign_keys):
                found.update(row[column.name] for row in table_rows if row[column.name])
    return found


def round_rows(round_id: int) -> RoundRows:
    """Read every row that belongs to round `round_id`, and every row they point at."""
    rows: dict[str, list[dict[str, Any]]] = {
        "commissioning_round": _select(
            "commissioning_round", table("commissioning_round").c.id == round_id
        )
    }
    if not rows["commissioning_round"]:
        raise LookupError(f"there is no round {round_id}")
    for name in _ROUND_CHILDREN:
        rows[name] = _select(name, table(name).c.round_id == round_id)
    bid_ids = {row["id"] for row in rows["bid"]}
    rows["evidence_file"] = _in("evidence_file", "bid_id", bid_ids)
    rows["evaluator_mark"] = _in(
        "evaluator_mark", "sheet_id", (r["id"] for r in rows["mark_sheet"])
    )
    events = _select("audit_event", table("audit_event").c.round_id == round_id)

    framework_id = rows["commissioning_round"][0]["framework_version_id"]
    rows["framework_version"] = _in("framework_version", "id", [framework_id])
    organisations = _referenced(rows, "organisation")
    # The providers' own people come too, so a restored bid still has someone to act for it.
    people = _in("user_account", "organisation_id", organisations)
    people_ids = _referenced({**rows, "audit_event": events}, "user_account")
    people_ids |= {row["id"] for row in people}
    rows["user_account"] = _in("user_account", "id", people_ids)
    organisations |= _referenced({"user_account": rows["user_account"]}, "organisation")
    rows["organisation"] = _in("organisation", "id", organisations)
    return RoundRows({name: rows[name] for name in INSERT_ORDER}, events)
