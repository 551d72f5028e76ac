"""The five real seed pages (../shared/seeds) come out clean: the shared seed check passes."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import ROOT


def test_seedcheck_passes(shared) -> None:
    p = subprocess.run([sys.executable, str(shared / "tools" / "seedcheck.py"), "--python", sys.executable],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    m = re.search(r"overall: recall ([\d.]+), precision ([\d.]+), exact ([\d.]+)", p.stdout)
    assert m, p.stdout + p.stderr
    recall, precision, exact = map(float, m.groups())
    assert p.returncode == 0, p.stdout
    assert recall >= 0.99 and precision >= 0.99 and exact >= 0.99, p.stdout
    assert "kept chrome" not in p.stdout, p.stdout


def test_seed_metadata_parsed(shared, config) -> None:
    import json

    from pipeline.clean import clean_document

    for gold_path in sorted((shared / "seeds" / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        data = (shared / "seeds" / gold["seed"]).read_bytes()
        doc = clean_document(data, gold["seed"], config).document
        assert doc["script_in"] == gold["script_in"], gold["seed"]
        for key, value in gold["meta"].items():
            assert doc.get(key) == value, (gold["seed"], key)
