"""Plain functions the Luigi tasks call: clean one shard's files, assemble and publish a corpus.

They know files and records, not Luigi, so they are tested directly and reused by the CLI.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import orjson
import zstandard

from . import __version__, catalog, report
from .clean import Clock, clean_document, quarantined
from .config import Config
from .dedup import (
    KEY_BYTES,
    DedupPlan,
    DocumentKeys,
    apply_dedup,
    document_keys,
    document_signature,
    paragraph_key,
    plan_dedup,
)
from .records import restamp
from .sitechrome import (
    HEAD,
    MIDDLE,
    RULE,
    TAIL,
    SiteChrome,
    SiteKeys,
    apply_site_chrome,
    learn_site_chrome,
    site_keys,
    site_of,
)
from .store import (
    RECORD_KINDS,
    Layout,
    Plan,
    RawFile,
    RecordWriter,
    digest,
    dumps,
    fs_name,
    intact,
    iter_shard,
    part_lines,
    publish,
    read_keys,
    read_manifest,
    read_stats,
    shard_lines,
)

ShardKeys = list[tuple[SiteKeys, DocumentKeys]]  # a shard's keys for the corpus-wide decisions, by document


def read_raw(raw_dir: Path, f: RawFile, max_bytes: int) -> tuple[bytes | None, str | None]:
    """The file's bytes, or the reason it must be quarantined (too large, unreadable, changed).
    At most its inventoried size plus one byte are read, whatever the file has become since (a
    read of ``max_bytes`` would allocate that much for every file); a changed file fails the hash."""
    if f.problem:
        return None, f.problem
    if f.size > max_bytes:
        return None, f"too large: {f.size} bytes > input.max_bytes"
    try:
        with open(os.path.join(os.fsencode(raw_dir), fs_name(f.path)), "rb") as fh:
            data = fh.read(f.size + 1)
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


NOT_REUSABLE = ("changed since inventory", "internal error", "unreadable")  # may clean fine next time


def clean_shard(raw_dir: Path, files: list[RawFile], config: Config, sources: dict[str, Path] | None = None,
                progress: Callable[[int, int], None] | None = None
                ) -> tuple[list[bytes], bytes, dict[str, Any]]:
    """Every file of a shard cleaned, in path order: its result as a JSON line (serialized at once:
    a shard's results as objects took tens of MB), its keys (:func:`document_shard_keys`, packed
    by :func:`pack_keys`), and stats:
    seconds per stage, files cleaned, files reused, and which results can be reused later.
    ``sources`` maps a sha256 to an earlier shard file holding that file's result: it is taken
    from there (under this path) instead."""
    found = _results_from(sources or {}, {f.sha256 for f in files if not f.problem})
    lines: list[bytes] = []
    keys: ShardKeys = []
    reusable: set[str] = set()
    timings: Counter[str] = Counter()
    cleaned = reused = 0
    for n, f in enumerate(files):
        earlier = found.get(f.sha256) if not f.problem else None
        if earlier is not None:
            result = restamp(earlier, f.path)
            reused += 1
        else:
            result, spent = clean_file(raw_dir, f, config)
            result["signature"] = document_signature(result)
            timings.update(spent)
            cleaned += 1
        lines.append(dumps(result))
        keys.append(document_shard_keys(result, config))
        if not f.problem and not (result["document"]["reason"] or "").startswith(NOT_REUSABLE):
            reusable.add(result["document"]["sha256"])
        if progress:
            progress(n + 1, len(files))
    stages = {k: round(v, 4) for k, v in sorted(timings.items())}
    return lines, pack_keys(keys), {"stages": stages, "files_cleaned": cleaned, "files_reused": reused,
                         "config_hash": config.hash, "pipeline_version": __version__, "reusable": sorted(reusable)}


def _results_from(sources: dict[str, Path], wanted: set[str]) -> dict[str, dict[str, Any]]:
    """The results of the wanted files that earlier shards hold, each shard read once."""
    found: dict[str, dict[str, Any]] = {}
    for shard in sorted({path for sha, path in sources.items() if sha in wanted}):
        with suppress(OSError, ValueError, zstandard.ZstdError):  # a shard gone or damaged: clean anew
            for result in iter_shard(shard):
                sha = result["document"]["sha256"]
                if sha in wanted and sources.get(sha) == shard:
                    found.setdefault(sha, result)
    return found


def document_shard_keys(result: dict[str, Any], config: Config) -> tuple[SiteKeys, DocumentKeys]:
    """What corpus-wide decisions (site chrome, dedup) need of a document: small keys."""
    return (site_keys(result, config["site_chrome"]["max_chars"]),
            document_keys(result, config["dedup"]["min_chars"]))


WHERE = {HEAD: "h", MIDDLE: "m", TAIL: "t"}
WHERE_OF = {code: where for where, code in WHERE.items()}


def pack_keys(keys: ShardKeys) -> bytes:
    """A shard's keys as bytes: the length of a JSON head (8 bytes), the head (per document: site,
    ok, where its site-chrome lines stand, order, id, sizes), then every document's signature,
    paragraph keys and site-chrome line keys as they are. Read back by :func:`unpack_keys` with
    no JSON or hex to decode for the 40 MB of keys and signatures of a 50 MB corpus."""
    head = orjson.dumps([[s.site, s.ok, "".join(WHERE[w] for _, w in s.lines), d.order, d.doc_id, len(d.keys),
                          len(d.signature)] for s, d in keys])
    blob = b"".join(b"".join((d.signature, d.keys, *(k for k, _ in s.lines))) for s, d in keys)
    return len(head).to_bytes(8, "little") + head + blob


def unpack_keys(data: bytes) -> ShardKeys:
    """The keys :func:`pack_keys` wrote; ValueError when the bytes do not add up."""
    size = int.from_bytes(data[:8], "little")
    at, out = 8 + size, []
    for site, ok, wheres, order, doc_id, n_keys, n_signature in orjson.loads(data[8:at]):
        signature, keys = data[at:at + n_signature], data[at + n_signature:at + n_signature + n_keys]
        at += n_signature + n_keys
        lines = [(data[at + i * KEY_BYTES:at + (i + 1) * KEY_BYTES], WHERE_OF[c]) for i, c in enumerate(wheres)]
        at += len(lines) * KEY_BYTES
        out.append((SiteKeys(site, ok, lines), DocumentKeys((order[0], order[1]), doc_id, keys, signature)))
    if at != len(data):
        raise ValueError("packed keys do not add up")
    return out


def _keys(layout: Layout, key: str, config: Config) -> ShardKeys:
    packed = read_keys(layout.keys_file(key))
    with suppress(ValueError, TypeError, KeyError):  # damaged, or written by an earlier version
        if packed is not None:
            return unpack_keys(packed)
    return [document_shard_keys(r, config) for r in iter_shard(layout.shard_file(key))]  # derived again


def assemble(layout: Layout, plan: Plan, config: Config, started: float, reuse: bool = True,
             processes: int = 1) -> Path:
    """Dedup corpus-wide over the shards' keys, then publish the version part by part (a part per
    shard, in path order) with catalog and report.

    A part whose shard and decisions (dedup, site chrome) equal a part of the current version is
    linked from it (records, catalog rows and report figures alike); a part whose shard is
    unchanged but some of whose documents' decisions changed (a new page repeats an old
    paragraph) is patched: the other documents' lines are copied as they were. Publishing costs
    what changed; ``reuse=False`` (``rebuild``) writes every part anew. A version written whole
    (no part linked or patched) is written by up to ``processes`` processes, parts dealt out in
    turn (see :class:`_Writing`)."""
    clock = Clock()  # the publishing steps, for the report
    dedup = config["dedup"]
    keys = {key: _keys(layout, key, config) for key in plan.shards}
    chrome = learn_site_chrome((site for shard in keys.values() for site, _ in shard), config["site_chrome"])
    removed = {doc.doc_id: chrome.removes(site) for shard in keys.values() for site, doc in shard}
    decided = DedupPlan()
    if dedup["enabled"]:  # on what site chrome leaves
        decided = plan_dedup([doc.without(removed[doc.doc_id]) for shard in keys.values() for _, doc in shard],
                             dedup["near_threshold"])
    size = config["run"]["records_file_bytes"]
    docs = {key: [(doc.doc_id, _decision_digest(decided.decisions(doc), removed[doc.doc_id])) for _, doc in shard]
            for key, shard in keys.items()}
    parts = {key: digest("part", key, size, [d for _, d in docs[key]]) for key in plan.shards}
    del keys  # what follows needs the decisions only: the memory goes to writing the parts
    current = layout.current_version()
    previous_dir = layout.version_dir(current) if current and reuse else None
    previous = _previous_parts(previous_dir) if previous_dir else {}
    patches = _patches(parts, docs, previous)
    stage_seconds: Counter[str] = Counter()
    for key in plan.shards:
        stage_seconds.update(read_stats(layout.stats_file(key)).get("stages", {}))
    clock.lap("decisions")

    def fill(directory: Path) -> dict[str, Any]:
        linked = {key: previous[part] for key, part in parts.items() if part in previous
                  and intact(previous_dir, [f for kind in RECORD_KINDS for f in previous[part]["files"][kind]])}
        keep = set(parts.values()) & set(previous)
        writing = _Writing(directory, size, chrome, decided, previous_dir,
                           {key: (layout.shard_file(key), parts[key], docs[key], patches.get(key))
                            for key in plan.shards if key not in linked})
        # a catalog started afresh can take rows written elsewhere; one updated from the last version can not
        children = writing.fork(processes if not (keep or patches) else 1)
        index = catalog.Catalog(directory / "catalog.sqlite", previous_dir / "catalog.sqlite" if previous_dir else None,
                                keep, {old["id"]: (parts[key], changed) for key, (old, changed) in patches.items()},
                                background=cores() > len(children) + 1)  # on a core the writers leave over
        for key in writing.todo:
            if parts[key] in previous:
                index.drop_part(parts[key])  # its files are damaged or gone: its catalog rows are written anew
        try:
            written = writing.run(0, index)
        except BaseException:
            writing.stop(children)
            raise
        written.update(writing.join(children, index))
        clock.lap("parts")
        index.close()
        clock.lap("catalog")
        writers = {kind: RecordWriter(directory, kind, size) for kind in RECORD_KINDS}
        summary = report.Summary()
        entries = []
        examples: dict[tuple[str, bytes], str] = {}  # site chrome: the smallest text of each learned line
        for key, part in parts.items():
            if key in linked:
                old, state, patched = linked[key]["files"], linked[key]["summary"], False
                files = {kind: writers[kind].take_part(previous_dir, old[kind]) for kind in RECORD_KINDS}
            else:
                state, patched, temporary = written[key]
                files = {kind: writers[kind].take_part(directory, temporary[kind], move=True) for kind in RECORD_KINDS}
            summary.merge(state)
            for site, key_hex, text in state["chrome_examples"]:
                line = (site, bytes.fromhex(key_hex))
                examples[line] = min(examples.get(line, text), text)
            entries.append({"id": part, "shard": key, "summary": state, "files": files,
                            "docs": "".join(d for _, d in docs[key]), "patched": patched})
        chrome.examples = examples
        learned = chrome.entries()
        (directory / "site_chrome.jsonl").write_bytes(b"".join(dumps(e) for e in learned))
        finished = summary.finish(config, time.time() - started, dict(stage_seconds), clock.spent)
        report.write(directory, finished)
        return {"counts": {kind: w.count for kind, w in writers.items()},
                "shards": [f for kind in RECORD_KINDS for f in writers[kind].files],
                "parts": [{**p, "files": {k: [f["file"] for f in v] for k, v in p["files"].items()}} for p in entries],
                "reused_parts": len(linked), "patched_parts": sum(p["patched"] for p in entries),
                "site_chrome_lines": len(learned), "config_source": Path(config.source).name,
                "timings": finished["timings"]}

    return publish(layout, plan, fill)


# A written part: its report figures, whether it was patched, its files (temporary names) by kind.
Written = tuple[dict[str, Any], bool, dict[str, list[dict[str, Any]]]]


class _Writing:
    """The parts a version writes (shard key -> shard file, part id, documents with their decision
    digests, patch), dealt out in turn to ``processes``: process ``n`` writes every n-th part
    into files named ``.w<n>-…`` with their catalog rows, which the publisher then numbers in
    corpus order (:meth:`RecordWriter.take_part`). Forked processes write their catalog rows to a
    catalog of their own, merged into the version's, and hand their figures back in a file."""

    def __init__(self, directory: Path, size: int, chrome: SiteChrome, decided: DedupPlan, previous_dir: Path | None,
                 todo: dict[str, tuple[Path, str, list[tuple[str, str]], tuple[dict[str, Any], set[str]] | None]]):
        self.directory, self.size, self.chrome, self.decided, self.previous_dir = \
            directory, size, chrome, decided, previous_dir
        self.todo = todo
        self.processes = 1

    def fork(self, processes: int) -> list[tuple[int, int]]:
        """Start processes 1 … ``processes``-1 (at most one a part): their numbers and pids."""
        self.processes = max(1, min(processes, len(self.todo)))
        children = []
        for n in range(1, self.processes):
            pid = os.fork()
            if pid == 0:  # the forked process: write, hand the figures back, never return
                status = 1
                try:
                    self._run_alone(n)
                    status = 0
                except BaseException:
                    with suppress(OSError):
                        self._file(n, ".error").write_text(traceback.format_exc(), encoding="utf-8")
                finally:
                    os._exit(status)
            children.append((n, pid))
        return children

    def _file(self, n: int, suffix: str) -> Path:
        return self.directory / f".w{n}{suffix}"

    def run(self, n: int, index: catalog.Catalog) -> dict[str, Written]:
        """Write the parts of process ``n``."""
        writers = {kind: RecordWriter(self.directory, kind, self.size, prefix=f".w{n}-") for kind in RECORD_KINDS}
        written = {}
        for key, (shard, part, docs, patch) in list(self.todo.items())[n::self.processes]:
            state, patched = _write_or_patch(shard, part, docs, self.previous_dir, patch, self.chrome, self.decided,
                                             writers, index)
            written[key] = (state, patched, {kind: writers[kind].end_part() for kind in RECORD_KINDS})
        return written

    def _run_alone(self, n: int) -> None:
        index = catalog.Catalog(self._file(n, ".sqlite"), full_text=False)
        written = self.run(n, index)
        index.close()
        self._file(n, ".figures").write_bytes(pickle.dumps(written))

    def join(self, children: list[tuple[int, int]], index: catalog.Catalog) -> dict[str, Written]:
        """Wait for the forked processes: their parts, their catalog rows merged into ``index``.
        One that failed fails the publish, with its traceback."""
        written: dict[str, Written] = {}
        failed = []
        for n, pid in children:
            _, status = os.waitpid(pid, 0)
            if status != 0:
                error = self._file(n, ".error")
                failed.append(error.read_text(encoding="utf-8") if error.is_file() else f"exit status {status}")
                continue
            written.update(pickle.loads(self._file(n, ".figures").read_bytes()))
            self._file(n, ".figures").unlink()
            index.merge(self._file(n, ".sqlite"))
        if failed:
            raise RuntimeError(f"a process writing parts failed: {failed[0]}")
        return written

    def stop(self, children: list[tuple[int, int]]) -> None:
        """End the forked processes early (the publisher failed): nothing of theirs is published."""
        for _, pid in children:
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


