"""Every example in the modules' docstrings holds (the fixes explain themselves, ftfy style)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import pipeline

MODULES = [m.name for m in pkgutil.iter_modules(pipeline.__path__) if m.name != "__main__"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"pipeline.{name}")
    result = doctest.testmod(module)
    assert result.failed == 0
