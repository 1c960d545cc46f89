"""The outbox: what the bot sends is a row in the transaction that decided it, then sent.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("chat", sa.String(64), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("uncertain", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("message_ids", sa.JSON(), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("next_try_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("sent_at", storage.models.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_status_next_try_at", "outbox", ["status", "next_try_at"])
    op.create_index("ix_outbox_channel_chat_id", "outbox", ["channel", "chat", "id"])
    op.create_index("ix_outbox_client_sent_at", "outbox", ["client_id", "sent_at"])
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])
    # The bot's own message ids now live in the outbox rows they were sent from; the table
    # keeps the ids of what clients typed.


def downgrade() -> None:
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.drop_index("ix_outbox_client_sent_at", table_name="outbox")
    op.drop_index("ix_outbox_channel_chat_id", table_name="outbox")
    op.drop_index("ix_outbox_status_next_try_at", table_name="outbox")
    op.drop_table("outbox")