DIGEST_CHARS = 16  # a document's decision digest, in hex (the manifest keeps them concatenated per part)


def _decision_digest(decisions: list[Any], removed: set[bytes]) -> str:
    """What the corpus-wide decisions (dedup, site chrome) do to one document: equal digests,
    equal records."""
    data = orjson.dumps([decisions, sorted(removed)], option=orjson.OPT_SORT_KEYS, default=bytes.hex)
    return hashlib.sha256(data).hexdigest()[:DIGEST_CHARS]


def _patches(parts: dict[str, str], docs: dict[str, list[tuple[str, str]]],
             previous: dict[str, dict[str, Any]]) -> dict[str, tuple[dict[str, Any], set[str]]]:
    """Shards whose part changed while the shard did not: the previous version's part of that
    shard and the documents whose decisions changed (written anew; the others are copied)."""
    by_shard = {p["shard"]: p for p in previous.values()}
    out = {}
    for key, part in parts.items():
        old = by_shard.get(key)
        if part in previous or old is None:
            continue
        was = old.get("docs", "")
        if len(was) != DIGEST_CHARS * len(docs[key]):
            continue  # written before documents were digested: no telling what changed
        changed = {doc_id for i, (doc_id, now) in enumerate(docs[key])
                   if was[i * DIGEST_CHARS:(i + 1) * DIGEST_CHARS] != now}
        out[key] = (old, changed)
    return out


