"""Alembic environment: the connection comes from :func:`reglament.ack.db.migrate` (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from reglament.ack.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through reglament.ack.db
    raise RuntimeError("run migrations with `reglament ack migrate`, not the alembic command")

context.configure(
    connection=connection, target_metadata=metadata, render_as_batch=True, version_table="ack_alembic_version"
)
with context.begin_transaction():
    context.run_migrations()
