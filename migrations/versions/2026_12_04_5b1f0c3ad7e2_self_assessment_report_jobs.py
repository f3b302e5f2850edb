"""Report jobs and issued reports for a provider's self-assessment report.

A self-assessment belongs to no round, so `round_id` may now be empty on a report job and an
issued report; `self_assessment_id` names the self-assessment instead. The database refuses a
second unfinished job for the same document of no round, as it does per round.

Revision ID: 5b1f0c3ad7e2
Revises: c7d2e9a41b05
Create Date: 2026-12-04 22:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b1f0c3ad7e2"
down_revision = "c7d2e9a41b05"
branch_labels = None
depends_on = None

UNFINISHED_OWN = sa.text("round_id IS NULL AND status IN ('queued', 'running')")


def upgrade() -> None:
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("self_assessment_id", sa.Integer(), nullable=True))
        batch_op.alter_column("round_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_report_job_self_assessment_id_self_assessment"),
            "self_assessment",
            ["self_assessment_id"],
            ["id"],
        )
        batch_op.create_index(
            "uq_report_job_unfinished_own",
            ["kind", "subject"],
            unique=True,
            sqlite_where=UNFINISHED_OWN,
            postgresql_where=UNFINISHED_OWN,
        )
    with op.batch_alter_table("issued_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("self_assessment_id", sa.Integer(), nullable=True))
        batch_op.alter_column("round_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_issued_report_self_assessment_id_self_assessment"),
            "self_assessment",
            ["self_assessment_id"],
            ["id"],
        )


def downgrade() -> None:
    # Before this, no report belonged to no round: the self-assessment ones cannot be kept.
    op.execute("DELETE FROM issued_report WHERE round_id IS NULL")
    op.execute("DELETE FROM report_job WHERE round_id IS NULL")
    with op.batch_alter_table("issued_report", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_issued_report_self_assessment_id_self_assessment"), type_="foreignkey"
        )
        batch_op.alter_column("round_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("self_assessment_id")
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.drop_index("uq_report_job_unfinished_own")
        batch_op.drop_constraint(
            batch_op.f("fk_report_job_self_assessment_id_self_assessment"), type_="foreignkey"
        )
        batch_op.alter_column("round_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("self_assessment_id")
