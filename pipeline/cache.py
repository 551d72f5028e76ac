"""Where compiled data (dictionaries, character models) is cached between runs."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


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
