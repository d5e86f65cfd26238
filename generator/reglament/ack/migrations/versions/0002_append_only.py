"""Records become append-only in the database itself: UPDATE and DELETE on ack_records are refused.

The hash chain (``reglament ack verify``) still detects a row changed by
someone who drops these triggers first; the triggers stop every ordinary
mistake and every application bug.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "ack_records is append-only"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER ack_records_no_{event.lower()} BEFORE {event} ON ack_records "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(f"""CREATE FUNCTION ack_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
        op.execute(
            "CREATE TRIGGER ack_records_append_only BEFORE UPDATE OR DELETE ON ack_records "
            "FOR EACH ROW EXECUTE FUNCTION ack_records_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ack_records_no_update")
        op.execute("DROP TRIGGER IF EXISTS ack_records_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ack_records_append_only ON ack_records")
        op.execute("DROP FUNCTION IF EXISTS ack_records_append_only()")
