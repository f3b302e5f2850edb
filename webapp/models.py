"""Database models (SQLAlchemy 2, typed). Change one, then add an Alembic revision for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db


class Organisation(db.Model):
    """A care provider or other body that takes part in commissioning rounds."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"
