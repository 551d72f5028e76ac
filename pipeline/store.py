"""The corpus on disk: inventory of raw/, shard plans and results, publishing, verification.

Layout under ``clean/``::

    cache/shards/<key>.jsonl.zst  one shard's document results; the key hashes the shard's
                                  (path, sha256) list, the config hash and the pipeline version.
                                  Shards are runs of the path-sorted files cut where a path hash
                                  says so: a new, deleted or renamed file changes only its shard,
                                  whose other files are taken from the shard they were in (by
                                  sha256), so a renamed or re-added file costs no cleaning
    cache/shards/<key>.keys.zst   what corpus-wide decisions need of the shard (dedup keys, ...)
    cache/plans/<id>.json         what a run will build: the shards and their files
    versions/<id>/                a published corpus: paragraphs/documents/rejects-NNNNN.jsonl.zst
                                  (a part per shard, size-bounded), manifest, catalog, report; the
                                  id hashes the same inputs, so a run with nothing new publishes
                                  nothing new, and a part whose shard and corpus-wide decisions are
                                  unchanged is linked from the previous version, not rewritten;
                                  the manifest keeps a digest of each document's decisions, so a
                                  part of an unchanged shard copies the lines of its documents
                                  whose decisions held and writes only the others
    current -> versions/<id>      switched atomically once the version is complete

Every file is written to a temporary name and renamed into place, so a killed run leaves no half
file behind. Records are serialised with sorted keys in a stable order: a rebuild is
byte-identical.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import zstandard

from . import __version__

RECORD_KINDS = ("paragraphs", "documents", "rejects")


class StoreError(RuntimeError):
    """A problem with the raw or clean directory, described in one line."""


@dataclass(frozen=True)
class RawFile:
    """One file found under raw/: its path relative to raw/, size and content hash."""

    path: str
    size: int
    sha256: str
    problem: str | None = None  # why it cannot be read (quarantined without cleaning)


def dumps(record: dict[str, Any]) -> bytes:
    """One JSON line, keys sorted, non-ASCII kept."""
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS) + b"\n"


LIKE_ESCAPE = re.compile(rb"\\(?=x[0-9a-fA-F]{2})")
ESCAPE = re.compile(rb"\\x([0-9a-fA-F]{2})")


def relpath(path: Path, root: Path) -> str:
    r"""Path relative to raw/, POSIX style. Bytes that are not UTF-8 (a GBK file name) are written
    ``\xNN``, and so is a backslash that would read as such an escape, so ``fs_name`` reverses it.

    >>> relpath(Path(os.fsdecode("raw/新闻.txt".encode("gbk"))), Path("raw"))
    '\\xd0\\xc2\\xce\\xc5.txt'
    >>> fs_name(_) == "新闻.txt".encode("gbk"), relpath(Path(r"raw/a\x41"), Path("raw"))
    (True, 'a\\x5cx41')
    """
    rel = os.fsencode(path.relative_to(root).as_posix())
    return LIKE_ESCAPE.sub(rb"\\x5c", rel).decode("utf-8", "backslashreplace")


def fs_name(rel: str) -> bytes:
    """The file name (bytes, relative to raw/) that ``relpath`` wrote as ``rel``."""
    return ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), rel.encode("utf-8"))


def file_sha256(path: Path | str, limit: int | None = None) -> str:
    """Hash a file in chunks. Beyond ``limit`` bytes (a file quarantined as too large) only the
    first bytes and the size count: such a file is never read whole."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        read = 0
        while chunk := f.read(1 << 20):
            h.update(chunk)
            read += len(chunk)
            if limit is not None and read > limit:
                h.update(b"\0size %d" % os.fstat(f.fileno()).st_size)
                break
    return h.hexdigest()


