"""The command classes every dandan command uses: help in the reader's language, and
one stderr line for every usage error.

Help texts are written once, in English, where the options are declared; they are the
catalog's message ids and are translated here, when help is shown, because the language
is only known once the command line has been read (`--lang`). Typer's copy of click
writes a few words of its own in English ("Usage:", the help option); those are
translated here too, so that `dandan --lang vi register --help` is Vietnamese
throughout.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import typer
import typer.core
from typer.core import TyperCommand, TyperGroup

from dandan import i18n
from dandan.i18n import N_, _

#: Typer's own words: its help sections, and what it adds after an option's help.
#: typer.core looks them up with gettext; `_adopt_typer_words` points it at our catalog.
TYPER_WORDS = (
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("required"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
)


def walk(command: Any) -> Iterator[Any]:
    """A command and every command under it (the root, `db`, `db backup`, …)."""
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from walk(sub)


def help_texts(command: Any) -> Iterator[str]:
    """Every help text of a command tree: what the catalog must translate."""
    for cmd in walk(command):
        for text in (cmd.help, cmd.short_help, cmd.epilog):
            if text:
                yield text
        for param in cmd.params:
            if text := getattr(param, "help", None):
                yield text


#: The word that stands for an option's or an argument's value in the help, by its
#: parameter name: Typer would write its type (`<str>`, `<list[str]>`, `<int range>`,
#: and `{code}` in the usage line). One word (hyphenated in Vietnamese), as a reader
#: fills it in. A test checks that every parameter without a word of its own has one.
METAVARS: dict[str, str] = {
    "across": N_("GROUP"),
    "actor": N_("ACTOR"),
    "aliases": N_("FILE"),
    "as_of": N_("DATE"),
    "award": N_("AWARD"),
    "boundaries": N_("UNITS"),
    "remark": N_("TEXT"),
    "replicates": N_("CODE"),
    "reviewed": N_("YEAR"),
    "result": N_("RESULT"),
    "by": N_("GROUP"),
    "by_end_of": N_("YEAR"),
    "code": N_("CODE"),
    "commune": N_("COMMUNE"),
    "contest_id": N_("ID"),
    "entrants": N_("N"),
    "held_on": N_("DATE"),
    "organiser": N_("BODY"),
    "teams": N_("N"),
    "count": N_("WHAT"),
    "area": N_("AREA"),
    "db_": N_("REGISTRY"),
    "decided_on": N_("DATE"),
    "decision": N_("NUMBER"),
    "description": N_("TEXT"),
    "district": N_("DISTRICT"),
    "encoding": N_("ENCODING"),
    "expected_results": N_("TEXT"),
    "errors": N_("FILE"),
    "field": N_("FIELD"),
    "file": N_("FILE"),
    "files": N_("FILES"),
    "fmt": N_("FORMAT"),
    "header_row": N_("ROW"),
    "headers": N_("LANGUAGE"),
    "holder": N_("HOLDER"),
    "holder_name": N_("NAME"),
    "in_": N_("PLACE"),
    "kind": N_("KIND"),
    "lang": N_("LANGUAGE"),
    "level": N_("LEVEL"),
    "limit": N_("N"),
    "measure": N_("COUNT"),
    "method": N_("TEXT"),
    "name": N_("NAME"),
    "objectives": N_("TEXT"),
    "on": N_("DATE"),
    "on_conflict": N_("ACTION"),
    "output": N_("FILE"),
    "period": N_("YEARS"),
    "province": N_("PROVINCE"),
    "query": N_("NAME"),
    "reason": N_("TEXT"),
    "registered_on": N_("DATE"),
    "search": N_("WORDS"),
    "set_values": N_("COLUMN=VALUE"),
    "sheet": N_("SHEET"),
    "since": N_("YEAR"),
    "since_day": N_("DATE"),
    "sort": N_("ORDER"),
    "sponsor": N_("SPONSOR"),
    "status": N_("STATUS"),
    "sustainability": N_("TEXT"),
    "target_group": N_("TEXT"),
    "to": N_("REGISTRY"),
    "top": N_("N"),
    "year": N_("YEAR"),
}
#: Above this, an option's upper bound is only there to keep a number within SQL's
#: integers, and the help says the lower one alone ("x>=0", not "0<=x<=9223372036854775807").
_UNSAID_MAX = 2**31


def _words(param: Any) -> None:
    """An option's or argument's value shown as a word in the reader's language, and
    its range without an upper bound nobody reaches."""
    if getattr(param, "is_flag", False):
        return
    if param.metavar is None and param.name in METAVARS:
        param.metavar = _(METAVARS[param.name])
        if param.param_type_name == "argument":  # its name is the word: no type after it
            param.display_type_rich = lambda ctx: None
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if isinstance(high, int) and high >= _UNSAID_MAX:
        param._get_number_range_help_str = lambda: None if low is None else f"x>={low}"


def _translate(command: Any) -> None:
    """The help of `command` and its options, in the current language (in place: the
    command objects are made afresh for each run of the command line)."""
    for param in command.params:
        _words(param)
    if i18n.language() == i18n.DEFAULT:
        return
    if command.help:
        command.help = _(command.help)
    if command.short_help:
        command.short_help = _(command.short_help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)


#: The placeholders of click's usage line, by what click writes.
USAGE_WORDS = {"[OPTIONS]": N_("[OPTIONS]"), "COMMAND [ARGS]...": N_("COMMAND [ARGS]...")}


class _ClickWords:
    """The words click writes itself: the usage line and the help option."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = [_(USAGE_WORDS.get(p, p)) for p in self.collect_usage_pieces(ctx)]  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = _("Show this message and exit.")
        return option