def cores() -> int:
    """CPUs this process may run on (the affinity mask where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _write_or_patch(shard: Path, part: str, docs: list[tuple[str, str]], previous_dir: Path | None,
                    patch: tuple[dict[str, Any], set[str]] | None, chrome: SiteChrome, decided: DedupPlan,
                    writers: dict[str, RecordWriter], index: catalog.Catalog) -> tuple[dict[str, Any], bool]:
    """A part's records written: patched from the previous version's part of the same shard where
    there is one that adds up, else written whole. Its report figures (with the examples of the
    learned site-chrome lines its pages show), and whether it was patched."""
    chrome.examples = {}
    state = None
    if patch is not None and previous_dir is not None:
        state = _patch_part(shard, part, docs, previous_dir, *patch, chrome, decided, writers, index)
        if state is None:
            index.drop_part(part)  # the catalog renamed the old part's rows for a patch that did not happen
    patched = state is not None
    if state is None:
        state = _write_part(shard, part, chrome, decided, writers, index)
    state["chrome_examples"] = [[site, k.hex(), text] for (site, k), text in chrome.examples.items()]
    return state, patched


def _write_part(shard: Path, part: str, chrome: SiteChrome, decided: DedupPlan, writers: dict[str, RecordWriter],
                index: catalog.Catalog) -> dict[str, Any]:
    """Write one shard's records with the corpus-wide decisions applied; its report figures."""
    summary = report.Summary()
    for line in shard_lines(shard):
        _write_document(orjson.loads(line), part, chrome, decided, writers, index, summary)
    return summary.state()


