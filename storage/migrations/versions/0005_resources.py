"""Resources (hulpbronnen) per client, and whether a link shares them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("closeness", sa.String(length=16), nullable=False),
        sa.Column("goal_number", sa.Integer(), nullable=True),
        sa.Column("domain", sa.String(length=24), nullable=True),
        sa.Column("help_with", sa.Text(), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("updated_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("removed_at", storage.models.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_resources_client_number", "resources", ["client_id", "number"], unique=True)
    with op.batch_alter_table("links") as batch:
        batch.add_column(
            sa.Column("share_resources", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("links") as batch:
        batch.drop_column("share_resources")
    op.drop_index("uq_resources_client_number", table_name="resources")
    op.drop_table("resources")
