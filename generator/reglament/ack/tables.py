"""The schema (SQLAlchemy Core). Migrations in ``migrations/versions`` create it; keep both in step.

Texts that take part in a record's hash (times, lists of clause ids) are
stored as text in one canonical form, so SQLite and PostgreSQL give back
exactly the bytes that were hashed.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

settings = Table(
    "ack_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

employees = Table(
    "ack_employees",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company", String(64), nullable=False),
    Column("key", String(320), nullable=False),
    Column("name", String(300), nullable=False),
    Column("roles", Text, nullable=False),  # JSON list of role ids
    Column("position", String(300)),
    Column("department", String(300)),
    Column("email", String(320)),
    Column("number", String(64)),
    Column("hired", Date),
    Column("active", Boolean, nullable=False, default=True),
    Column("source", String(16), nullable=False),  # profile | import
    UniqueConstraint("company", "key", name="uq_ack_employees_company_key"),
    Index("ix_ack_employees_company_email", "company", "email"),
    Index("ix_ack_employees_company_number", "company", "number"),
)

documents = Table(
    "ack_documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company", String(64), nullable=False),
    Column("regulation", String(64), nullable=False),
    Column("edition", String(40), nullable=False),
    Column("edition_order", Integer, nullable=False),  # position in editions.yml (oldest 0)
    Column("title", String(500), nullable=False),
    Column("effective", Date, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("mode", String(8), nullable=False),  # affected | all | none
    Column("previous_edition", String(40)),
    Column("audience", Text, nullable=False),  # JSON list of role ids
    Column("roles", Text, nullable=False),  # JSON {role id: {name, department}} of the variant
    Column("items", Text, nullable=False),  # JSON list of the clauses shown for the whole text
    Column("registered_at", String(32), nullable=False),
    Column("review_due", Date),  # the review deadline of the edition's regulation (migration 0003)
    UniqueConstraint("company", "regulation", "edition", name="uq_ack_documents_edition"),
)

requirements = Table(
    "ack_requirements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("ack_documents.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(64), nullable=False),
    Column("whole", Boolean, nullable=False),  # the whole text (acknowledge: all), else the changes below
    Column("changes", Text, nullable=False),  # JSON list of the diff's item changes for this role
    Column("reasons", Text, nullable=False),  # JSON list of the diff's impact reasons
    UniqueConstraint("document_id", "role", name="uq_ack_requirements_role"),
)

acknowledgements = Table(
    "ack_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("employee_id", Integer, ForeignKey("ack_employees.id"), nullable=False),
    Column("employee_key", String(320), nullable=False),
    Column("employee_name", String(300), nullable=False),
    Column("position", String(300), nullable=False),
    Column("company", String(64), nullable=False),
    Column("regulation", String(64), nullable=False),
    Column("edition", String(40), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("clauses", Text, nullable=False),  # JSON list of the clause ids shown
    Column("acked_at", String(32), nullable=False),  # UTC, ISO 8601 with microseconds and Z
    Column("method", String(16), nullable=False),  # proxy | link
    Column("client_addr", String(64), nullable=False),
    Column("user_agent", String(400), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("record_hash", String(64), nullable=False, unique=True),
    UniqueConstraint("employee_id", "company", "regulation", "edition", name="uq_ack_records_once"),
    Index("ix_ack_records_document", "company", "regulation", "edition"),
)

chain_head = Table(
    "ack_chain_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)
