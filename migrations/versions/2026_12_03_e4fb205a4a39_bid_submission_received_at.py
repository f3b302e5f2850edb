"""When the server received each bid's latest submission, and the page it was posted from.

`bid.submitted_received_at` is the moment the deadline was judged by (the request's arrival, or
a trusted proxy's stamp), printed on the receipt. `bid.submitted_from_version` is the bid
version of the check page that was submitted, so posting it again shows the receipt instead of
submitting twice. Bids submitted before this revision have neither; their receipts fall back to
`submitted_at`.

Revision ID: e4fb205a4a39
Revises: 4ecf644690e5
Create Date: 2026-12-03 14:26:16.389543
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4fb205a4a39"
down_revision = "4ecf644690e5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("submitted_received_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("submitted_from_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.drop_column("submitted_from_version")
        batch_op.drop_column("submitted_received_at")
