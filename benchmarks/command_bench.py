"""Single-model commands: `dandan register` and `dandan recognize`, one process each.

A clerk's commands go through the same writer as an import, which stages the change
and swaps it in; this times what that costs a single change. Each command is run
`--times` times (default 20) against a registry of `--models` models (default 10,000,
from `dandan.synthetic`), and the median of the child's CPU time (user + system) is
printed, with the median wall time. CPU time is steadier than wall time on a busy
machine. Run it with `make bench` or `python benchmarks/command_bench.py`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
BIN = Path(sys.executable).parent


def cpu_of(command: list[str]) -> tuple[float, float, str]:
    """CPU seconds (user + system) and wall seconds of one child process, and its
    stdout: the CPU time from the growth of RUSAGE_CHILDREN around it."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command[3:5])} failed: {proc.stderr.decode().strip()[:300]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, proc.stdout.decode().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=20)
    parser.add_argument("--models", type=int, default=10_000)
    args = parser.parse_args()
    from dandan.importing import import_files
    from dandan.registry import Registry

    OUT.mkdir(exist_ok=True)
    db = OUT / f"commands-{args.models}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    seed = OUT / f"commands-{args.models}.csv"
    _write_seed(seed, args.models)
    with Registry(str(db), notify=lambda _: None) as registry:
        import_files(registry, [str(seed)])
    dandan = [str(BIN / "dandan"), "--db", str(db)]
    env_note = f"load {os.getloadavg()[0]:.1f}"
    results: dict[str, list[tuple[float, float]]] = {"register": [], "recognize": []}
    for i in range(args.times):
        cpu, wall, code = cpu_of(
            [*dandan, "register", f"Mô hình thử số {i}", "--province", "quang tri",
             "--commune", "dong ha", "--field", "kinh te", "--sponsor", "hoi nong dan",
             "--registered-on", "2024-03-01"]
        )  # fmt: skip
        results["register"].append((cpu, wall))
        cpu, wall, _ = cpu_of(
            [*dandan, "recognize", code, "--year", "2024", "--level", "xã", "--format", "json"]
        )
        results["recognize"].append((cpu, wall))
    print(
        f"\nsingle commands on a registry of {args.models:,} models, {args.times} runs, {env_note}"
    )
    print(f"{'':12} {'CPU s (median)':>15} {'wall s (median)':>16}")
    for name, runs in results.items():
        cpu = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        print(f"{name:12} {cpu:15.3f} {wall:16.3f}")


def _write_seed(path: Path, n: int) -> None:
    import csv

    from dandan.synthetic import COLUMNS, generate_rows

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(generate_rows(n))


if __name__ == "__main__":
    main()
