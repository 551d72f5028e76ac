"""``catalog.sqlite``: documents and paragraphs with a full-text index, rebuilt from the records.

SQLite FTS5 with the trigram tokenizer finds any Chinese substring of three or more characters
without a word segmenter; shorter queries fall back to a substring scan. The catalog is derived
data: the JSONL records stay the source of truth.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson

SCHEMA = """
CREATE TABLE documents (id TEXT PRIMARY KEY, path TEXT, sha256 TEXT, status TEXT, reason TEXT,
                        title TEXT, published TEXT, encoding TEXT, paragraphs INTEGER, record TEXT);
CREATE TABLE paragraphs (id TEXT PRIMARY KEY, doc_id TEXT, idx INTEGER, kind TEXT, text TEXT,
                         path TEXT, start INTEGER, end INTEGER, record TEXT);
CREATE VIRTUAL TABLE paragraphs_fts USING fts5(text, content='paragraphs', content_rowid='rowid',
                                               tokenize='trigram');
"""


def build(path: Path, records: dict[str, list[dict[str, Any]]]) -> None:
    """Write a fresh catalog for the given records."""
    con = sqlite3.connect(path)
    try:
        con.executescript(SCHEMA)
        con.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(d["id"], d["path"], d["sha256"], d["status"], d["reason"], d.get("title"), d.get("published"),
              d.get("encoding"), d.get("paragraphs", 0), orjson.dumps(d, option=orjson.OPT_SORT_KEYS).decode())
             for d in records["documents"]],
        )
        con.executemany(
            "INSERT INTO paragraphs VALUES (?,?,?,?,?,?,?,?,?)",
            [(p["id"], p["doc_id"], p["index"], p["kind"], p["text"], p["source"]["path"], p["source"]["start"],
              p["source"]["end"], orjson.dumps(p, option=orjson.OPT_SORT_KEYS).decode())
             for p in records["paragraphs"]],
        )
        con.execute("INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('rebuild')")
        con.commit()
    finally:
        con.close()


def search(path: Path, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Paragraph records containing the query, in corpus order."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if len(query) >= 3:
            phrase = '"' + query.replace('"', '""') + '"'
            rows = con.execute(
                "SELECT p.record FROM paragraphs_fts f JOIN paragraphs p ON p.rowid = f.rowid "
                "WHERE paragraphs_fts MATCH ? ORDER BY p.rowid LIMIT ?", (phrase, limit)).fetchall()
        else:
            rows = con.execute("SELECT record FROM paragraphs WHERE instr(text, ?) > 0 ORDER BY rowid LIMIT ?",
                               (query, limit)).fetchall()
    finally:
        con.close()
    return [orjson.loads(r[0]) for r in rows]
