"""Report jobs that render one document, queued and retried.

A job may now render a round's board pack or one bid's assessment summary as well as issue
every summary of a round: `subject` says which document ("" for the round's own, "bid:<id>"
for a bid's), `bid_id` names the bid, and `attempts` counts the runs started. The database
still refuses a second unfinished job, now per round, kind and subject instead of per round.
`source_sha256` (on jobs and issued reports) is the hash of the document's HTML: the same HTML
gives the same PDF, so a document is rendered once and served from the store afterwards.

Revision ID: c7d2e9a41b05
Revises: ab64d5967660
Create Date: 2026-12-03 18:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c7d2e9a41b05"
down_revision = "ab64d5967660"
branch_labels = None
depends_on = None

UNFINISHED = sa.text("status IN ('queued', 'running')")


def upgrade() -> None:
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("bid_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("source_sha256", sa.String(length=80), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_report_job_bid_id_bid"), "bid", ["bid_id"], ["id"]
        )
        batch_op.drop_index("uq_report_job_unfinished_round")
        batch_op.create_index(
            "uq_report_job_unfinished",
            ["round_id", "kind", "subject"],
            unique=True,
            sqlite_where=UNFINISHED,
            postgresql_where=UNFINISHED,
        )
    with op.batch_alter_table("issued_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_sha256", sa.String(length=80), nullable=True))


def downgrade() -> None:
    # Only the bulk jobs existed before: the single-document ones cannot be kept.
    single = "SELECT id FROM report_job WHERE kind <> 'assessment_summaries'"
    op.execute(f"UPDATE issued_report SET job_id = NULL WHERE job_id IN ({single})")
    op.execute("DELETE FROM report_job WHERE kind <> 'assessment_summaries'")
    with op.batch_alter_table("issued_report", schema=None) as batch_op:
        batch_op.drop_column("source_sha256")
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.drop_index("uq_report_job_unfinished")
        batch_op.create_index(
            "uq_report_job_unfinished_round",
            ["round_id"],
            unique=True,
            sqlite_where=UNFINISHED,
            postgresql_where=UNFINISHED,
        )
        batch_op.drop_constraint(batch_op.f("fk_report_job_bid_id_bid"), type_="foreignkey")
        batch_op.drop_column("source_sha256")
        batch_op.drop_column("attempts")
        batch_op.drop_column("bid_id")
        batch_op.drop_column("subject")
