"""Counsellors and administrators, invitations and links, messages, the audit trail, digests.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ACTIVE_LINK = sa.text("ended_at IS NULL")


def upgrade() -> None:
    # New tables only: nothing to copy, so no batch mode is needed on SQLite.
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("is_counsellor", sa.Boolean(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("deactivated_at", storage.models.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_staff_telegram_id", "staff", ["telegram_id"], unique=True)
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("short_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("expires_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=96), nullable=True),
        sa.Column("opened_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("closed_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_invitations_code_hash", "invitations", ["code_hash"], unique=True)
    op.create_index("uq_invitations_short_hash", "invitations", ["short_hash"], unique=True)
    op.create_index("ix_invitations_opened_by", "invitations", ["opened_by"])
    op.create_table(
        "code_attempts",
        sa.Column("identity", sa.String(length=96), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", storage.models.UtcDateTime(), nullable=False),
        sa.Column("blocked_until", storage.models.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("identity"),
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("client_name", sa.Text(), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("ended_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("share_strengths", sa.Boolean(), nullable=False),
        sa.Column("share_plan", sa.Boolean(), nullable=False),
        sa.Column("share_reflections", sa.Boolean(), nullable=False),
        sa.Column("sharing_changed_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("last_viewed_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("last_digest_at", storage.models.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invitation_id"], ["invitations.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_links_active",
        "links",
        ["staff_id", "client_id"],
        unique=True,
        sqlite_where=ACTIVE_LINK,
        postgresql_where=ACTIVE_LINK,
    )
    op.create_index("ix_links_client_id", "links", ["client_id"])
    op.create_table(
        "counsellor_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("delivered_at", storage.models.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["link_id"], ["links.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_counsellor_messages_link_created", "counsellor_messages", ["link_id", "created_at"]
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("at", storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entries_client_at", "audit_entries", ["client_id", "at"])
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("due_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("period_start", storage.models.UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("sent_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_digests_staff_due_at", "digests", ["staff_id", "due_at"], unique=True)
    op.create_index("ix_digests_status_due_at", "digests", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("digests")
    op.drop_table("audit_entries")
    op.drop_table("counsellor_messages")
    op.drop_table("links")
    op.drop_table("code_attempts")
    op.drop_table("invitations")
    op.drop_table("staff")
