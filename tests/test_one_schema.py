"""The SQLModel classes are the one definition of the tables; every place that must
name their columns agrees with them.

`SCHEMA` below says, for every column of `models` and `recognitions`, where it goes:
the export (and so the import schema it must import back from), the audit trail's
snapshot of a model, the `ModelRecord` a script reads, the import writer's statements,
the input length limits. A column added to the table and to none of these (or to one
of these and not to the table) fails here, naming the place that was forgotten.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Column, Date, DateTime, Integer, String

from dandan import exporting, sources, tables, validation, writing
from dandan.registry import ModelRecord
from dandan.writing import snapshot


class Place(NamedTuple):
    #: Selected by the export (and so written into the import schema).
    exported: bool
    #: Its key in the audit trail's snapshot of a model (`writing.snapshot`).
    audited: str | None
    #: Its field in `ModelRecord` (`legacy` gathers the old units' codes).
    record: str | None
    #: Written by the import: inserted, and updated on a registered model.
    inserted: bool
    updated: bool
    #: Its limit in `validation.MAX_LENGTHS`, when clerks type it.
    typed_as: str | None = None


MODEL: dict[str, Place] = {
    "id": Place(False, None, None, False, False),
    "code": Place(True, None, "code", True, True),  # the key: updates name it last
    "name": Place(True, "name", "name", True, True, "name"),
    "name_folded": Place(False, None, None, True, True),  # derived from name
    "name_order": Place(False, None, None, True, True),  # derived from name
    "description": Place(True, "description", "description", True, True, "description"),
    "locality_scheme": Place(True, "locality_scheme", "locality_scheme", True, True),
    "province_code": Place(True, "province_code", "province_code", True, True),
    "province_name": Place(True, "province", "province", True, True),
    "province_input": Place(False, "province_input", None, True, True, "province"),
    "commune_code": Place(True, "commune_code", "commune_code", True, True),
    "commune_name": Place(True, "commune", "commune", True, True),
    "commune_input": Place(False, "commune_input", None, True, True, "commune"),
    "district_input": Place(False, "district_input", None, True, True, "district"),
    "legacy_province_code": Place(True, "legacy_province_code", "legacy", True, True),
    "legacy_district_code": Place(True, "legacy_district_code", "legacy", True, True),
    "legacy_commune_code": Place(True, "legacy_commune_code", "legacy", True, True),
    "field": Place(True, "field", "field", True, True),
    "sponsor": Place(True, "sponsor", "sponsor", True, True),
    "holder": Place(True, "holder", "holder", True, True),
    "holder_name": Place(True, "holder_name", "holder_name", True, True, "holder_name"),
    "kind": Place(True, "kind", "kind", True, True),
    # The registration form's items, and their folded text for --search.
    "objectives": Place(True, "objectives", "objectives", True, True, "objectives"),
    "method": Place(True, "method", "method", True, True, "method"),
    "target_group": Place(True, "target_group", "target_group", True, True, "target_group"),
    "expected_results": Place(
        True, "expected_results", "expected_results", True, True, "expected_results"
    ),
    "sustainability": Place(True, "sustainability", "sustainability", True, True, "sustainability"),
    "form_folded": Place(False, None, None, True, True),  # derived from the form's items
    "replicates": Place(True, "replicates", "replicates", True, True),
    "registered_on": Place(True, "registered_on", "registered_on", True, True),
    "status": Place(False, "status", "status", True, False),  # derived, recounted
    "withdrawn_on": Place(True, "withdrawn_on", "withdrawn_on", True, True),
    "withdrawn_reason": Place(True, "withdrawn_reason", "withdrawn_reason", True, True, "reason"),
    "created_at": Place(False, None, None, True, False),
    "updated_at": Place(False, None, None, True, True),
    "batch_id": Place(False, None, None, True, False),
    # Set with a new model (as the triggers would), kept by the triggers after.
    "first_recognized_on": Place(False, None, None, True, False),
}
#: A model's areas are rows of `model_areas`: exported as one column, audited and
#: recorded as one list, under this name.
AREAS = "areas"
#: Recognition columns: (exported, written by the import, typed as).
RECOGNITION: dict[str, tuple[bool, bool, str | None]] = {
    "id": (False, False, None),
    "model_id": (False, False, None),  # the import names the model by code
    "year": (True, True, None),
    "level": (True, True, None),
    "decision_no": (True, True, "decision"),
    "decided_on": (True, True, None),
    "body": (True, True, "by"),
    "created_at": (False, True, None),
    "outstanding": (True, True, None),
}
#: Commendation columns: (exported, written by the import, typed as).
COMMENDATION: dict[str, tuple[bool, bool, str | None]] = {
    "id": (False, False, None),
    "model_id": (False, False, None),  # the import names the model by code
    "year": (True, True, None),
    "award": (True, True, None),
    "body": (True, True, "by"),
    "decision_no": (True, True, "decision"),
    "decided_on": (True, True, None),
    "created_at": (False, True, None),
}
#: Review columns: (exported, written by the import, typed as). The export carries a
#: model's latest review, in the model's columns.
REVIEW: dict[str, tuple[bool, bool, str | None]] = {
    "id": (False, False, None),
    "model_id": (False, False, None),
    "year": (True, True, None),
    "result": (True, True, None),
    "note": (True, True, "note"),
    "created_at": (False, True, None),
}
#: Import columns that are no stored column of their own: the old district, from the
#: old units' codes.
IMPORT_ONLY = {"district", "district_code"}


def test_every_column_of_the_tables_is_placed() -> None:
    assert list(MODEL) == [c.name for c in tables.models.columns]
    assert list(RECOGNITION) == [c.name for c in tables.recognitions.columns]
    assert [c.name for c in tables.model_areas.columns] == ["model_id", "area"]
    assert list(COMMENDATION) == [c.name for c in tables.commendations.columns]
    assert list(REVIEW) == [c.name for c in tables.reviews.columns]


def test_the_export_selects_every_stored_value() -> None:
    columns = exporting.statement().selected_columns
    selected = [(c.table.name if c.name != AREAS else "model_areas", c.name) for c in columns]
    want = [("models", c) for c, p in MODEL.items() if p.exported] + [("model_areas", AREAS)]
    want += [("recognitions", c) for c, (exported, _, _) in RECOGNITION.items() if exported]
    want += [("latest_review", c) for c, (exported, _, _) in REVIEW.items() if exported]
    assert sorted(selected) == sorted(want)
    commended = exporting.commendation_statement().selected_columns
    assert [(c.table.name, c.name) for c in commended][1:] == [
        ("commendations", c) for c, (exported, _, _) in COMMENDATION.items() if exported
    ]


def test_the_import_schema_has_a_column_for_each_exported_value() -> None:
    """The export's rows are the import schema's columns, one for each value selected
    (the old units' codes fill `province_code` … for a record in old units) but the
    district, told by its code."""
    exported = sum(p.exported for p in MODEL.values()) + sum(e for e, _, _ in RECOGNITION.values())
    exported += sum(e for e, _, _ in COMMENDATION.values())
    exported += sum(e for e, _, _ in REVIEW.values())
    legacy = 3  # legacy_*_code: written into the place columns, not columns of their own
    assert len(sources.COLUMNS) == exported + 1 - legacy + len(IMPORT_ONLY)  # + areas
    assert exporting.COLUMNS == sources.COLUMNS
    assert set(sources.HEADERS) == set(sources.COLUMNS) >= IMPORT_ONLY


def _sample() -> dict[str, Any]:
    """A value of the right type for every column of `models`, by column name."""
    values: dict[str, Any] = {}
    for column in tables.models.columns:
        assert isinstance(column, Column)
        kind = column.type
        if isinstance(kind, Integer):
            values[column.name] = 1
        elif isinstance(kind, Date):
            values[column.name] = date(2024, 1, 2)
        elif isinstance(kind, DateTime) or getattr(kind, "impl", None) is DateTime:
            values[column.name] = datetime(2024, 1, 2, tzinfo=UTC)
        elif isinstance(kind, String) or "String" in type(kind).__name__:
            values[column.name] = "x"
        else:
            values[column.name] = datetime(2024, 1, 2, tzinfo=UTC)
    return values


def test_the_audit_snapshot_holds_every_audited_column() -> None:
    want = {p.audited for p in MODEL.values() if p.audited} | {AREAS}
    assert set(snapshot(_sample())) == want


def test_the_model_record_holds_every_shown_column() -> None:
    want = {p.record for p in MODEL.values() if p.record} | {
        "recognitions",
        "commendations",
        "reviews",
        "replicated_by",
        "changed",
        AREAS,
    }
    assert {f.name for f in fields(ModelRecord)} == want


@pytest.mark.parametrize(
    ("written", "want"),
    [
        (writing._MODEL_INSERT, {c for c, p in MODEL.items() if p.inserted}),
        (writing._MODEL_UPDATE, {c for c, p in MODEL.items() if p.updated}),
        (writing._RECOGNITION_INSERT, {c for c, (_, w, _) in RECOGNITION.items() if w}),
        (writing._COMMENDATION_INSERT, {c for c, (_, w, _) in COMMENDATION.items() if w}),
        (writing._REVIEW_INSERT, {c for c, (_, w, _) in REVIEW.items() if w}),
    ],
    ids=["model-insert", "model-update", "recognition-insert", "commendation-insert", "review"],
)
def test_the_import_writes_every_column(written: tuple[str, ...], want: set[str]) -> None:
    assert len(set(written)) == len(written)
    assert set(written) == want


def test_typed_values_are_limited_to_their_column() -> None:
    def length(table: Any, column: str) -> int | None:
        return getattr(table.c[column].type, "length", None)

    limits = {p.typed_as: length(tables.models, c) for c, p in MODEL.items() if p.typed_as}
    limits |= {
        typed: length(tables.recognitions, c) for c, (_, _, typed) in RECOGNITION.items() if typed
    }
    commended = {
        typed: length(tables.commendations, c) for c, (_, _, typed) in COMMENDATION.items() if typed
    }
    assert commended.items() <= limits.items()
    limits |= {typed: length(tables.reviews, c) for c, (_, _, typed) in REVIEW.items() if typed}
    assert limits == validation.MAX_LENGTHS
