"""Erasure that reaches team-meeting records, and an audit trail that outlives it
(pseudonymised).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# 0003 left the foreign key unnamed: PostgreSQL named it itself, SQLite's copy of the table
# gets its name from this convention when batch mode reads it back.
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _client_fk() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "audit_entries_client_id_fkey"
    return "fk_audit_entries_client_id_clients"


def _client_id(nullable: bool, ondelete: str) -> None:
    name = _client_fk()
    with op.batch_alter_table("audit_entries", naming_convention=NAMING) as batch:
        batch.drop_constraint(name, type_="foreignkey")
        batch.alter_column("client_id", existing_type=sa.Integer(), nullable=nullable)
        batch.create_foreign_key(name, "clients", ["client_id"], ["id"], ondelete=ondelete)


def upgrade() -> None:
    op.add_column(
        "meetings", sa.Column("case_removed_at", storage.models.UtcDateTime(), nullable=True)
    )
    op.add_column("audit_entries", sa.Column("client_pseudonym", sa.String(64), nullable=True))
    op.create_index("ix_audit_entries_client_pseudonym", "audit_entries", ["client_pseudonym"])
    _client_id(nullable=True, ondelete="SET NULL")


def downgrade() -> None:
    # Before 0008 an entry could not outlive its client: the pseudonymised ones go.
    op.execute("DELETE FROM audit_entries WHERE client_id IS NULL")
    _client_id(nullable=False, ondelete="CASCADE")
    op.drop_index("ix_audit_entries_client_pseudonym", "audit_entries")
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("client_pseudonym")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("case_removed_at")
