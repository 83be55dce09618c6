"""Commands that correct a clerk's mistake: unrecognize, reinstate. Both are changes
like any other, kept in the audit trail with the reason given."""

from __future__ import annotations

from typing import Annotated

import typer

from dandan.commands.common import FormatOption, handle_errors, need, note, registry, show
from dandan.commands.models import record_view
from dandan.i18n import _
from dandan.rendering import Format

Opt = typer.Option


@handle_errors
def unrecognize(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code of the model.")],
    year: Annotated[int | None, Opt(help="Year of the recognition to remove.")] = None,
    level: Annotated[
        str | None, Opt(help="Its level: commune, district, province, central.")
    ] = None,
    decision: Annotated[
        str | None, Opt(help="Its decision number, when the model has several that year.")
    ] = None,
    reason: Annotated[str | None, Opt(help="Why it is removed (kept in the audit trail).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Remove a recognition recorded by mistake."""
    rec = registry(ctx).unrecognize(
        code,
        year=year if year is not None else need(None, "--year", _("Year")),
        level=need(level, "--level", _("Level (cấp)")),
        decision=decision,
        reason=need(reason, "--reason", _("Reason")),
    )
    note(_("removed a recognition of {code}").format(code=rec.code))
    show(record_view(rec), fmt)


@handle_errors
def reinstate(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code of the model.")],
    reason: Annotated[
        str | None, Opt(help="Why the withdrawal is reversed (kept in the audit trail).")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Reverse a withdrawal made by mistake."""
    rec = registry(ctx).reinstate(code, reason=need(reason, "--reason", _("Reason")))
    note(_("reinstated {code}").format(code=rec.code))
    show(record_view(rec), fmt)
