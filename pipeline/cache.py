"""Where compiled data (dictionaries, character models) is cached between runs."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """The cache directory: ``$JINGHUA_CACHE`` or ``~/.cache/jinghua``, created on demand."""
    root = os.environ.get("JINGHUA_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "jinghua"
    )
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_path(name: str) -> Path:
    """Path of one cache file; callers write it atomically (tmp file + rename)."""
    return cache_dir() / name
