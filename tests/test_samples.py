"""The core on the sample pages in raw/: each page's expectations in tests/fixtures/samples.yaml.

The fixture is written by tests/make_samples.py together with the pages: true encoding, script,
title, metadata, phrases that must survive cleaning and chrome or damage that must not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.clean import clean_document, clean_paragraph

from .conftest import RAW

FIXTURE = Path(__file__).parent / "fixtures" / "samples.yaml"
SAMPLES = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["samples"]


def _ids(s: dict) -> str:
    return s["path"]


@pytest.fixture(scope="module")
def results(config) -> dict:
    return {s["path"]: clean_document((RAW / s["path"]).read_bytes(), s["path"], config) for s in SAMPLES}


def test_the_fixture_covers_every_raw_file() -> None:
    on_disk = sorted(p.relative_to(RAW).as_posix() for p in RAW.rglob("*") if p.is_file())
    assert sorted(s["path"] for s in SAMPLES) == on_disk
    assert len(on_disk) >= 12


@pytest.mark.parametrize("sample", SAMPLES, ids=_ids)
def test_document_record(sample: dict, results: dict) -> None:
    doc = results[sample["path"]].document
    assert doc["status"] == sample.get("status", "ok"), doc["reason"]
    if doc["status"] != "ok":
        assert doc["reason"] and not results[sample["path"]].paragraphs
        return
    assert doc["encoding"] == sample["encoding"]
    assert doc["encoding_evidence"] == ("bom" if sample.get("bom") else "declared" if sample.get("declared")
                                        and sample["declared"] != "utf-8" else "detected")
    assert doc["script_in"] == sample["script_in"]
    for key in ("title", "published"):
        if key in sample:
            assert doc.get(key) == sample[key], key
    for key, value in (sample.get("meta") or {}).items():
        assert doc.get(key) == value, key


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.get("status", "ok") == "ok"], ids=_ids)
def test_content_kept_and_chrome_gone(sample: dict, results: dict, config) -> None:
    result = results[sample["path"]]
    text = "\n".join(p["text"] for p in result.paragraphs)
    for phrase in sample["must_contain"]:
        assert phrase in text, phrase
    for chrome in sample["must_not_contain"]:
        assert chrome not in text, chrome
    flagged = [p for p in result.paragraphs if "unrepaired-corruption" in p["flags"]]
    assert bool(flagged) == bool(sample.get("unrepairable")), [p["text"] for p in flagged]
    for p in result.paragraphs:
        assert clean_paragraph(p["text"], config).text == p["text"]  # idempotent



@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.get("duplicate_of")], ids=_ids)
def test_repost_in_the_other_script_equals_the_original(sample: dict, results: dict) -> None:
    mine = [p["text"] for p in results[sample["path"]].paragraphs if p["kind"] == "body"]
    original = {p["text"] for p in results[sample["duplicate_of"]].paragraphs}
    assert mine and all(t in original for t in mine)
