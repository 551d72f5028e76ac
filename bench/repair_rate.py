"""Repair speed and accuracy on generated data (tests/damage.py): clean MB/s through every fix of
REPAIRS, damaged MB/s, and the share of each damage class repaired exactly. Called by bench/run.py."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # ``python bench/repair_rate.py`` finds tests/

from pipeline.config import load_config
from pipeline.repair import REPAIRS
from tests.damage import CLASSES, cases, clean_texts, judge

SEED = 11


def _chain(text: str) -> str:
    for _, fix in REPAIRS:
        text = fix(text)
    return text


def _mb_per_s(texts: list[str]) -> tuple[float, float]:
    size = sum(len(t.encode()) for t in texts) / 1e6
    started = time.perf_counter()
    for t in texts:
        _chain(t)
    return size, size / (time.perf_counter() - started)


def run(results: dict) -> None:
    """Measure and store the figures under ``results["repair"]``; print two lines."""
    clean = clean_texts(SEED, 600_000)
    for t in clean[:200]:  # load the lexicon, the model and the tables outside the timing
        _chain(t)
    clean_mb, clean_rate = _mb_per_s(clean)
    damaged = cases(SEED, 420)
    damaged_mb, damaged_rate = _mb_per_s([c.damaged for c in damaged])
    outcome: dict[str, Counter[str]] = {kind: Counter() for kind in CLASSES}
    config = load_config(None)
    for c in damaged:
        outcome[c.kind][judge(c, config)] += 1
    exact = {k: round(v["exact"] / max(1, sum(v.values())), 3) for k, v in outcome.items()}
    results["repair"] = {
        "clean_mb": round(clean_mb, 2), "clean_mb_per_s": round(clean_rate, 1),
        "damaged_mb": round(damaged_mb, 2), "damaged_mb_per_s": round(damaged_rate, 2),
        "damaged_repairs_per_mb": round(sum(v["exact"] for v in outcome.values()) / damaged_mb),
        "cases": len(damaged), "exact_per_class": exact,
        "wrong": sum(v["wrong"] for v in outcome.values()),
    }
    print(f"repair: clean {clean_rate:.1f} MB/s, damaged {damaged_rate:.2f} MB/s "
          f"({results['repair']['damaged_repairs_per_mb']} exact repairs per MB)")
    print("repair exact per class: " + ", ".join(f"{k} {v:.0%}" for k, v in exact.items()))


if __name__ == "__main__":
    run({})
