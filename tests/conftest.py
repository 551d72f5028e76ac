"""Shared fixtures: the default config, the project's paths, and ../shared when it is present."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config()


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared, or a clean skip when this checkout has none beside it."""
    if not (SHARED / "SPEC.md").is_file():
        pytest.skip("../shared is not present")
    return SHARED


def jinghua(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real command line (`python -m pipeline ...`)."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd or ROOT, capture_output=True,
                          text=True, timeout=timeout)
