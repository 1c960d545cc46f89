"""Team strength meetings in groups: the meeting, its members and ideas, and the steps it
proposes to a client (who decides).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("chair_id", sa.BigInteger(), nullable=False),
        sa.Column("chair_name", sa.Text(), nullable=False),
        sa.Column("minutes", sa.JSON(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("presenter_id", sa.BigInteger(), nullable=True),
        sa.Column("presenter_name", sa.Text(), nullable=True),
        sa.Column("case_label", sa.String(length=16), nullable=True),
        sa.Column("case_link_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("deadline", storage.models.UtcDateTime(), nullable=True),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("nudged", sa.Boolean(), nullable=False),
        sa.Column("wake_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("timer_message_id", sa.BigInteger(), nullable=True),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("reminded", sa.JSON(), nullable=False),
        sa.Column("proposed", sa.Boolean(), nullable=False),
        sa.Column("started_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("ended_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("follow_up", sa.Text(), nullable=True),
        sa.Column("follow_up_status", sa.String(length=16), nullable=True),
        sa.Column("follow_up_in", sa.BigInteger(), nullable=True),
        sa.Column("follow_up_at", storage.models.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_link_id"], ["links.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_meetings_key", "meetings", ["key"], unique=True)
    op.create_index(
        "uq_meetings_active_chat",
        "meetings",
        ["chat_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index("ix_meetings_chat_started", "meetings", ["chat_id", "started_at"])
    op.create_table(
        "meeting_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_meeting_members_user", "meeting_members", ["meeting_id", "user_id"], unique=True
    )
    op.create_table(
        "meeting_ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("chosen", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_meeting_ideas_number", "meeting_ideas", ["meeting_id", "number"], unique=True
    )
    op.create_table(
        "step_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("decided_at", storage.models.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["link_id"], ["links.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_step_proposals_client_status", "step_proposals", ["client_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_step_proposals_client_status", table_name="step_proposals")
    op.drop_table("step_proposals")
    op.drop_index("uq_meeting_ideas_number", table_name="meeting_ideas")
    op.drop_table("meeting_ideas")
    op.drop_index("uq_meeting_members_user", table_name="meeting_members")
    op.drop_table("meeting_members")
    op.drop_index("ix_meetings_chat_started", table_name="meetings")
    op.drop_index("uq_meetings_active_chat", table_name="meetings")
    op.drop_index("uq_meetings_key", table_name="meetings")
    op.drop_table("meetings")
