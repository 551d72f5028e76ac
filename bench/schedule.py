"""Scheduling at scale: 100,000 small raw files inventoried, planned and scheduled by Luigi.

Runs the real `jinghua run` in a subprocess and stops it when Luigi starts the first task (by
then the local scheduler has every task and has checked which are complete). Measured twice:
cold (every file hashed) and warm (the inventory reuses stat + the hashes of the last run).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

WORK = Path(__file__).resolve().parent / "work"

PROBE = """
import os, sys, time
t0 = time.perf_counter()
import luigi
from pipeline import cli, tasks
@luigi.Task.event_handler(luigi.Event.START)
def _first(task):
    print(f"SCHEDULED {time.perf_counter() - t0:.3f}", flush=True)
    os._exit(0)
cli.main(["run", "--raw", sys.argv[1], "--clean", sys.argv[2], "--workers", "1"])
"""


def make_files(raw: Path, count: int) -> None:
    """``count`` one-line pages under 100 directories (made once, then reused)."""
    marker = raw / ".complete"
    if marker.is_file():
        return
    shutil.rmtree(raw, ignore_errors=True)
    for d in range(100):
        directory = raw / f"site{d:02d}"
        directory.mkdir(parents=True)
        for n in range(count // 100):
            (directory / f"{n:05d}.txt").write_text(f"第{d}站第{n}篇稿件的正文，内容简短。\n", encoding="utf-8")
    marker.write_text("")


def seconds_to_schedule(raw: Path, clean: Path) -> float:
    p = subprocess.run([sys.executable, "-c", PROBE, str(raw), str(clean)], capture_output=True, text=True)
    line = next((x for x in p.stdout.splitlines() if x.startswith("SCHEDULED ")), None)
    if line is None:
        raise SystemExit(f"scheduling probe failed: {p.stderr[-2000:]}")
    return float(line.split()[1])


def run(results: dict, count: int = 100_000) -> None:
    raw, clean = WORK / "raw-100k", WORK / "clean-100k"
    started = time.perf_counter()
    make_files(raw, count)
    made = time.perf_counter() - started
    shutil.rmtree(clean, ignore_errors=True)
    cold = seconds_to_schedule(raw, clean)
    warm = seconds_to_schedule(raw, clean)
    results["scheduling"] = {"files": count, "cold_s": cold, "warm_s": warm}
    print(f"{count} files inventoried, planned and scheduled: {cold:.1f} s cold (hashing), "
          f"{warm:.1f} s warm (stat + cached hashes)" + (f"; files made in {made:.0f} s" if made > 1 else ""))


if __name__ == "__main__":
    out: dict = {}
    run(out)
