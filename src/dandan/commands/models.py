"""Commands on single models: register, recognize, show, list, edit, withdraw."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from dandan import i18n
from dandan.commands.common import (
    MAX_LIMIT,
    AreaOption,
    BomOption,
    DistrictOption,
    ExcelOption,
    FormatOption,
    InOption,
    KindOption,
    OutputOption,
    UnitsOption,
    boundaries,
    handle_errors,
    need,
    note,
    output,
    registry,
    show,
)
from dandan.errors import UsageError
from dandan.i18n import N_, _
from dandan.rendering import Column, Format, Record, Table, Text
from dandan.terms import COLUMN_LABELS
from dandan.validation import FORM_FIELDS

if TYPE_CHECKING:
    from dandan.registry import ModelRecord

#: The registration form's items, as options of register and edit.
ObjectivesOption = Annotated[
    str | None, typer.Option(help="Objectives (mục tiêu) of the registration form.")
]
MethodOption = Annotated[str | None, typer.Option(help="Content and method (nội dung, cách làm).")]
TargetGroupOption = Annotated[
    str | None, typer.Option(help="Target group and area (đối tượng, địa bàn).")
]
ExpectedResultsOption = Annotated[
    str | None, typer.Option(help="Expected results (kết quả dự kiến).")
]
SustainabilityOption = Annotated[
    str | None,
    typer.Option(help="How it will be sustained and replicated (duy trì, nhân rộng)."),
]

LABELS = COLUMN_LABELS
LEGACY_COLUMNS = [
    Column("province", "Province"),
    Column("province_code", "Code"),
    Column("district", "District"),
    Column("district_code", "Code"),
    Column("commune", "Commune"),
    Column("commune_code", "Code"),
]
RECOGNITION_COLUMNS = [
    Column("year", "Year"),
    Column("level", "Level"),
    Column("decision", "Decision"),
    Column("decided_on", "Decided on"),
    Column("by", "Recognised by"),
    Column("outstanding", "Outstanding"),
]
COMMENDATION_COLUMNS = [
    Column("year", "Year"),
    Column("award", "Award"),
    Column("by", "Commended by"),
    Column("decision", "Decision"),
    Column("decided_on", "Decided on"),
]
REVIEW_COLUMNS = [
    Column("year", "Year"),
    Column("result", "Result"),
    Column("note", "Note"),
]
LIST_COLUMNS = [
    Column("code", "Code"),
    Column("name", "Name"),
    Column("province", "Province"),
    Column("commune", "Commune"),
    Column("field", "Field"),
    Column("registered_on", "Registered"),
    Column("status", "Status"),
    Column("recognized", "Recognitions", numeric=True),
]

#: `list --duplicates`: the models of each group together, numbered by group.
DUPLICATE_COLUMNS = [Column("group", "Group", numeric=True), *LIST_COLUMNS]


def record_view(rec: ModelRecord) -> Record:
    data = rec.as_dict()
    for key in (
        "description", "holder_name", "withdrawn_on", "withdrawn_reason", "legacy", *FORM_FIELDS,
    ):  # fmt: skip
        if data[key] is None:
            data.pop(key)
    return Record(
        data=data,
        labels=LABELS,
        unsaid=("replicates", "replicated_by"),
        nested={
            "recognitions": RECOGNITION_COLUMNS,
            "commendations": COMMENDATION_COLUMNS,
            "reviews": REVIEW_COLUMNS,
            "legacy": LEGACY_COLUMNS,
        },
    )


def _level(level: str) -> str:
    """A recognition level inside a sentence: the identifier in English, as scripts
    reading stderr have always seen it ("at commune level"); the term otherwise."""
    if i18n.language() == i18n.DEFAULT:
        return level
    from dandan import terms

    return terms.label(terms.Level, level, i18n.language()).lower()


Opt = typer.Option


@handle_errors
def register(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Name of the model, in Vietnamese.")] = None,
    province: Annotated[
        str | None, Opt(help="Province: name with or without diacritics, or official code.")
    ] = None,
    commune: Annotated[
        str | None, Opt(help="Commune or ward (xã/phường) in that province.")
    ] = None,
    district: DistrictOption = None,
    legacy: UnitsOption = None,
    field: Annotated[
        str | None,
        Opt(help="Field: kinh tế, văn hóa – xã hội, quốc phòng – an ninh, xây dựng Đảng."),
    ] = None,
    sponsor: Annotated[
        str | None,
        Opt(help="Sponsoring bloc: cấp ủy, chính quyền, MTTQ, phụ nữ, thanh niên, nông dân, ..."),
    ] = None,
    holder: Annotated[
        str | None, Opt(help="Who runs it: collective (tập thể) or individual (cá nhân).")
    ] = None,
    holder_name: Annotated[str | None, Opt(help="Name of the collective or person.")] = None,
    kind: Annotated[
        str | None,
        Opt(
            help="What is registered: model (mô hình, a practice; the default) or exemplar "
            "(điển hình, a person or collective held up as an example)."
        ),
    ] = None,
    registered_on: Annotated[
        str | None, Opt(help="Registration date, YYYY-MM-DD or DD/MM/YYYY (default today).")
    ] = None,
    replicates: Annotated[
        str | None,
        Opt(help="Code of the registered model this one copies (nhân rộng), if any."),
    ] = None,
    description: Annotated[str | None, Opt(help="What the model does.")] = None,
    code: Annotated[
        str | None, Opt(help="Use this code instead of a generated one (e.g. QTR-2023-00042).")
    ] = None,
    area: Annotated[
        list[str] | None,
        Opt(
            "--area",
            help="An area of work it serves (repeatable, or several separated by ';'): "
            "dân tộc, tôn giáo, DCCS, GPMB, dân vận chính quyền, NTM, CĐS.",
        ),
    ] = None,
    objectives: ObjectivesOption = None,
    method: MethodOption = None,
    target_group: TargetGroupOption = None,
    expected_results: ExpectedResultsOption = None,
    sustainability: SustainabilityOption = None,
    allow_duplicate: Annotated[
        bool,
        Opt(help="Register even when a model with this name, place and date is registered."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Register a new model and print its code.

    A model registered before 2025-07-01 is placed in the units of the time (63
    provinces, their districts and communes); a later one in the current units."""
    rec = registry(ctx).register(
        name=need(name, _("NAME"), _("Name of the model")),
        province=need(province, "--province", _("Province")),
        commune=commune,
        district=district,
        boundaries=boundaries(legacy),
        field=need(field, "--field", _("Field (lĩnh vực)")),
        sponsor=need(sponsor, "--sponsor", _("Sponsoring bloc (đơn vị chủ trì)")),
        holder=holder,
        holder_name=holder_name,
        kind=kind,
        registered_on=registered_on,
        description=description,
        code=code,
        areas=area,
        form=_form(objectives, method, target_group, expected_results, sustainability),
        replicates=replicates,
        allow_duplicate=allow_duplicate,
    )
    if rec.commune:
        said = _("registered {code}: {name} ({commune}, {province})")
    else:
        said = _("registered {code}: {name} ({province})")
    note(said.format(code=rec.code, name=rec.name, commune=rec.commune, province=rec.province))
    show(Text(rec.code, rec.as_dict()), fmt)


