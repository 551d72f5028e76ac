"""The corpus on disk: inventory of raw/, shard plans and results, publishing, verification.

Layout under ``clean/``::

    cache/files/<sha256>-<config>-<version>.json.zst
                                  one raw file's result, keyed by content: a renamed or re-added
                                  file costs no cleaning, only new ids
    cache/shards/<key>.jsonl.gz   one shard's document results; the key hashes the shard's
                                  (path, sha256) list, the config hash and the pipeline version
    cache/plans/<id>.json         what a run will build: the shards and their files
    versions/<id>/                a published corpus: paragraphs/documents/rejects-NNNNN.jsonl.zst
                                  (size-bounded), manifest, catalog, report; the id hashes the same inputs, so a run
                                  with nothing new publishes nothing new
    current -> versions/<id>      switched atomically once the version is complete

Every file is written to a temporary name and renamed into place, so a killed run leaves no half
file behind. Records are serialised with sorted keys in a stable order: a rebuild is
byte-identical.
"""

from __future__ import annotations

import errno
import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
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


def file_sha256(path: Path, limit: int | None = None) -> str:
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


def inventory(raw_dir: Path, max_bytes: int, skip_hidden: bool = True) -> list[RawFile]:
    """Every file under raw/, sorted by path. Unreadable entries are listed with their problem."""
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
        for name in sorted(filenames + linked):
            if skip_hidden and name.startswith("."):
                continue
            path = Path(dirpath) / name
            rel = relpath(path, raw_dir)
            try:
                st = os.lstat(path)
                if stat.S_ISLNK(st.st_mode):
                    try:
                        target = path.resolve(strict=True)
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
                found.append(RawFile(rel, st.st_size, file_sha256(path, max_bytes)))
            except OSError as e:
                found.append(RawFile(rel, 0, "", f"unreadable: {e.strerror}"))
    found.sort(key=lambda f: f.path)
    return found


def shard_of(path: str, shards: int) -> int:
    """Which shard a file belongs to: a hash of its path, so adding a file touches one shard."""
    return int(hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()[:8], 16) % shards


def digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Plan:
    """What a run builds: shards of files; the plan id is also the version it publishes as."""

    id: str
    config_hash: str
    shards: dict[str, list[RawFile]]  # shard key -> files

    @property
    def version(self) -> str:
        return self.id

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "config_hash": self.config_hash,
                "shards": {k: [f.__dict__ for f in v] for k, v in self.shards.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(data["id"], data["config_hash"],
                   {k: [RawFile(**f) for f in v] for k, v in data["shards"].items()})


def make_plan(files: list[RawFile], config_hash: str, shards: int) -> Plan:
    """Group files into shards and name everything by content."""
    groups: dict[int, list[RawFile]] = {}
    for f in files:
        groups.setdefault(shard_of(f.path, shards), []).append(f)
    keyed = {}
    for n in sorted(groups):
        members = groups[n]
        key = digest("shard", __version__, config_hash, [(f.path, f.sha256, f.problem) for f in members])
        keyed[key] = members
    version = digest("version", __version__, config_hash, sorted(keyed))
    return Plan(id=version, config_hash=config_hash, shards=keyed)


class Layout:
    """Paths inside clean/."""

    def __init__(self, clean_dir: Path) -> None:
        self.root = clean_dir
        self.shards = clean_dir / "cache" / "shards"
        self.files = clean_dir / "cache" / "files"
        self.plans = clean_dir / "cache" / "plans"
        self.versions = clean_dir / "versions"
        self.current = clean_dir / "current"

    def prepare(self) -> None:
        try:
            for d in (self.shards, self.files, self.plans, self.versions):
                d.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".write-test.{socket.gethostname()}.{os.getpid()}"  # workers start together
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise StoreError(f"clean directory not writable: {self.root} ({e.strerror})") from None

    def shard_file(self, key: str) -> Path:
        return self.shards / f"{key}.jsonl.gz"

    def file_cache(self, sha256: str, config_hash: str) -> Path:
        """One raw file's result, keyed by content, config and pipeline version (not by path)."""
        return self.files / sha256[:2] / f"{sha256}-{config_hash}-{__version__}.json.zst"

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


def write_shard(path: Path, results: Iterable[dict[str, Any]]) -> None:
    """A shard's document results as gzip'd JSON lines (mtime 0: same bytes every time).

    The caller provides atomicity (the Luigi task writes to its target's temporary path)."""
    body = b"".join(dumps(r) for r in results)
    path.write_bytes(gzip.compress(body, compresslevel=6, mtime=0))


def read_cached(path: Path) -> dict[str, Any] | None:
    """A cached file result, or None when absent or unreadable (it is then simply recomputed)."""
    try:
        return orjson.loads(zstandard.ZstdDecompressor().decompress(path.read_bytes()))
    except (OSError, ValueError, zstandard.ZstdError):
        return None


def write_cached(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, zstandard.ZstdCompressor(level=3).compress(orjson.dumps(result)))


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
    with gzip.open(path, "rb") as f:
        for line in f:
            if line.strip():
                yield orjson.loads(line)


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
    """One kind of record as zstandard JSON-lines files of at most ``max_bytes`` uncompressed
    each (``paragraphs-00000.jsonl.zst``…), streamed: memory does not grow with the corpus."""

    def __init__(self, directory: Path, kind: str, max_bytes: int) -> None:
        self.directory, self.kind, self.max_bytes = directory, kind, max_bytes
        self.files: list[dict[str, Any]] = []
        self.count = 0
        self._open()

    def _open(self) -> None:
        self.name = f"{self.kind}-{len(self.files):05d}.jsonl.zst"
        self.raw = open(self.directory / self.name, "wb")  # noqa: SIM115 (closed in _close)
        self.stream = zstandard.ZstdCompressor(level=6).stream_writer(self.raw, closefd=False)
        self.size = self.records = 0

    def _close(self) -> None:
        self.stream.close()
        self.raw.close()
        data = (self.directory / self.name).read_bytes()
        self.files.append({"file": self.name, "kind": self.kind, "records": self.records,
                           "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})

    def write(self, record: dict[str, Any]) -> None:
        line = dumps(record)
        if self.records and self.size + len(line) > self.max_bytes:
            self._close()
            self._open()
        self.stream.write(line)
        self.size += len(line)
        self.records += 1
        self.count += 1

    def close(self) -> list[dict[str, Any]]:
        self._close()
        return self.files


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
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
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


def read_records(version_dir: Path, kind: str) -> Iterator[dict[str, Any]]:
    """All records of one kind in a published version, in order."""
    for path in sorted(version_dir.glob(f"{kind}-*.jsonl.zst")):
        for line in _lines(path.read_bytes()):
            yield orjson.loads(line)


def verify(version_dir: Path) -> str | None:
    """The first mismatch between a version and its manifest, or None if it is intact."""
    try:
        manifest = json.loads((version_dir / "manifest.json").read_text(encoding="utf-8"))
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
