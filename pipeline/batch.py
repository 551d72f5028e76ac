"""Plain functions the Luigi tasks call: clean one shard's files, assemble and publish a corpus.

They know files and records, not Luigi, so they are tested directly and reused by the CLI.
"""

from __future__ import annotations

import hashlib
import heapq
import os
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from . import catalog, report
from .clean import clean_document, quarantined
from .config import Config
from .dedup import DedupPlan, apply_dedup, document_keys, document_signature, plan_dedup
from .records import restamp
from .store import (
    Layout,
    Plan,
    RawFile,
    RecordWriter,
    fs_name,
    iter_shard,
    publish,
    read_cached,
    read_stats,
    write_cached,
)


def read_raw(raw_dir: Path, f: RawFile, max_bytes: int) -> tuple[bytes | None, str | None]:
    """The file's bytes, or the reason it must be quarantined (too large, unreadable, changed).
    At most ``max_bytes + 1`` bytes are read, whatever the file has become since the inventory."""
    if f.problem:
        return None, f.problem
    if f.size > max_bytes:
        return None, f"too large: {f.size} bytes > input.max_bytes"
    try:
        with open(os.path.join(os.fsencode(raw_dir), fs_name(f.path)), "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as e:
        return None, f"unreadable: {e.strerror}"
    if hashlib.sha256(data).hexdigest() != f.sha256:
        return None, "changed since inventory (cleaned on the next run)"
    return data, None


def clean_file(raw_dir: Path, f: RawFile, config: Config) -> tuple[dict[str, Any], dict[str, float]]:
    """One file's records and stage timings; never raises (an internal error quarantines the file)."""
    data, problem = read_raw(raw_dir, f, config["input"]["max_bytes"])
    if data is None:
        result = quarantined(b"", f.path, problem or "unreadable").records()
        result["document"].update(sha256=f.sha256, size=f.size)
        return result, {}
    try:
        cleaned = clean_document(data, f.path, config)
        return cleaned.records(), cleaned.timings
    except Exception as e:  # a bug must not stop the run or lose the file
        detail = traceback.format_exception_only(type(e), e)[-1].strip()
        return quarantined(data, f.path, f"internal error: {detail}").records(), {}


NOT_CACHED = ("changed since inventory", "internal error", "unreadable")


def clean_shard(raw_dir: Path, files: list[RawFile], config: Config, layout: Layout | None = None,
                progress: Callable[[int, int], None] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Records of every file in a shard, in path order, and stats: seconds per stage, files
    cleaned and files reused from the per-file cache (when a layout is given)."""
    results = []
    timings: Counter[str] = Counter()
    cleaned = reused = 0
    for n, f in enumerate(files):
        cache = layout.file_cache(f.sha256, config.hash) if layout is not None and f.sha256 else None
        cached = read_cached(cache) if cache is not None and not f.problem else None
        if cached is not None:
            result = restamp(cached, f.path)
            reused += 1
        else:
            result, spent = clean_file(raw_dir, f, config)
            result["signature"] = document_signature(result)
            timings.update(spent)
            cleaned += 1
            reason = result["document"]["reason"] or ""
            if cache is not None and not f.problem and not reason.startswith(NOT_CACHED):
                write_cached(cache, result)
        results.append(result)
        if progress:
            progress(n + 1, len(files))
    stages = {k: round(v, 4) for k, v in sorted(timings.items())}
    return results, {"stages": stages, "files_cleaned": cleaned, "files_reused": reused}


def _merged(layout: Layout, plan: Plan) -> Iterator[dict[str, Any]]:
    """Every document result of the plan in path order, streamed from the shards."""
    shards = [iter_shard(layout.shard_file(key)) for key in sorted(plan.shards)]
    return heapq.merge(*shards, key=lambda r: r["document"]["path"])


def assemble(layout: Layout, plan: Plan, config: Config, started: float) -> Path:
    """Merge the shards, dedup corpus-wide, and publish the version with catalog and report.

    Two streaming passes over the shards: the first collects the small keys dedup decides on,
    the second applies the decisions and writes records, catalog and report as it goes."""
    dedup = config["dedup"]
    plan_ = DedupPlan()
    if dedup["enabled"]:
        keys = [document_keys(r, dedup["min_chars"]) for r in _merged(layout, plan)]
        plan_ = plan_dedup(keys, dedup["near_threshold"])
    stage_seconds: Counter[str] = Counter()
    for key in plan.shards:
        stage_seconds.update(read_stats(layout.stats_file(key)).get("stages", {}))

    def fill(directory: Path) -> dict[str, Any]:
        size = config["run"]["records_file_bytes"]
        writers = {kind: RecordWriter(directory, kind, size) for kind in ("paragraphs", "documents", "rejects")}
        index = catalog.Catalog(directory / "catalog.sqlite")
        summary = report.Summary()
        for result in _merged(layout, plan):
            result.pop("signature", None)
            apply_dedup(result, plan_)
            writers["documents"].write(result["document"])
            for para in result["paragraphs"]:
                writers["paragraphs"].write(para)
            for rej in result["rejects"]:
                writers["rejects"].write(rej)
            index.add(result)
            summary.add(result)
        index.close()
        files = [f for kind in ("paragraphs", "documents", "rejects") for f in writers[kind].close()]
        finished = summary.finish(config, time.time() - started, dict(stage_seconds))
        report.write(directory, finished)
        return {"counts": {kind: w.count for kind, w in writers.items()}, "shards": files,
                "config_source": Path(config.source).name, "timings": finished["timings"]}

    return publish(layout, plan, fill)
