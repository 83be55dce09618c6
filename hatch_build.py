"""Build step: compile the translators' `.po` catalogs into the `.mo` files gettext reads.

The `.po` sources are what the repository keeps (editable with ordinary tools); the
compiled `.mo` files are build products, written beside them and shipped in the wheel
(an editable install reads them from the source tree).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogs(locale_dir: Path) -> list[Path]:
    """Every `<lang>/LC_MESSAGES/*.po` under `locale_dir` compiled to its `.mo`; fuzzy
    (unchecked) translations are left out, so they read as English, not as a guess."""
    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        written.append(mo)
    return written


class CatalogHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        compile_catalogs(Path(self.root) / "src" / "dandan" / "locale")
