"""The catalog built in the foreground (one core: rows, then one full-text rebuild) and on a
background thread (rows indexed as they arrive) holds the same rows and a sound index; an error
on the thread reaches the caller."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipeline.catalog import AUTOMERGE, Catalog, reusable, search
from pipeline.clean import clean_document
from pipeline.config import Config
from pipeline.store import dumps

from .test_corpus import page


def _results(config: Config, n: int) -> list[dict]:
    return [clean_document(page(i).encode("utf-8"), f"site{i % 3}/{i:04d}.txt", config).records() for i in range(n)]


def _build(path: Path, results: list[dict], background: bool) -> None:
    index = Catalog(path, background=background)
    index.BATCH, index.INDEX_BATCH = 7, 20  # many flushes and index batches on a small corpus
    for r in results:
        index.add(r, "part-a", dumps(r["document"]))
    index.close()


def catalog_rows(path: Path) -> list[tuple]:
    """Every catalog row (row ids and parts aside), after SQLite's own check of the full-text index."""
    con = sqlite3.connect(path)
    try:
        con.execute("INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('integrity-check', 1)")
        return [*con.execute("SELECT id, text, record FROM paragraphs ORDER BY id"),
                *con.execute("SELECT id, record FROM documents ORDER BY id")]
    finally:
        con.close()


def test_background_build_equals_foreground_build(tmp_path: Path, config: Config) -> None:
    results = _results(config, 40)
    _build(tmp_path / "fg.sqlite", results, background=False)
    _build(tmp_path / "bg.sqlite", results, background=True)
    rows = catalog_rows(tmp_path / "fg.sqlite")
    assert len(rows) > 150 and rows == catalog_rows(tmp_path / "bg.sqlite")
    phrase = "第17号稿件第2段"
    hits = [h["id"] for h in search(tmp_path / "bg.sqlite", phrase)]
    assert hits and hits == [h["id"] for h in search(tmp_path / "fg.sqlite", phrase)]
    for name in ("fg.sqlite", "bg.sqlite"):  # built without merging index segments, left merging for updates
        con = sqlite3.connect(tmp_path / name)
        assert con.execute("SELECT v FROM paragraphs_fts_config WHERE k = 'automerge'").fetchone() == (AUTOMERGE,)
        con.close()


def test_an_error_on_the_thread_reaches_close(tmp_path: Path, config: Config) -> None:
    index = Catalog(tmp_path / "c.sqlite", background=True)
    result = _results(config, 1)[0]
    del result["paragraphs"][0]["source"]  # a record without its source: a bug upstream
    index.add(result, "part-a", dumps(result["document"]))
    with pytest.raises(KeyError):
        index.close()


def test_search_returns_rows_holding_the_query_not_just_its_trigrams(tmp_path: Path, config: Config) -> None:
    texts = ["甲乙丙丁戊在句中出现一次。", "甲乙丙，乙丙丁戊，三元组都在但不相连。", "别的段落。"]
    result = clean_document("\n".join(texts).encode("utf-8"), "site/a.txt", config).records()
    assert [p["text"] for p in result["paragraphs"]] == texts
    _build(tmp_path / "c.sqlite", [result], background=False)
    assert search(tmp_path / "c.sqlite", "甲乙丙丁戊") == result["paragraphs"][:1]  # the whole record comes back
    assert [h["text"] for h in search(tmp_path / "c.sqlite", "乙丙丁")] == texts[:2]


def test_search_is_case_sensitive_for_latin_letters(tmp_path: Path, config: Config) -> None:
    texts = ["新款GPU芯片今日发布。", "新款gpu芯片的评测。", "另一个段落。"]
    result = clean_document("\n".join(texts).encode("utf-8"), "site/a.txt", config).records()
    _build(tmp_path / "c.sqlite", [result], background=False)
    assert [h["text"] for h in search(tmp_path / "c.sqlite", "GPU芯片")] == texts[:1]
    assert [h["text"] for h in search(tmp_path / "c.sqlite", "gpu芯片")] == texts[1:2]
    assert [h["text"] for h in search(tmp_path / "c.sqlite", "PU")] == texts[:1]  # the substring scan, too


def test_a_catalog_of_another_schema_is_not_updated(tmp_path: Path, config: Config) -> None:
    _build(tmp_path / "c.sqlite", _results(config, 3), background=False)
    assert reusable(tmp_path / "c.sqlite")
    con = sqlite3.connect(tmp_path / "c.sqlite")
    con.execute("ALTER TABLE documents ADD COLUMN extra TEXT")
    con.commit()
    con.close()
    assert not reusable(tmp_path / "c.sqlite") and not reusable(tmp_path / "missing.sqlite")