def _write_document(result: dict[str, Any], part: str, chrome: SiteChrome, decided: DedupPlan,
                    writers: dict[str, RecordWriter], index: catalog.Catalog, summary: report.Summary) -> None:
    """One document's records, with the corpus-wide decisions applied, to the writers and the catalog."""
    result.pop("signature", None)
    apply_site_chrome(result, chrome)
    apply_dedup(result, decided)
    document_line = dumps(result["document"])
    writers["documents"].write_line(document_line)
    writers["paragraphs"].write_lines([dumps(para) for para in result["paragraphs"]])
    writers["rejects"].write_lines([dumps(rej) for rej in result["rejects"]])
    index.add(result, part, document_line)
    summary.add(result["document"], lambda: result["rejects"])


CHROME_REJECT = b'"rule":"site-chrome"'


def _patch_part(shard: Path, part: str, docs: list[tuple[str, str]], previous_dir: Path, old: dict[str, Any],
                changed: set[str], chrome: SiteChrome, decided: DedupPlan, writers: dict[str, RecordWriter],
                index: catalog.Catalog) -> dict[str, Any] | None:
    """Write a shard's records from the previous version's part of the same shard: a document
    whose decisions did not change keeps its lines as they were (byte for byte what writing it
    anew gives), the others are written anew from the shard. None, before anything is written,
    when the previous part's files do not add up (then the part is written whole)."""
    try:
        lines = {kind: part_lines(previous_dir, old["files"][kind]) for kind in RECORD_KINDS}
        documents = [orjson.loads(line) for line in lines["documents"]]
    except (OSError, ValueError, zstandard.ZstdError):
        return None
    counts = [(d.get("paragraphs", 0), d.get("rejects", 0)) for d in documents]
    if len(documents) != len(docs) or [sum(c) for c in zip(*counts, strict=True)] != \
            [len(lines["paragraphs"]), len(lines["rejects"])]:
        return None
    results = shard_lines(shard)
    summary = report.Summary()
    at_p = at_r = 0
    for i, ((doc_id, _), document, (n_p, n_r)) in enumerate(zip(docs, documents, counts, strict=True)):
        paragraphs, rejects = lines["paragraphs"][at_p:at_p + n_p], lines["rejects"][at_r:at_r + n_r]
        at_p, at_r = at_p + n_p, at_r + n_r
        if doc_id in changed:
            _write_document(orjson.loads(results[i]), part, chrome, decided, writers, index, summary)
            continue
        writers["documents"].write_line(lines["documents"][i])
        writers["paragraphs"].write_lines(paragraphs)
        writers["rejects"].write_lines(rejects)
        summary.add(document, lambda rejects=rejects: map(orjson.loads, rejects))
        if document.get("rules", {}).get(RULE):
            site = site_of(document)
            for r in (orjson.loads(line) for line in rejects if CHROME_REJECT in line):
                chrome.note_example(site, paragraph_key(r["text"]), r["text"])
    return summary.state()


def _previous_parts(version_dir: Path) -> dict[str, dict[str, Any]]:
    """The parts of a published version with their files' manifest entries, by part id."""
    try:
        manifest = read_manifest(version_dir)
    except (OSError, ValueError):
        return {}
    if not catalog.reusable(version_dir / "catalog.sqlite"):
        return {}  # its catalog rows could not be reused
    entries = {f["file"]: f for f in manifest.get("shards", [])}
    return {p["id"]: {**p, "files": {k: [entries[name] for name in v] for k, v in p["files"].items()}}
            for p in manifest.get("parts", [])}
