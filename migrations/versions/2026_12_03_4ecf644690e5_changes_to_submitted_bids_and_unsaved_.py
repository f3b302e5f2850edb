"""Changes to a submitted bid kept apart from it, and what a refused save held.

A submitted bid keeps counting while its provider changes it: the changes live in
`bid.draft_answers` until they are submitted, the documents as submitted are listed in
`bid.submitted_attachments`, and `bid.changes_reminded_at` records the deadline reminder.
Bids submitted before this revision have no list; their latest documents are the submitted ones,
which is what was true for them. `unsaved_sections` (bids and self-assessments) keeps what a
refused save of a section held, so a provider who leaves the page loses nothing.

Revision ID: 4ecf644690e5
Revises: e23e244bcb93
Create Date: 2026-12-03 11:46:49.984318
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "4ecf644690e5"
down_revision = "e23e244bcb93"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_answers", _json(), nullable=True))
        batch_op.add_column(sa.Column("submitted_attachments", _json(), nullable=True))
        batch_op.add_column(
            sa.Column("changes_reminded_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("unsaved_sections", _json(), nullable=True))

    with op.batch_alter_table("self_assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unsaved_sections", _json(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("self_assessment", schema=None) as batch_op:
        batch_op.drop_column("unsaved_sections")

    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.drop_column("unsaved_sections")
        batch_op.drop_column("changes_reminded_at")
        batch_op.drop_column("submitted_attachments")
        batch_op.drop_column("draft_answers")
