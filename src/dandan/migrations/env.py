"""Alembic's entry point: migrations run on the connection `dandan.schema` hands over,
inside its transaction, so an upgrade is all or nothing."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import dandan.models  # noqa: F401 - registers the tables on SQLModel.metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite alters most things by copying the table: Alembic's batch mode does that.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
