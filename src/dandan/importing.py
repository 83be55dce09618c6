"""Batch import of models and their recognitions from CSV.

A file holds one row per model, or several rows with the same code for a model
recognised several times. Every row goes through `dandan.validation`, the same
rules as `dandan register` and `dandan recognize`; the batch is written in one
transaction, so it lands whole or not at all.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import col

from dandan.errors import InvalidInput
from dandan.localities import CODE_PREFIXES
from dandan.models import Model, Recognition
from dandan.registry import Registry, _now
from dandan.terms import Status
from dandan.text import fold
from dandan.validation import (
    ModelDraft,
    RecognitionDraft,
    check_recognition_dates,
    draft_model,
    draft_recognition,
    parse_date,
    text,
)

COLUMNS = (
    "code",
    "name",
    "description",
    "province",
    "commune",
    "field",
    "sponsor",
    "holder",
    "holder_name",
    "registered_on",
    "withdrawn_on",
    "withdrawn_reason",
    "recognition_year",
    "recognition_level",
    "decision_no",
    "decided_on",
    "recognized_by",
)
REQUIRED = ("name", "province", "field", "sponsor")


@dataclass
class ImportSummary:
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    invalid: int = 0
    recognitions: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "skipped": self.skipped,
            "invalid": self.invalid,
        }


@dataclass
class _Pending:
    draft: ModelDraft
    code: str
    withdrawn_on: date | None
    withdrawn_reason: str | None
    recognitions: list[RecognitionDraft]


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(f"{path.name}: missing required column(s): {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            yield line, {k: (v or "") for k, v in row.items() if k is not None}


def _validate(
    rows: Iterable[tuple[int, dict[str, str]]], source: str, today: date
) -> dict[str, _Pending]:
    pending: dict[str, _Pending] = {}
    for line, row in rows:
        try:
            code = row.get("code", "").strip().upper()
            item = pending.get(code) if code else None
            if item is None:
                draft = draft_model(
                    name=row.get("name"),
                    province=row.get("province"),
                    commune=row.get("commune"),
                    field=row.get("field"),
                    sponsor=row.get("sponsor"),
                    holder=row.get("holder"),
                    holder_name=row.get("holder_name"),
                    registered_on=row.get("registered_on"),
                    description=row.get("description"),
                    code=code or None,
                    today=today,
                )
                code = draft.code or f"{CODE_PREFIXES[draft.locality.province.code]}-NEW-{line}"
                withdrawn = row.get("withdrawn_on", "").strip()
                item = _Pending(
                    draft,
                    code,
                    parse_date(withdrawn, "withdrawn_on", today=today) if withdrawn else None,
                    text(row.get("withdrawn_reason"), "reason"),
                    [],
                )
                pending[code] = item
            if row.get("recognition_year", "").strip() or row.get("recognition_level", "").strip():
                rec = draft_recognition(
                    year=row.get("recognition_year"),
                    level=row.get("recognition_level"),
                    decision_no=row.get("decision_no"),
                    decided_on=row.get("decided_on"),
                    body=row.get("recognized_by"),
                    today=today,
                )
                check_recognition_dates(item.draft.registered_on, rec)
                item.recognitions.append(rec)
        except InvalidInput as exc:
            column = exc.field or ""
            raise InvalidInput(f"{source}:{line}: column {column}: {exc.message}") from None
    return pending


def import_csv(registry: Registry, path: Path, *, today: date | None = None) -> ImportSummary:
    """Load a CSV file; models whose code is already registered are left as they are."""
    today = today or date.today()
    pending = _validate(read_csv(path), path.name, today)
    summary = ImportSummary()
    with registry._session(write=True) as s:
        existing = {c for (c,) in s.execute(select(col(Model.code)))}
        models: list[dict[str, Any]] = []
        for code, item in pending.items():
            if code in existing:
                summary.skipped += 1
                continue
            d, loc, now = item.draft, item.draft.locality, _now()
            status = Status.recognized if item.recognitions else Status.registered
            models.append(
                {
                    "code": code,
                    "name": d.name,
                    "name_folded": fold(d.name),
                    "description": d.description,
                    "locality_scheme": loc.province.scheme,
                    "province_code": loc.province.code,
                    "province_name": loc.province.name,
                    "province_input": loc.province_input,
                    "commune_code": loc.commune.code if loc.commune else None,
                    "commune_name": loc.commune.name if loc.commune else None,
                    "commune_input": loc.commune_input,
                    "field": d.field.value,
                    "sponsor": d.sponsor.value,
                    "holder": d.holder.value,
                    "holder_name": d.holder_name,
                    "registered_on": d.registered_on,
                    "status": (Status.withdrawn if item.withdrawn_on else status).value,
                    "withdrawn_on": item.withdrawn_on,
                    "withdrawn_reason": item.withdrawn_reason,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if models:
            s.execute(insert(Model), models)
            ids: dict[str, int] = dict(s.execute(select(col(Model.code), col(Model.id))).all())
            recs = [
                {
                    "model_id": ids[m["code"]],
                    "year": r.year,
                    "level": r.level.value,
                    "decision_no": r.decision_no,
                    "decided_on": r.decided_on,
                    "body": r.body,
                    "created_at": _now(),
                }
                for m in models
                for r in pending[m["code"]].recognitions
            ]
            if recs:
                s.execute(insert(Recognition), recs)
            summary.recognitions = len(recs)
        summary.inserted = len(models)
    return summary
