"""Create the organisation table.

Revision ID: 1e8b68eb989d
Revises:
Create Date: 2026-11-27 23:14:24.238851
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1e8b68eb989d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )


def downgrade() -> None:
    op.drop_table("organisation")
