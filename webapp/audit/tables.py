"""The audit log's signed head, and the record of people whose personal data was erased.

Both sit beside `AuditEvent` (in `webapp.models`) and are imported with the models.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db

HEAD_ID = 1
"""`audit_head` holds one row, with this id (the migration creates it)."""


class AuditHead(db.Model):
    """The last event of the log, signed with the audit key, updated with every event.

    A database writer who cuts events off the end of the log cannot sign a new head, so the
    shortened log no longer matches this row. `sealed_from` is the first event written with a
    signature: events before it come from before signing began and are chained only.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(80))
    sealed_from: Mapped[int | None] = mapped_column(Integer)
    seal: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PersonalDataErasure(db.Model):
    """A person whose name, email and contact details were erased, by whom and why.

    `redacted_event_seqs` lists events written before people were referenced by id only, whose
    hashed text still names the person: pages and exports withhold their text.
    """

    __tablename__ = "personal_data_erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    redacted_event_seqs: Mapped[list[Any]] = mapped_column(JSON, default=list)
