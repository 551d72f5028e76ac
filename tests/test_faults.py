"""SIGKILL at any moment leaves the published corpus intact, and the next run equals an
uninterrupted one byte for byte: killed during shard writing, and during publish."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.store import iter_shard, verify

from .conftest import ROOT, jinghua
from .test_corpus import write_pages

RECORDS = ("paragraphs-*.jsonl.zst", "documents-*.jsonl.zst", "rejects-*.jsonl.zst")


def kill_when(raw: Path, clean: Path, ready: Callable[[], bool], workers: int = 1) -> None:
    """Start a run, SIGKILL its whole process group as soon as ``ready()`` holds."""
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--clean", str(clean),
                             "--workers", str(workers)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while not ready():
            if proc.poll() is not None:
                pytest.fail("the run finished before the kill point was reached")
            if time.monotonic() > deadline:
                pytest.fail("kill point never reached")
            time.sleep(0.002)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)


def same_records(a: Path, b: Path) -> None:
    for pattern in RECORDS:
        mine, theirs = sorted(a.glob(pattern)), sorted(b.glob(pattern))
        assert [f.name for f in mine] == [f.name for f in theirs]
        assert all(x.read_bytes() == y.read_bytes() for x, y in zip(mine, theirs, strict=True))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("faults")
    raw = base / "raw"
    write_pages(raw, range(1500))
    reference = base / "reference"
    assert jinghua("run", "--raw", str(raw), "--clean", str(reference)).returncode == 0
    return {"base": base, "raw": raw, "reference": reference / "current"}


def test_kill_during_shard_writing(corpus) -> None:
    clean = corpus["base"] / "shards-killed"
    shards = clean / "cache" / "shards"
    kill_when(corpus["raw"], clean, lambda: shards.is_dir() and len(list(shards.glob("*.jsonl.zst"))) >= 3)
    assert not (clean / "current").exists()
    # A shard under its final name is whole (written to a temporary and renamed); the kill may
    # leave a temporary behind, which the next run removes.
    written = sorted(shards.glob("*.jsonl.zst"))
    assert len(written) >= 3 and all(list(iter_shard(path)) for path in written)
    assert jinghua("run", "--raw", str(corpus["raw"]), "--clean", str(clean)).returncode == 0
    assert not [p for p in shards.iterdir() if not p.name.endswith((".jsonl.zst", ".keys.zst", ".stats.json"))]
    same_records(clean / "current", corpus["reference"])


def test_kill_during_publish_keeps_the_previous_version(corpus) -> None:
    clean = corpus["base"] / "publish-killed"
    raw = corpus["raw"]
    assert jinghua("run", "--raw", str(raw), "--clean", str(clean)).returncode == 0
    previous = os.readlink(clean / "current")
    write_pages(raw, range(1500, 1510))
    versions = clean / "versions"
    kill_when(raw, clean, lambda: any(p.name.startswith(".") for p in versions.iterdir()))
    assert os.readlink(clean / "current") == previous and verify(clean / "current") is None
    assert jinghua("run", "--raw", str(raw), "--clean", str(clean)).returncode == 0  # takes over the stale lock
    fresh = corpus["base"] / "publish-fresh"
    assert jinghua("run", "--raw", str(raw), "--clean", str(fresh)).returncode == 0
    same_records(clean / "current", fresh / "current")
    assert not [p for p in versions.iterdir() if p.name.startswith(".")], "the killed publish's temp dir is swept"
