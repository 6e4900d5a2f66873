"""Alembic environment: always driven with a connection handed in by Recoup."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from backend.adapters.db import tables  # noqa: F401  (registers the tables on the metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `python -m backend migrate`, which supplies the connection")

context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