class DandanCommand(_ClickWords, TyperCommand):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # The words of the values before parsing too: click names a missing argument
        # by its metavar ("Missing argument 'MÃ'", not its Python name 'code').
        for param in self.params:
            _words(param)
        result: list[str] = super().parse_args(ctx, args)
        return result

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _translate(self)
        super().format_help(ctx, formatter)


class DandanGroup(_ClickWords, TyperGroup):
    def format_help(self, ctx: Any, formatter: Any) -> None:
        _translate(self)
        for sub in self.commands.values():
            _translate(sub)
        super().format_help(ctx, formatter)


class RootGroup(DandanGroup):
    """The root command. It chooses the language before anything is said, and turns a
    malformed or unknown option into one line on stderr, like every other error
    ("error: Invalid value for '--year': …", exit code 2), not click's block of usage,
    hint and message, which scripts reading stderr would take for several errors.
    `dandan` alone still prints the help."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        given = kwargs.get("args", args[0] if args else None)
        i18n.use(i18n.choose(_lang_option(sys.argv[1:] if given is None else given)))
        _adopt_typer_words()
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        if given is not None and (bad := _impossible(given)):
            typer.echo(_("error: {message}").format(message=bad), err=True)
            sys.exit(2)
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except typer.Abort:
            typer.echo(_("error: aborted; nothing was written"), err=True)
            sys.exit(1)
        except Exception as exc:
            # click's errors (typer's own copy of click, or click itself, by version):
            # known by what they carry rather than by a class of one or the other.
            message = getattr(exc, "format_message", None)
            exit_code = getattr(exc, "exit_code", None)
            if not callable(message) or not isinstance(exit_code, int):
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":
                exc.show()  # type: ignore[attr-defined]
                sys.exit(exit_code)
            from dandan.commands.common import one_line

            ctx = getattr(exc, "ctx", None)
            text = one_line(click_message(message(), exc))
            if ctx is not None:
                text += _(" (see `{command} --help`)").format(command=ctx.command_path)
            typer.echo(_("error: {message}").format(message=text), err=True)
            sys.exit(exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def _lang_option(args: Sequence[str]) -> str | None:
    """The value of the root's `--lang`, read before click parses anything, so that even
    the help of `--lang vi register --help` and click's own errors are in that language.
    Only the root's options come before the command's name."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg in ("--db", "--actor"):
            i += 2
        elif arg.startswith("-"):
            i += 1
        else:
            return None
    return None


def _adopt_typer_words() -> None:
    """typer.core asks the standard library's gettext for its words ("Options",
    "default: …"); ask ours instead, which speaks the language chosen by `--lang`."""
    typer.core._ = _  # type: ignore[attr-defined]


