"""Alembic migration scripts of the registry's schema (run through `dandan.schema`)."""
