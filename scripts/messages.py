"""Keep the translation catalog in step with the code: `make messages`.

Collects every text a person reads — the `_(...)`/`N_(...)` messages, table headers
(`Column(key, header)`), and the help of every command and option, read from the
command tree itself since Typer takes it from docstrings and `help=` — into the
template `src/dandan/locale/dandan.pot`, then merges it into each language's `.po`:
new messages arrive untranslated, changed ones are marked fuzzy for a translator to
check (Poedit, Lokalize or any text editor), gone ones are dropped. `tests/test_i18n.py`
fails while any message lacks a Vietnamese translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "dandan"
LOCALE_DIR = PACKAGE / "locale"
TEMPLATE = LOCALE_DIR / "dandan.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "Column": (2,)}


def template() -> Catalog:
    """Every message of the code as it is now."""
    catalog = Catalog(project="dandan", msgid_bugs_address="", fuzzy=False)
    for filename, lineno, message, comments, _context in extract_from_dir(
        PACKAGE,
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
    ):
        if message:
            catalog.add(message, locations=[(filename, lineno)], auto_comments=comments)
    for text in help_texts():
        catalog.add(text, locations=[("(help)", 0)])
    return catalog


def help_texts() -> list[str]:
    """The help of every command and option, as the command line shows it (Typer's
    cleaned-up docstrings, not the raw ones)."""
    sys.path.insert(0, str(ROOT / "src"))
    import typer.main

    from dandan.cli import app
    from dandan.commands.core import help_texts as texts

    return list(dict.fromkeys(texts(typer.main.get_command(app))))


def list_missing() -> None:
    """`messages.py --missing`: each message still to translate, with where it is used."""
    pot = template()
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/dandan.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        for message in pot:
            done = catalog.get(message.id)
            if message.id and (done is None or not done.string or done.fuzzy):
                where = ", ".join(f"{Path(f).name}:{n}" for f, n in message.locations)
                print(f"{po.parent.parent.name}\t{where}\t{message.id!r}")


def main() -> None:
    if "--missing" in sys.argv[1:]:
        list_missing()
        return
    pot = template()
    with TEMPLATE.open("wb") as f:
        write_po(f, pot, omit_header=False, sort_output=True, no_location=True, width=100)
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/dandan.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        catalog.update(pot, no_fuzzy_matching=False)
        with po.open("wb") as f:
            write_po(
                f, catalog, sort_output=True, no_location=True, ignore_obsolete=True, width=100
            )
        missing = sum(1 for m in catalog if m.id and (not m.string or m.fuzzy))
        print(f"{po.relative_to(ROOT)}: {len(catalog)} messages, {missing} to translate")


if __name__ == "__main__":
    main()