def inventory(raw_dir: Path, max_bytes: int, skip_hidden: bool = True,
              known: dict[str, list[Any]] | None = None) -> list[RawFile]:
    """Every file under raw/, sorted by path. Unreadable entries are listed with their problem.

    ``known`` maps a path to ``[size, mtime_ns, ctime_ns, inode, sha256]`` from the last run: a
    file whose stat is unchanged is not read again. It is updated in place to what was found.
    The others are hashed by a few threads (reading and hashing release the GIL)."""
    seen: dict[str, list[Any]] = {}
    to_hash: list[tuple[str, str, list[int]]] = []
    if not raw_dir.is_dir():
        raise StoreError(f"raw directory not found: {raw_dir}")
    root = raw_dir.resolve()
    found: list[RawFile] = []

    def walk_error(err: OSError) -> None:
        where = Path(err.filename) if err.filename else root
        found.append(RawFile(relpath(where, raw_dir) if where != root else ".", 0, "",
                             f"unreadable directory: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(raw_dir, onerror=walk_error):
        if skip_hidden:
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        # os.walk does not follow a symlink to a directory: it is listed (and quarantined) as an entry
        linked = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        dirnames[:] = sorted(d for d in dirnames if d not in linked)
        folder = relpath(Path(dirpath), raw_dir)
        prefix = "" if folder == "." else folder + "/"  # names escaped one by one, as relpath would
        for name in sorted(filenames + linked):
            if skip_hidden and name.startswith("."):
                continue
            path = os.path.join(dirpath, name)
            rel = prefix + LIKE_ESCAPE.sub(rb"\\x5c", os.fsencode(name)).decode("utf-8", "backslashreplace")
            try:
                st = os.lstat(path)
                if stat.S_ISLNK(st.st_mode):
                    try:
                        target = Path(path).resolve(strict=True)
                    except (OSError, RuntimeError) as e:  # RuntimeError: a loop, before Python 3.13
                        loop = isinstance(e, RuntimeError) or e.errno == errno.ELOOP
                        found.append(RawFile(rel, 0, "", "symlink loop" if loop else "dangling symlink"))
                        continue
                    if root not in target.parents:
                        found.append(RawFile(rel, 0, "", "symlink pointing outside raw/"))
                        continue
                    st = os.stat(path)
                if not stat.S_ISREG(st.st_mode):
                    found.append(RawFile(rel, 0, "", "symlink to a directory (not followed)"
                                         if stat.S_ISDIR(st.st_mode) else "not a regular file"))
                    continue
                stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
                old = (known or {}).get(rel)
                if old is not None and old[:4] == stamp:
                    seen[rel] = old
                    found.append(RawFile(rel, st.st_size, old[4]))
                else:
                    to_hash.append((rel, path, stamp))
            except OSError as e:
                found.append(RawFile(rel, 0, "", f"unreadable: {e.strerror}"))

    def hashed(items: list[tuple[str, str, list[int]]]) -> list[RawFile]:
        out = []
        for rel, path, stamp in items:
            try:
                sha = file_sha256(path, max_bytes)
            except OSError as e:
                out.append(RawFile(rel, 0, "", f"unreadable: {e.strerror}"))
                continue
            seen[rel] = [*stamp, sha]
            out.append(RawFile(rel, stamp[0], sha))
        return out

    with ThreadPoolExecutor(max_workers=4) as pool:  # in batches: a future per small file costs more than its hash
        for batch in pool.map(hashed, [to_hash[i:i + 256] for i in range(0, len(to_hash), 256)]):
            found += batch
    found.sort(key=lambda f: f.path)
    if known is not None:
        known.clear()
        known.update(seen)
    return found


def _read_zst(path: Path) -> bytes | None:
    """A file :func:`_write_zst` wrote, or None when absent or damaged (the caller rebuilds it)."""
    try:
        return zstandard.ZstdDecompressor().decompress(path.read_bytes())
    except (OSError, zstandard.ZstdError):
        return None


def _write_zst(path: Path, data: bytes) -> None:
    """Compressed with a checksum: a damaged file fails to decompress instead of giving other bytes."""
    write_atomic(path, zstandard.ZstdCompressor(level=1, write_checksum=True).compress(data))


def read_inventory(path: Path) -> dict[str, list[Any]]:
    """The stat and hash of every raw file at the last run (empty when absent or damaged)."""
    data = _read_zst(path)
    with suppress(ValueError):
        return orjson.loads(data) if data else {}
    return {}


def write_inventory(path: Path, known: dict[str, list[Any]]) -> None:
    _write_zst(path, orjson.dumps(known))


def ends_shard(path: str, shard_files: int) -> bool:
    """Whether a shard ends after this file: about one path in ``shard_files``, by a hash of the path."""
    return int(hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()[:8], 16) % shard_files == 0


def digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Plan:
    """What a run builds: shards of files; the plan id is also the version it publishes as."""

    id: str
    config_hash: str
    shards: dict[str, list[RawFile]]  # shard key -> files, in path order
    sources: dict[str, str] = field(default_factory=dict)  # sha256 -> an earlier shard holding its result

    @property
    def version(self) -> str:
        return self.id

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "config_hash": self.config_hash, "sources": self.sources,
                "shards": {k: [f.__dict__ for f in v] for k, v in self.shards.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(data["id"], data["config_hash"],
                   {k: [RawFile(**f) for f in v] for k, v in data["shards"].items()}, data["sources"])


def make_plan(files: list[RawFile], config_hash: str, shard_files: int,
              reusable: dict[str, str] | None = None) -> Plan:
    """Cut the path-sorted files into shards and name everything by content.

    A shard ends after a file for which :func:`ends_shard` says so (or at ``4 * shard_files``
    files), so boundaries depend on the paths alone: adding, deleting or renaming a file changes
    the shard it falls in, not the others, and the shards in order are the corpus in path order.
    ``reusable`` (from :func:`reusable_results`) says where files already cleaned can be taken
    from: a new shard made of known files costs no cleaning."""
    groups: list[list[RawFile]] = [[]]
    for f in files:
        groups[-1].append(f)
        if ends_shard(f.path, shard_files) or len(groups[-1]) >= 4 * shard_files:
            groups.append([])
    keyed = {}
    for members in filter(None, groups):
        key = digest("shard", __version__, config_hash, [(f.path, f.sha256, f.problem) for f in members])
        keyed[key] = members
    version = digest("version", __version__, config_hash, list(keyed))
    reusable = reusable or {}
    sources = {f.sha256: reusable[f.sha256] for key, members in keyed.items() for f in members
               if reusable.get(f.sha256, key) != key}
    return Plan(id=version, config_hash=config_hash, shards=keyed, sources=sources)


def reusable_results(layout: Layout, config_hash: str) -> dict[str, str]:
    """sha256 -> the key of a finished shard holding that file's result for this config and
    pipeline version (what :func:`make_plan` may reuse; the shards are the cache)."""
    found: dict[str, str] = {}
    for path in sorted(layout.shards.glob("*.stats.json")):
        stats = read_stats(path)
        key = path.name.removesuffix(".stats.json")
        if stats.get("config_hash") == config_hash and stats.get("pipeline_version") == __version__ \
                and layout.shard_file(key).is_file():
            for sha in stats.get("reusable", ()):
                found.setdefault(sha, key)
    return found


def prune_shards(layout: Layout) -> None:
    """Delete the cached shards and plans that no kept version was published from."""
    versions = {d.name for d in layout.versions.iterdir() if not d.name.startswith(".")}
    keep: set[str] = set()
    for path in layout.plans.glob("*.json"):
        if path.stem not in versions:
            path.unlink(missing_ok=True)
            continue
        try:
            keep.update(read_plan(path).shards)
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
    for path in layout.shards.iterdir():
        if path.name.split(".", 1)[0] not in keep:
            path.unlink(missing_ok=True)


class Layout:
    """Paths inside clean/."""

    def __init__(self, clean_dir: Path) -> None:
        self.root = clean_dir
        self.shards = clean_dir / "cache" / "shards"
        self.plans = clean_dir / "cache" / "plans"
        self.versions = clean_dir / "versions"
        self.current = clean_dir / "current"

    def prepare(self) -> None:
        try:
            for d in (self.shards, self.plans, self.versions):
                d.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".write-test.{socket.gethostname()}.{os.getpid()}"  # workers start together
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise StoreError(f"clean directory not writable: {self.root} ({e.strerror})") from None

    def shard_file(self, key: str) -> Path:
        return self.shards / f"{key}.jsonl.zst"

    @property
    def inventory_file(self) -> Path:
        return self.root / "cache" / "inventory.json.zst"

    def keys_file(self, key: str) -> Path:
        return self.shards / f"{key}.keys.zst"

    def stats_file(self, key: str) -> Path:
        return self.shards / f"{key}.stats.json"

    def plan_file(self, plan_id: str) -> Path:
        return self.plans / f"{plan_id}.json"

    def version_dir(self, version: str) -> Path:
        return self.versions / version

    def is_current(self, version: str) -> bool:
        """``current`` points at this version and the version is complete."""
        return self.current_version() == version and (self.version_dir(version) / "manifest.json").is_file()

    def current_version(self) -> str | None:
        try:
            return os.readlink(self.current).rsplit("/", 1)[-1]
        except OSError:
            return None


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside ``path`` and rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_shard(path: Path, lines: list[bytes]) -> None:
    """A shard's document results (JSON lines, :func:`dumps`) compressed with zstandard.

    The caller provides atomicity (the Luigi task writes to its target's temporary path)."""
    path.write_bytes(zstandard.ZstdCompressor(level=3).compress(b"".join(lines)))


def write_stats(path: Path, stats: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(stats, sort_keys=True).encode())


def read_stats(path: Path) -> dict[str, Any]:
    """A shard's stats (stage seconds, files cleaned and reused); empty if gone."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def iter_shard(path: Path) -> Iterator[dict[str, Any]]:
    """A shard's document results, one at a time."""
    for line in shard_lines(path):
        yield orjson.loads(line)


def shard_lines(path: Path) -> list[bytes]:
    """A shard's document results as JSON lines, to be parsed where needed."""
    return _lines(path.read_bytes())


def part_lines(directory: Path, files: list[dict[str, Any]]) -> list[bytes]:
    """The records of a published part (its files' manifest entries), as written: a line each.
    Raises ValueError when a file is not what the manifest says."""
    out: list[bytes] = []
    for entry in files:
        data = _verified(directory, entry)
        out += zstandard.ZstdDecompressor().decompressobj().decompress(data).splitlines(keepends=True)
    return out


def _verified(directory: Path, entry: dict[str, Any]) -> bytes:
    """A published file's bytes; ValueError when they are not what its manifest entry says."""
    data = (directory / entry["file"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ValueError(f"{entry['file']}: sha256 differs from the manifest")
    return data


def intact(directory: Path, files: list[dict[str, Any]]) -> bool:
    """Whether a published part's files (manifest entries) are there with the sha256 the manifest gives."""
    try:
        for entry in files:
            _verified(directory, entry)
    except (OSError, ValueError):
        return False
    return True


def read_manifest(version_dir: Path) -> dict[str, Any]:
    """A published version's manifest; OSError or ValueError when it is gone or unreadable."""
    return json.loads((version_dir / "manifest.json").read_text(encoding="utf-8"))


def write_keys(path: Path, packed: bytes) -> None:
    """A shard's keys for the corpus-wide decisions, packed (``batch.pack_keys``)."""
    _write_zst(path, packed)


def read_keys(path: Path) -> bytes | None:
    """A shard's packed keys, or None when absent or damaged (they are then derived from the shard)."""
    return _read_zst(path)


def write_plan(layout: Layout, plan: Plan) -> Path:
    path = layout.plan_file(plan.id)
    write_atomic(path, json.dumps(plan.to_json(), ensure_ascii=False, sort_keys=True).encode())
    return path


def read_plan(path: Path) -> Plan:
    """A plan file; plans are named by content and never change, so each is read once a process."""
    return _read_plan(str(path))


@functools.lru_cache(maxsize=8)
def _read_plan(path: str) -> Plan:
    return Plan.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


class RecordWriter:
    """One kind of record as zstandard JSON-lines files of at most ``max_bytes`` uncompressed each
    (``paragraphs-00000.jsonl.zst``…), streamed: memory does not grow with the corpus. Level 1:
    on these records within 1% of level 3's size, and faster (0.11 s against 0.15 s for the
    130 MB of the 50 MB bench corpus).

    The corpus is written part by part (a part per shard): a part's records start a new file.
    Parts written by several processes are written under a ``prefix`` each and then taken, in
    corpus order, by a writer that numbers them (:meth:`take_part`), as an unchanged part's files
    are taken from the previous version."""

    def __init__(self, directory: Path, kind: str, max_bytes: int, prefix: str = "") -> None:
        self.directory, self.kind, self.max_bytes, self.prefix = directory, kind, max_bytes, prefix
        self.files: list[dict[str, Any]] = []
        self.count = 0
        self.part_start = 0
        self.stream: Any = None

    def _next_name(self) -> str:
        return f"{self.prefix}{self.kind}-{len(self.files):05d}.jsonl.zst"

    def _open(self) -> None:
        self.name = self._next_name()
        self.raw = open(self.directory / self.name, "wb")  # noqa: SIM115 (closed in _close)
        self.stream = zstandard.ZstdCompressor(level=1).stream_writer(self.raw, closefd=False)
        self.size = self.records = 0
        self.pending: list[bytes] = []  # lines go to the compressor in chunks: a write per line costs more
        self.pending_size = 0

    def _drain(self) -> None:
        self.stream.write(b"".join(self.pending))
        self.pending, self.pending_size = [], 0

    def _close(self) -> None:
        self._drain()
        self.stream.close()
        self.raw.close()
        self.stream = None
        data = (self.directory / self.name).read_bytes()
        self.files.append({"file": self.name, "kind": self.kind, "records": self.records,
                           "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})

    def write_line(self, line: bytes) -> None:
        """One record, already a JSON line (:func:`dumps`)."""
        if self.stream is not None and self.size + len(line) > self.max_bytes:
            self._close()
        if self.stream is None:
            self._open()
        self.pending.append(line)
        self.pending_size += len(line)
        if self.pending_size >= 1 << 20:
            self._drain()
        self.size += len(line)
        self.records += 1
        self.count += 1

    def write_lines(self, lines: list[bytes]) -> None:
        """Records already JSON lines, split into files exactly as ``write_line`` one by one would."""
        total = sum(map(len, lines))
        if self.stream is None or self.size + total > self.max_bytes:
            for line in lines:
                self.write_line(line)
            return
        self.pending += lines
        self.pending_size += total
        if self.pending_size >= 1 << 20:
            self._drain()
        self.size += total
        self.records += len(lines)
        self.count += len(lines)

    def end_part(self) -> list[dict[str, Any]]:
        """The files of the part just written."""
        if self.stream is not None:
            self._close()
        files, self.part_start = self.files[self.part_start:], len(self.files)
        return files

    def take_part(self, source: Path, files: list[dict[str, Any]], move: bool = False) -> list[dict[str, Any]]:
        """Take a part's files under the next numbers: moved (written under a prefix in this
        directory) or from another version (hard links; a copy across file systems)."""
        for entry in files:
            name = self._next_name()
            if move:
                os.rename(source / entry["file"], self.directory / name)
            else:
                try:
                    os.link(source / entry["file"], self.directory / name)
                except OSError:
                    shutil.copyfile(source / entry["file"], self.directory / name)
            self.files.append({**entry, "file": name})
            self.count += entry["records"]
        return self.end_part()


def publish(layout: Layout, plan: Plan, fill: Callable[[Path], dict[str, Any]]) -> Path:
    """Write a version directory, then switch ``current`` to it atomically.

    ``fill(dir)`` writes the records, catalog and report into the (temporary) directory and
    returns manifest fields: ``counts``, ``shards`` and any more."""
    target = layout.version_dir(plan.version)
    if target.is_dir() and (target / "manifest.json").is_file():
        switch_current(layout, plan.version)
        return target
    tmp = Path(tempfile.mkdtemp(dir=layout.versions, prefix=f".{plan.version}."))
    tmp.chmod(0o755)
    manifest = {
        "pipeline_version": __version__, "config_hash": plan.config_hash, "version": plan.version,
        "input": sorted(({"path": f.path, "sha256": f.sha256, "size": f.size}
                         for files in plan.shards.values() for f in files), key=lambda f: f["path"]),
        **fill(tmp),
    }
    (tmp / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    if target.exists():
        shutil.rmtree(target)
    os.rename(tmp, target)
    switch_current(layout, plan.version)
    return target


def switch_current(layout: Layout, version: str) -> None:
    """Point ``current`` at a version with one rename (readers see the old or the new, never half)."""
    link = layout.root / f".current.{os.getpid()}.tmp"
    with suppress(FileNotFoundError):
        link.unlink()
    os.symlink(f"versions/{version}", link)
    os.replace(link, layout.current)


def prune_versions(layout: Layout, keep: int) -> None:
    """Delete all but the newest ``keep`` versions besides the current one, and the temporary
    directories of publishes that were killed (called after a successful publish)."""
    for stale in layout.versions.glob(".*"):
        shutil.rmtree(stale, ignore_errors=True)
    current = layout.current_version()
    others = sorted((d for d in layout.versions.iterdir() if d.is_dir() and d.name != current
                     and not d.name.startswith(".")), key=lambda d: d.stat().st_mtime, reverse=True)
    for d in others[keep:]:
        shutil.rmtree(d, ignore_errors=True)


def _lines(data: bytes) -> list[bytes]:
    return [line for line in zstandard.ZstdDecompressor().decompressobj().decompress(data).splitlines() if line]


def read_records(version_dir: Path, kind: str, files: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """All records of one kind in a published version (or in the given files of it), in order."""
    paths = [version_dir / f for f in files] if files is not None else sorted(version_dir.glob(f"{kind}-*.jsonl.zst"))
    for path in paths:
        for line in _lines(path.read_bytes()):
            yield orjson.loads(line)


def verify(version_dir: Path) -> str | None:
    """The first mismatch between a version and its manifest, or None if it is intact."""
    try:
        manifest = read_manifest(version_dir)
    except (OSError, ValueError) as e:
        return f"{version_dir}/manifest.json: unreadable ({e})"
    counts = dict.fromkeys(RECORD_KINDS, 0)
    for shard in manifest["shards"]:
        path = version_dir / shard["file"]
        try:
            data = path.read_bytes()
        except OSError:
            return f"{shard['file']}: missing"
        if hashlib.sha256(data).hexdigest() != shard["sha256"]:
            return f"{shard['file']}: sha256 differs from the manifest"
        try:
            lines = len(_lines(data))
        except zstandard.ZstdError as e:
            return f"{shard['file']}: not a zstandard stream ({e})"
        if lines != shard["records"]:
            return f"{shard['file']}: {lines} records, manifest says {shard['records']}"
        counts[shard["kind"]] += lines
    for kind, n in counts.items():
        if manifest["counts"].get(kind) != n:
            return f"{kind}: {n} records in shards, manifest counts {manifest['counts'].get(kind)}"
    return None


class RunLock:
    """One run at a time per clean/: a lock file holding the holder's pid and host.

    A lock left by a dead process on this host is taken over; a live holder makes the second
    run wait up to ``wait`` seconds, then fail with a message naming the holder.
    """

    def __init__(self, layout: Layout, wait: float = 0.0) -> None:
        self.path = layout.root / "run.lock"
        self.wait = wait
        self.owner = f"{os.getpid()}@{socket.gethostname()}"

    def _holder_alive(self, holder: str) -> bool:
        pid, _, host = holder.partition("@")
        if host != socket.gethostname() or not pid.isdigit():
            return True  # another machine's lock: trust it
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def __enter__(self) -> RunLock:
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                os.write(fd, self.owner.encode())
                os.close(fd)
                return self
            except FileExistsError:
                try:
                    holder = self.path.read_text().strip()
                except FileNotFoundError:
                    continue
                if not self._holder_alive(holder):
                    stale = self.path.with_suffix(f".stale.{os.getpid()}")
                    with suppress(FileNotFoundError):
                        os.rename(self.path, stale)
                        stale.unlink()
                    continue
                if time.monotonic() >= deadline:
                    raise StoreError(f"another run holds {self.path} ({holder})") from None
                time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        with suppress(FileNotFoundError):
            if self.path.read_text().strip() == self.owner:
                self.path.unlink()
