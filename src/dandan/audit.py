"""The audit trail: every change, who made it and when, with the values before and after.

`Registry` and the importer append events in the same transaction as the change
(see `dandan.registry.event_row`), and the database refuses to alter them. This
module reads them back: a model's story (`history`) and the registry's (`log`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import and_, or_, select

from dandan import database, i18n, tables
from dandan.errors import Advice, NotFound
from dandan.i18n import N_, _
from dandan.registry import Registry
from dandan.terms import COLUMN_LABELS, Result, label, shown
from dandan.validation import parse_code
from dandan.writing import award_words, level_words

E = tables.events
M = tables.models


def history(registry: Registry, code: str) -> list[dict[str, Any]]:
    """A model's events, oldest first: its registration (or the import that created
    it), edits, recognitions, withdrawal, and imports that changed it."""
    wanted = parse_code(code)
    with database.translate_errors(registry.url), registry.engine.connect() as conn:
        found = conn.execute(select(M.c.batch_id).where(M.c.code == wanted)).first()
        if found is None:
            raise NotFound(
                _("no model with code {code!r}").format(code=wanted), advice=Advice.find_code
            )
        created_by = [and_(E.c.model_code.is_(None), E.c.batch_id == found[0])] if found[0] else []
        rows = conn.execute(
            select(E).where(or_(E.c.model_code == wanted, *created_by)).order_by(E.c.id)
        ).all()
    return [_event(row._mapping) for row in rows]


def log(
    registry: Registry, since: date | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The registry's events, newest first, from the start of `since` (UTC)."""
    stmt = select(E).order_by(E.c.id.desc())
    if since is not None:
        stmt = stmt.where(E.c.at >= datetime.combine(since, time.min, tzinfo=UTC))
    if limit is not None:
        stmt = stmt.limit(limit)
    with database.translate_errors(registry.url), registry.engine.connect() as conn:
        return [_event(row._mapping) for row in conn.execute(stmt)]


def _event(row: Any) -> dict[str, Any]:
    before = json.loads(row["before"]) if row["before"] else None
    after = json.loads(row["after"]) if row["after"] else None
    return {
        "at": row["at"],
        "actor": row["actor"],
        "command": row["command"],
        "model": row["model_code"],
        "batch": row["batch_id"],
        # Data, the same in every language; `for_people` says it in the reader's.
        "changes": summary(row["command"], before, after, say=N_),
        "before": before,
        "after": after,
    }


def for_people(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events as a table shows them: their changes told in the reader's language."""
    return [{**e, "changes": summary(e["command"], e["before"], e["after"])} for e in events]


#: The fields' names, and the reason an unrecognize or a reinstatement gives.
_LABELS = {**COLUMN_LABELS, "reason": N_("Reason")}


def summary(
    command: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    say: Callable[[str], str] = _,
) -> str:
    """One line a person reads: "status: registered → recognized; level: province".
    In the reader's language, or with `say=N_` in English whatever the language."""
    before, after = before or {}, after or {}
    english = say is N_
    if command == "register":
        return say(N_("registered {name} ({province})")).format(
            name=after.get("name", ""), province=after.get("province", "")
        )
    if command in ("contest-add", "contest-import"):
        return say(N_("contest {id} recorded: {name} ({province}, {held_on})")).format(
            id=after.get("contest"), name=after.get("name", ""),
            province=after.get("province_name", ""), held_on=after.get("held_on", ""),
        )  # fmt: skip
    if command == "contest-remove":
        return say(N_("contest {id} removed: {name}; reason: {reason}")).format(
            id=before.get("contest"), name=before.get("name", ""), reason=after.get("reason", "")
        )
    if command == "import" and "file" in after:
        return say(N_("{file}: inserted {inserted}, updated {updated}, skipped {skipped}")).format(
            file=after["file"], **{k: after.get(k, 0) for k in ("inserted", "updated", "skipped")}
        )
    parts = []
    removed = before.get("recognition") if command == "unrecognize" else None
    if isinstance(removed, dict):
        parts.append(
            say(N_("removed the recognition at {level} level ({year})")).format(
                level=_level(removed.get("level"), english), year=removed.get("year")
            )
        )
    for key, new in after.items():
        if key in before and before[key] == new:
            continue  # kept for the record (a recognition's status), not a change
        if key == "recognition" and isinstance(new, dict):
            if new.get("outstanding"):
                said = say(N_("recognised at {level} level ({year}), named outstanding"))
            else:
                said = say(N_("recognised at {level} level ({year})"))
            parts.append(said.format(level=_level(new.get("level"), english), year=new.get("year")))
        elif key == "recognitions" and isinstance(new, list):
            parts.append(say(N_("{count} recognition(s) added")).format(count=len(new)))
        elif key == "commendation" and isinstance(new, dict):
            award = new.get("award")
            if not english and isinstance(award, str):
                award = award_words(award)
            parts.append(
                say(N_("commended: {award} ({year}), by {body}")).format(
                    award=award, year=new.get("year"), body=new.get("by")
                )
            )
        elif key == "review" and isinstance(new, dict):
            was = before.get("review")
            result = new.get("result")
            if not english and isinstance(result, str):
                result = label(Result, result, i18n.language())
            if isinstance(was, dict):
                old = was.get("result")
                if not english and isinstance(old, str):
                    old = label(Result, old, i18n.language())
                said = say(N_("review of {year} corrected: {before} → {after}"))
                parts.append(said.format(year=new.get("year"), before=old, after=result))
            else:
                said = say(N_("reviewed for {year}: {result}"))
                parts.append(said.format(year=new.get("year"), result=result))
        elif key == "reviews" and isinstance(new, list):
            parts.append(say(N_("{count} review(s) recorded")).format(count=len(new)))
        elif key == "commendations" and isinstance(new, list):
            parts.append(say(N_("{count} commendation(s) added")).format(count=len(new)))
        else:
            plain = english or i18n.language() == i18n.DEFAULT
            # The field's name, its terms and dates as the reader writes them.
            name = key if plain else say(_LABELS[key]) if key in _LABELS else key
            told = [_shown(v) if plain else _told(key, v) for v in (before.get(key), new)]
            # A value with no "before" (an unrecognize's reason) is said, not changed.
            parts.append(
                f"{name}: {told[1]}" if key not in before else "{}: {} → {}".format(name, *told)
            )
    return "; ".join(parts)


def _level(level: Any, english: bool) -> Any:
    return level if english or not isinstance(level, str) else level_words(level)


def _shown(value: Any) -> str:
    if isinstance(value, list):  # a model's areas: identifiers, or none
        return "; ".join(map(str, value)) or "—"
    return "—" if value is None else str(value)


def _told(key: str, value: Any) -> str:
    """A snapshot's value as a reader of the current language reads it: a term's
    label, a date in the reader's style."""
    if isinstance(value, str) and key.endswith("_on"):
        try:
            return i18n.day(date.fromisoformat(value))
        except ValueError:
            return value
    return _shown(shown(key, value, i18n.language()) if value != [] else None)
