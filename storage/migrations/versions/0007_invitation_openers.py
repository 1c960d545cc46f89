"""Who opened an invitation (first name, @username), confirmed by the counsellor before
anything is shared.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("links", sa.Column("confirmed_at", storage.models.UtcDateTime(), nullable=True))
    op.add_column("links", sa.Column("opener_username", sa.Text(), nullable=True))
    # The links made before this were made by the client with the counsellor's own code.
    op.execute("UPDATE links SET confirmed_at = created_at")


def downgrade() -> None:
    # Before 0007 every link shared at once: a link nobody confirmed may not become one.
    op.execute("DELETE FROM links WHERE confirmed_at IS NULL")
    # ALTER TABLE ... DROP COLUMN, also on SQLite (3.35 and later): a batch copy would drop the
    # old table, and with foreign keys on that deletes every message and proposal of a link.
    op.drop_column("links", "opener_username")
    op.drop_column("links", "confirmed_at")
