"""Alembic migrations of the acknowledgement database (run by :func:`reglament.ack.db.migrate`)."""
