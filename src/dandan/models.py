"""The registry's tables.

Localities are stored three ways on purpose: the text the clerk entered, the
official code with its scheme (codes were reused in 2025), and the official
name at the time of entry, so records stay traceable across reorganisations.
Enumerated values (field, sponsor, level...) are stored as their stable English
identifiers from `dandan.terms`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class Model(SQLModel, table=True):
    """A registered "Dân vận khéo" model (mô hình)."""

    __tablename__ = "models"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=300)
    #: Lower-case ASCII copy of `name`, so search ignores diacritics on every backend.
    name_folded: str = Field(max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    locality_scheme: str = Field(default="2025", max_length=8)
    province_code: int = Field(index=True)
    province_name: str = Field(max_length=100)
    province_input: str = Field(max_length=200)
    commune_code: int | None = Field(default=None, index=True)
    commune_name: str | None = Field(default=None, max_length=100)
    commune_input: str | None = Field(default=None, max_length=200)
    field: str = Field(max_length=32)
    sponsor: str = Field(max_length=32)
    holder: str = Field(max_length=16)
    holder_name: str | None = Field(default=None, max_length=300)
    registered_on: date = Field(index=True)
    status: str = Field(max_length=16)
    withdrawn_on: date | None = None
    withdrawn_reason: str | None = Field(default=None, max_length=1000)
    created_at: datetime
    updated_at: datetime
    #: The import batch that created the model (None when registered by hand).
    batch_id: int | None = Field(default=None, foreign_key="import_batches.id")


class Recognition(SQLModel, table=True):
    """One recognition (công nhận) of a model by an emulation council."""

    __tablename__ = "recognitions"

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="models.id", index=True)
    year: int = Field(index=True)
    level: str = Field(max_length=16)
    decision_no: str | None = Field(default=None, max_length=100)
    decided_on: date | None = None
    body: str | None = Field(default=None, max_length=300)
    created_at: datetime


class ImportBatch(SQLModel, table=True):
    """One imported file: which file (name and checksum), what it changed, when, by whom."""

    __tablename__ = "import_batches"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=300)
    sha256: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=8)
    encoding: str | None = Field(default=None, max_length=32)
    rows: int
    inserted: int
    updated: int
    skipped: int
    invalid: int
    actor: str = Field(max_length=100)
    started_at: datetime
    finished_at: datetime