@handle_errors
def recognize(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code of the model.")],
    year: Annotated[int | None, Opt(help="Year of the recognition.")] = None,
    level: Annotated[
        str | None,
        Opt(
            help="Level: commune (xã), district (huyện, before 2025-07-01), "
            "province (tỉnh), central (trung ương)."
        ),
    ] = None,
    decision: Annotated[str | None, Opt(help="Decision number, e.g. 123/QĐ-UBND.")] = None,
    decided_on: Annotated[str | None, Opt(help="Decision date, YYYY-MM-DD or DD/MM/YYYY.")] = None,
    by: Annotated[str | None, Opt(help="Recognising body, e.g. Ủy ban nhân dân tỉnh.")] = None,
    outstanding: Annotated[
        bool, Opt("--outstanding", help="Named outstanding (tiêu biểu) among those recognised.")
    ] = False,
    allow_duplicate: Annotated[
        bool,
        Opt(help="Record it even when the model is recognised at this level that year."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Record a recognition (công nhận) of a model."""
    rec = registry(ctx).recognize(
        code,
        year=year if year is not None else need(None, "--year", _("Year")),
        level=need(level, "--level", _("Level (cấp)")),
        decision=decision,
        decided_on=decided_on,
        by=by,
        outstanding=outstanding,
        allow_duplicate=allow_duplicate,
    )
    latest = rec.recognitions[-1]
    note(
        _("recognised {code} at {level} level ({year})").format(
            code=rec.code, level=_level(latest.level), year=latest.year
        )
    )
    show(record_view(rec), fmt)


@handle_errors
def commend(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code of the model.")],
    year: Annotated[int | None, Opt(help="Year of the commendation.")] = None,
    award: Annotated[
        str | None,
        Opt(
            help="Award: certificate_of_merit (Bằng khen), certificate_of_commendation "
            "(Giấy khen), public_praise (biểu dương), honouring (tuyên dương)."
        ),
    ] = None,
    by: Annotated[
        str | None, Opt(help="Commending body as named then, e.g. UBND tỉnh Quảng Trị.")
    ] = None,
    decision: Annotated[str | None, Opt(help="Decision number, e.g. 12/QĐ-UBND.")] = None,
    decided_on: Annotated[
        str | None, Opt(help="Decision date within the year, YYYY-MM-DD or DD/MM/YYYY.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Record a commendation (khen thưởng) of a model: an award given by a named body."""
    rec = registry(ctx).commend(
        code,
        year=year if year is not None else need(None, "--year", _("Year")),
        award=need(award, "--award", _("Award (hình thức khen thưởng)")),
        by=need(by, "--by", _("Commending body")),
        decision=decision,
        decided_on=decided_on,
    )
    note(_("commended {code}").format(code=rec.code))
    show(record_view(rec), fmt)


@handle_errors
def review(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code of the model.")],
    year: Annotated[int | None, Opt(help="Year reviewed.")] = None,
    result: Annotated[
        str | None,
        Opt(help="What the review found: effective (hiệu quả), weak (yếu) or stopped (dừng)."),
    ] = None,
    remark: Annotated[str | None, Opt("--note", help="What the office noted.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Record a model's yearly review (rà soát, đánh giá); a second review of a year
    corrects the first, and the audit trail keeps both."""
    rec = registry(ctx).review(
        code,
        year=year if year is not None else need(None, "--year", _("Year")),
        result=need(result, "--result", _("Result (effective, weak or stopped)")),
        note=remark,
    )
    if rec.changed:
        note(_("reviewed {code}").format(code=rec.code))
    else:
        note(_("{code} already has this review; nothing changed").format(code=rec.code))
    show(record_view(rec), fmt)


@handle_errors
def show_model(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code of the model.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Show one model with its recognitions."""
    show(record_view(registry(ctx).get(code)), fmt)


@handle_errors
def list_models(
    ctx: typer.Context,
    search: Annotated[
        str | None,
        Opt(
            "--search",
            "-s",
            help="Words in the name or the registration form's items, diacritics optional.",
        ),
    ] = None,
    in_: InOption = None,
    field: Annotated[list[str] | None, Opt(help="Field (repeatable).")] = None,
    sponsor: Annotated[list[str] | None, Opt(help="Sponsoring bloc (repeatable).")] = None,
    holder: Annotated[list[str] | None, Opt(help="collective or individual.")] = None,
    kind: KindOption = None,
    area: AreaOption = None,
    status: Annotated[
        list[str] | None, Opt(help="registered, recognized or withdrawn (repeatable).")
    ] = None,
    limit: Annotated[
        int | None,
        Opt(min=0, max=MAX_LIMIT, help="Show at most this many (newest first)."),
    ] = None,
    sort: Annotated[
        str | None,
        Opt(help="date (newest first), name (Vietnamese alphabetical order) or code."),
    ] = None,
    duplicates: Annotated[
        bool,
        Opt(
            "--duplicates",
            help="Likely duplicates: models of one name (case, diacritics and spacing aside) "
            "in one commune, or in one province when they have none; grouped, withdrawn ones "
            "included. --limit counts groups.",
        ),
    ] = False,
    fmt: FormatOption = Format.table,
    path: OutputOption = None,
    bom: BomOption = False,
    excel: ExcelOption = False,
) -> None:
    """List models, newest first, with filters and diacritic-insensitive search."""
    from dandan.registry import ModelFilter

    fmt, to = output(ctx, fmt, path, bom=bom, excel=excel)
    where = ModelFilter.parse(
        places=in_ or (),
        fields=field or (),
        sponsors=sponsor or (),
        holders=holder or (),
        statuses=status or (),
        search=search,
        kinds=kind or (),
        areas=area or (),
    )
    if duplicates:
        if sort is not None:
            raise UsageError(_("--sort does not apply to --duplicates, listed by place and name"))
        groups = registry(ctx).duplicates(where, limit=limit)
        grouped = [
            {"group": number, **r.as_dict(), "recognized": len(r.recognitions)}
            for number, group in enumerate(groups, 1)
            for r in group
        ]
        show(Table(DUPLICATE_COLUMNS, grouped, empty_message=N_("no likely duplicates")), fmt, to)
        return
    records = registry(ctx).iter_models(where, limit=limit, sort=sort or "date")
    rows = ({**r.as_dict(), "recognized": len(r.recognitions)} for r in records)
    show(Table(LIST_COLUMNS, rows, empty_message=N_("no models match")), fmt, to)


@handle_errors
def edit(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code of the model.")],
    name: Annotated[str | None, Opt(help="New name.")] = None,
    province: Annotated[
        str | None,
        Opt(help="New province (clears the district and commune unless given too)."),
    ] = None,
    commune: Annotated[str | None, Opt(help="New commune.")] = None,
    district: DistrictOption = None,
    legacy: UnitsOption = None,
    field: Annotated[str | None, Opt(help="New field.")] = None,
    sponsor: Annotated[str | None, Opt(help="New sponsoring bloc.")] = None,
    holder: Annotated[str | None, Opt(help="collective or individual.")] = None,
    holder_name: Annotated[str | None, Opt(help="New holder name.")] = None,
    kind: Annotated[str | None, Opt(help="model (mô hình) or exemplar (điển hình).")] = None,
    registered_on: Annotated[str | None, Opt(help="Corrected registration date.")] = None,
    replicates: Annotated[
        str | None,
        Opt(help="Code of the registered model this one copies; an empty text clears it."),
    ] = None,
    description: Annotated[str | None, Opt(help="New description.")] = None,
    area: Annotated[
        list[str] | None,
        Opt(
            "--area",
            help="The areas of work it serves, replacing those it had (repeatable, or "
            "several separated by ';'); --area '' clears them.",
        ),
    ] = None,
    no_areas: Annotated[
        bool, Opt("--no-areas", help="Clear the areas of work (as --area '' does).")
    ] = False,
    objectives: ObjectivesOption = None,
    method: MethodOption = None,
    target_group: TargetGroupOption = None,
    expected_results: ExpectedResultsOption = None,
    sustainability: SustainabilityOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Correct a model's details; what is not given stays as it is. A form item given
    as '' is cleared."""
    if no_areas and any(a.strip() for a in area or ()):
        raise UsageError(_("--no-areas clears the areas; give it without --area"))
    rec = registry(ctx).edit(
        code,
        name=name,
        province=province,
        commune=commune,
        district=district,
        boundaries=boundaries(legacy),
        field=field,
        sponsor=sponsor,
        holder=holder,
        holder_name=holder_name,
        kind=kind,
        registered_on=registered_on,
        replicates=replicates,
        description=description,
        areas=[] if no_areas else area,
        form=_form(objectives, method, target_group, expected_results, sustainability),
    )
    if rec.changed:
        note(_("updated {code}").format(code=rec.code))
    else:
        note(_("nothing to change: {code} already has these details").format(code=rec.code))
    show(record_view(rec), fmt)


@handle_errors
def withdraw(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code of the model.")],
    reason: Annotated[str | None, Opt(help="Why it is withdrawn (kept in the record).")] = None,
    on: Annotated[str | None, Opt(help="Date of withdrawal (default today).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Withdraw a model: it stays in the registry, marked withdrawn, with the reason."""
    rec = registry(ctx).withdraw(code, reason=need(reason, "--reason", _("Reason")), on=on)
    note(_("withdrew {code}").format(code=rec.code))
    show(record_view(rec), fmt)


def _form(*items: str | None) -> dict[str, str | None]:
    """The registration form's items given (in `FORM_FIELDS` order), by name."""
    return {
        name: value for name, value in zip(FORM_FIELDS, items, strict=True) if value is not None
    }
