"""A pytest plugin for the mutation run (`make mutation`): empties dandan's caches at
the start of every test session, and runs the quickest tests first.

mutmut forks each mutant's test run from a process that has already run the tests on
the original code, so `gazetteer()`, `reorganisation()` (with its worked-out origins)
and `resolve_locality()` would answer from what the original code computed, and a
mutant in them would survive unseen. Emptied before each test, not once per run:
mutmut tests a mutant with the tests that called its function when it recorded them,
and a test answered from a cache filled by an earlier one would not be among them.
Loaded with `-p tests.mutation_caches` only by the
mutation run; the ordinary test run never loads it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Every `functools.cache`/`lru_cache` of a dandan module starts empty."""
    for name, module in list(sys.modules.items()):
        if name != "dandan" and not name.startswith("dandan."):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The quickest tests first, by the durations mutmut recorded (it runs in mutants/).

    mutmut runs a mutant's tests with `-x` and hands them over as a set, in no useful
    order: a mutant that a one-second test kills waited up to nine minutes for slower
    tests to run first. Tests it has no duration for run last.
    """
    try:
        durations = json.loads(Path("mutmut-stats.json").read_text(encoding="utf-8"))
        recorded: dict[str, float] = durations["duration_by_test"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    items.sort(key=lambda item: recorded.get(item.nodeid, float("inf")))
