"""`make mutation`: mutmut over the modules the tallies rest on, one module at a time,
then a summary table (killed / survived / equivalent / timeout / not run).

Usage: python scripts/mutation.py [--modules filters,tallies] [--jobs 2] [--guarded | --only GLOB]

mutmut's settings (files, the tests each mutant runs) are in pyproject.toml under
[tool.mutmut]. Its copy of the code and its results are in mutants/ (ignored by git);
a second run only tests what changed. Mutants that no test can kill because they do
not change what the code does are listed, with the reason, in
tests/mutation_equivalent.md; they are counted as equivalent, not survived.

The exit status is 1 when a mutant survives in the guarded code (the date windows,
status derivation and boundary mapping: GUARDED below), else 0.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("filters", "tallies", "validation", "importing", "writing", "localities")
EQUIVALENT = ROOT / "tests" / "mutation_equivalent.md"
#: The code in which no mutant may survive (mutmut's names for its functions).
GUARDED = (
    "dandan.filters.x_recognition_dated__*",
    "dandan.filters.x__last_full_year__*",
    "dandan.filters.x_recognition_year__*",
    "dandan.filters.x_recognised_within__*",
    "dandan.filters.x_active_on__*",
    "dandan.filters.xǁModelFilterǁstatus_where__*",
    "dandan.tallies.x__inferred__*",
    "dandan.tallies.xǁWindowǁ*",
    "dandan.writing.x__status_of__*",
    "dandan.localities.xǁReorganisationǁ*",
    "dandan.validation.x__resolve_locality__*",
    "dandan.validation.x__legacy__*",
    "dandan.validation.x__current__*",
)
STATUS = {1: "killed", 3: "killed", 0: "survived", 36: "timeout", 24: "timeout", -24: "timeout"}
STATUS |= {152: "timeout", 255: "timeout", 5: "no tests", 33: "no tests", None: "not run"}
COLUMNS = ("killed", "survived", "equivalent", "timeout", "no tests", "not run", "other")


def equivalents() -> dict[str, str]:
    """Mutant name -> why it is equivalent, from the table in EQUIVALENT."""
    found: dict[str, str] = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$", line)
        if m:
            found[m.group(1)] = m.group(2).strip()
    return found


def results(module: str) -> dict[str, int | None]:
    """Mutant name -> mutmut's exit code for it, from mutmut's record of the module."""
    meta = ROOT / "mutants" / "src" / "dandan" / f"{module}.py.meta"
    if not meta.exists():
        return {}
    data = json.loads(meta.read_text(encoding="utf-8"))
    codes: dict[str, int | None] = data.get("exit_code_by_key", {})
    return codes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", default=",".join(MODULES))
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once")
    parser.add_argument("--only", default="", help="a glob of mutant names, e.g. *Window*")
    parser.add_argument("--guarded", action="store_true", help="only the GUARDED functions")
    parser.add_argument("--report", action="store_true", help="summarise the last run only")
    args = parser.parse_args()
    modules = [m.strip() for m in args.modules.split(",") if m.strip()]
    unknown = set(modules) - set(MODULES)
    if unknown:
        parser.error(f"unknown modules: {', '.join(sorted(unknown))}; choose from {MODULES}")
    mutmut = Path(sys.executable).parent / "mutmut"
    started = time.monotonic()
    if not args.report:
        if args.guarded or args.only:
            runs = [[g] for g in GUARDED] if args.guarded else [[args.only]]
        else:
            runs = [[f"dandan.{module}.*"] for module in modules]
        for patterns in runs:
            print(f"== mutmut run {' '.join(patterns)}", flush=True)
            subprocess.run(
                [str(mutmut), "run", "--max-children", str(args.jobs), *patterns],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                check=False,
            )
    equivalent = equivalents()
    table: dict[str, Counter[str]] = {}
    guarded_survivors: list[str] = []
    survivors: list[str] = []
    for module in modules:
        counts: Counter[str] = Counter()
        for name, code in sorted(results(module).items()):
            status = STATUS.get(code, "other")
            if status == "survived" and name in equivalent:
                status = "equivalent"
            counts[status] += 1
            if status == "survived":
                survivors.append(name)
                if any(fnmatch.fnmatch(name, g) for g in GUARDED):
                    guarded_survivors.append(name)
        table[module] = counts
    width = max(len(c) for c in COLUMNS)
    print()
    print(f"{'module':<12}" + "".join(f"{c:>{width + 2}}" for c in COLUMNS))
    total: Counter[str] = Counter()
    for module, counts in table.items():
        total.update(counts)
        print(f"{module:<12}" + "".join(f"{counts[c]:>{width + 2}}" for c in COLUMNS))
    print(f"{'total':<12}" + "".join(f"{total[c]:>{width + 2}}" for c in COLUMNS))
    print(f"\nsurvivors: {len(survivors)} (`.venv/bin/mutmut show NAME` shows one)")
    for name in survivors:
        print(f"  {'GUARDED ' if name in guarded_survivors else ''}{name}")
    if not args.report:
        print(f"\ntook {time.monotonic() - started:.0f} s")
    if guarded_survivors:
        print(f"\n{len(guarded_survivors)} survivors in the guarded code (date windows, status,")
        print("boundary mapping): kill them with a test or list them in", EQUIVALENT.name)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
