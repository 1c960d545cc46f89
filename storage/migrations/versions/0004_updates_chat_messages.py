"""Updates processed (at most once each), and the ids of recent chat messages (for /wissen).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", storage.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index("ix_processed_updates_at", "processed_updates", ["at"])
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("at", storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_chat_messages_client_message", "chat_messages", ["client_id", "message_id"], unique=True
    )
    op.create_index("ix_chat_messages_at", "chat_messages", ["at"])


def downgrade() -> None:
    op.drop_index("ix_chat_messages_at", table_name="chat_messages")
    op.drop_index("uq_chat_messages_client_message", table_name="chat_messages")
    op.drop_table("chat_messages")
    op.drop_index("ix_processed_updates_at", table_name="processed_updates")
    op.drop_table("processed_updates")
