"""The action plan (goals, steps, their history), reminders, setback reflections; quiet hours.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate="never": plain ALTER TABLE ADD/DROP COLUMN (SQLite >= 3.35). Copying `clients`
    # would drop the old table, and with foreign keys on that cascades into every child table.
    with op.batch_alter_table("clients", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("quiet_start", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("quiet_end", sa.String(length=5), nullable=True))
        batch_op.add_column(
            sa.Column("unreachable_at", storage.models.UtcDateTime(), nullable=True)
        )
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("domain", sa.String(length=24), nullable=True),
        sa.Column("why", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("closed_at", storage.models.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_goals_client_number", "goals", ["client_id", "number"], unique=True)
    op.create_table(
        "steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("who", sa.String(length=16), nullable=False),
        sa.Column("who_name", sa.Text(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("remind_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("updated_at", storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_steps_client_number", "steps", ["client_id", "number"], unique=True)
    op.create_index("ix_steps_goal_id", "steps", ["goal_id"])
    op.create_table(
        "plan_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("goal_number", sa.Integer(), nullable=False),
        sa.Column("step_number", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_events_client_at", "plan_events", ["client_id", "at"])
    op.create_table(
        "reflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("goal_number", sa.Integer(), nullable=True),
        sa.Column("step_number", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("updated_at", storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_reflections_client_number", "reflections", ["client_id", "number"], unique=True
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("step_number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("sent_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("answered_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("told_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reminders_status_due_at", "reminders", ["status", "due_at"])
    op.create_index("ix_reminders_client_step", "reminders", ["client_id", "step_number"])


def downgrade() -> None:
    op.drop_table("reminders")
    op.drop_table("reflections")
    op.drop_table("plan_events")
    op.drop_table("steps")
    op.drop_table("goals")
    with op.batch_alter_table("clients", recreate="never") as batch_op:
        batch_op.drop_column("unreachable_at")
        batch_op.drop_column("quiet_end")
        batch_op.drop_column("quiet_start")
