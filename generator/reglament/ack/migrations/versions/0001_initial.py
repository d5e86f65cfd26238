"""The first schema: employees, documents (a regulation's edition for a company), requirements, records.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ack_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "ack_employees",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("company", sa.String(64), nullable=False),
        sa.Column("key", sa.String(320), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("position", sa.String(300)),
        sa.Column("department", sa.String(300)),
        sa.Column("email", sa.String(320)),
        sa.Column("number", sa.String(64)),
        sa.Column("hired", sa.Date),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.UniqueConstraint("company", "key", name="uq_ack_employees_company_key"),
    )
    op.create_index("ix_ack_employees_company_email", "ack_employees", ["company", "email"])
    op.create_index("ix_ack_employees_company_number", "ack_employees", ["company", "number"])
    op.create_table(
        "ack_documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("company", sa.String(64), nullable=False),
        sa.Column("regulation", sa.String(64), nullable=False),
        sa.Column("edition", sa.String(40), nullable=False),
        sa.Column("edition_order", sa.Integer, nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("previous_edition", sa.String(40)),
        sa.Column("audience", sa.Text, nullable=False),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("items", sa.Text, nullable=False),
        sa.Column("registered_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("company", "regulation", "edition", name="uq_ack_documents_edition"),
    )
    op.create_table(
        "ack_requirements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("ack_documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("whole", sa.Boolean, nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.UniqueConstraint("document_id", "role", name="uq_ack_requirements_role"),
    )
    op.create_table(
        "ack_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
        sa.Column("employee_id", sa.Integer, sa.ForeignKey("ack_employees.id"), nullable=False),
        sa.Column("employee_key", sa.String(320), nullable=False),
        sa.Column("employee_name", sa.String(300), nullable=False),
        sa.Column("position", sa.String(300), nullable=False),
        sa.Column("company", sa.String(64), nullable=False),
        sa.Column("regulation", sa.String(64), nullable=False),
        sa.Column("edition", sa.String(40), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("clauses", sa.Text, nullable=False),
        sa.Column("acked_at", sa.String(32), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("client_addr", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(400), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False, unique=True),
        sa.UniqueConstraint("employee_id", "company", "regulation", "edition", name="uq_ack_records_once"),
    )
    op.create_index("ix_ack_records_document", "ack_records", ["company", "regulation", "edition"])
    op.create_table(
        "ack_chain_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(
        sa.table(
            "ack_chain_head", sa.column("id", sa.Integer), sa.column("seq", sa.BigInteger), sa.column("hash", sa.String)
        ),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )


def downgrade() -> None:
    for name in ("ack_chain_head", "ack_records", "ack_requirements", "ack_documents", "ack_employees", "ack_settings"):
        op.drop_table(name)
