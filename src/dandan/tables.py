"""The registry's tables as SQLAlchemy Core, for the read paths (filters, tallies,
exports, the audit trail, maintenance) that build SELECT statements.

They are the `__table__` of the SQLModel classes in `dandan.models`, the one
definition of the schema: a column added there is a column here.
"""

from __future__ import annotations

from sqlalchemy import MetaData, Table

from dandan.models import (
    Commendation,
    Contest,
    Event,
    ImportBatch,
    Model,
    ModelArea,
    Recognition,
    Review,
)

metadata: MetaData = Model.metadata
models: Table = Model.__table__  # type: ignore[attr-defined]
recognitions: Table = Recognition.__table__  # type: ignore[attr-defined]
model_areas: Table = ModelArea.__table__  # type: ignore[attr-defined]
commendations: Table = Commendation.__table__  # type: ignore[attr-defined]
reviews: Table = Review.__table__  # type: ignore[attr-defined]
import_batches: Table = ImportBatch.__table__  # type: ignore[attr-defined]
events: Table = Event.__table__  # type: ignore[attr-defined]
contests: Table = Contest.__table__  # type: ignore[attr-defined]