#: click's error messages (written in English in Typer's copy of click): the pattern
#: and the catalog's message for it; the rest of a message stays as click wrote it.
CLICK_MESSAGES: tuple[tuple[str, str], ...] = (
    (
        r"No such option: (?P<option>\S+) \(Possible options: (?P<options>.+)\)",
        N_("No such option: {option} (did you mean {options}?)"),
    ),
    (r"No such option: (?P<option>\S+)", N_("No such option: {option}")),
    (r"Missing option (?P<option>.+)\.", N_("Missing option {option}.")),
    (r"Missing argument (?P<argument>.+)\.", N_("Missing argument {argument}.")),
    (
        r"Invalid value for (?P<option>.+?): (?P<reason>.+)",
        N_("Invalid value for {option}: {reason}"),
    ),
    (r"Option (?P<option>\S+) requires an argument\.", N_("Option {option} requires an argument.")),
    (
        r"Got unexpected extra argument\(s\) \((?P<arguments>.+)\)",
        N_("Got unexpected extra argument(s) ({arguments})"),
    ),
    (r"No such command (?P<command>.+)\.", N_("No such command {command}.")),
    (r"Missing command\.", N_("Missing command.")),
)


#: pydantic's reasons for refusing an option's value (Typer checks values with it), by
#: pydantic's error type: ours, in the reader's language; `{value}` is what was typed.
PYDANTIC_REASONS: dict[str, str] = {
    "int_parsing": N_("{value!r} is not a whole number"),
    "int_from_float": N_("{value!r} is not a whole number"),
    "float_parsing": N_("{value!r} is not a number"),
    "bool_parsing": N_("{value!r} is not yes or no (true or false)"),
    "greater_than_equal": N_("it must be {ge} or more"),
    "greater_than": N_("it must be more than {gt}"),
    "less_than_equal": N_("it must be {le} or less"),
    "less_than": N_("it must be less than {lt}"),
    "enum": N_("{value!r} is not one of {expected}"),
    "literal_error": N_("{value!r} is not one of {expected}"),
}
#: How click names an option's environment variable in an error ("'--lang' (env var:
#: 'DANDAN_LANG')"), in Typer's words of the help, translated as they are.
_ENV_VAR = re.compile(r"\(env var: (?P<var>[^()]*)\)")
#: Typer's own refusal of a choice, which pydantic hands on as a `value_error`.
_NOT_ONE_OF = re.compile(
    r"""(?P<quote>['"])(?P<value>.*)(?P=quote) is not one of (?P<expected>.+?)\.?""", re.DOTALL
)


def click_message(message: str, exc: BaseException | None = None) -> str:
    """click's error `message` in the current language, when it is one we know; the
    reason pydantic gave for a refused value (the cause of `exc`) told in our words."""
    reason = _pydantic_reason(exc.__cause__) if exc is not None else None
    message = _ENV_VAR.sub(lambda v: "(" + _("env var: {var}").format(var=v["var"]) + ")", message)
    for pattern, template in CLICK_MESSAGES:
        if m := re.fullmatch(pattern, message, flags=re.DOTALL):
            words = m.groupdict()
            if reason is not None and "reason" in words:
                words["reason"] = reason
            return _(template).format(**words)
    return message


def _pydantic_reason(cause: BaseException | None) -> str | None:
    """The first of a pydantic ValidationError's errors in the reader's language, or None
    for any other cause (or an error type not in `PYDANTIC_REASONS`)."""
    errors = getattr(cause, "errors", None)
    if type(cause).__name__ != "ValidationError" or not callable(errors):
        return None
    found = errors()
    if not found:
        return None
    first: dict[str, Any] = found[0]
    context = dict(first.get("ctx") or {})
    kind = first.get("type", "")
    if kind == "value_error" and (m := _NOT_ONE_OF.fullmatch(str(context.get("error", "")))):
        kind, context = "enum", {"value": m["value"], "expected": m["expected"]}
    template = PYDANTIC_REASONS.get(kind)
    if template is None:
        return None
    try:
        return _(template).format(value=context.pop("value", first.get("input")), **context)
    except (KeyError, IndexError, ValueError):
        return None


def _impossible(args: Sequence[str]) -> str | None:
    """What no command line can carry, when the arguments come from Python (`app([…])`):
    a NUL, or a lone surrogate other than those Python makes of bytes that are not UTF-8
    (U+DC80 to U+DCFF). Each failed deep down (ValueError, UnicodeEncodeError) as a
    traceback; the argument is named instead."""
    from dandan.commands.common import one_line

    for number, arg in enumerate(args, 1):
        if arg.isprintable():
            continue
        if "\x00" in arg or re.search("[\ud800-\udc7f\udd00-\udfff]", arg):
            return _("argument {number} ({text}) is not text a command line can carry").format(
                number=number, text=one_line(arg[:40])
            )
    return None
