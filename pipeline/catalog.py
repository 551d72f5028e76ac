"""``catalog.sqlite``: documents and paragraphs with a full-text index, rebuilt from the records.

SQLite FTS5 with the trigram tokenizer finds any Chinese substring of three or more characters
without a word segmenter; shorter queries fall back to a substring scan. The catalog is derived
data: the JSONL records stay the source of truth.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import orjson

SCHEMA = """
CREATE TABLE documents (id TEXT PRIMARY KEY, path TEXT, sha256 TEXT, status TEXT, reason TEXT,
                        title TEXT, published TEXT, encoding TEXT, paragraphs INTEGER, record TEXT, part TEXT);
CREATE TABLE paragraphs (id TEXT PRIMARY KEY, doc_id TEXT, idx INTEGER, kind TEXT, text TEXT,
                         path TEXT, start INTEGER, end INTEGER, record TEXT, part TEXT);
CREATE INDEX documents_part ON documents(part);
CREATE INDEX paragraphs_part ON paragraphs(part);
CREATE VIRTUAL TABLE paragraphs_fts USING fts5(text, content='paragraphs', content_rowid='rowid',
                                               tokenize='trigram');
"""


class Catalog:
    """Writes ``catalog.sqlite`` document by document; ``close()`` builds the full-text index.

    Rows carry the corpus part they came from. Given the previous version's catalog, only the
    parts that changed are deleted and added: the copy is updated instead of rebuilt."""

    BATCH = 2000

    def __init__(self, path: Path, previous: Path | None = None, keep_parts: set[str] | None = None) -> None:
        fresh = previous is None or not previous.is_file()
        if not fresh:
            shutil.copyfile(previous, path)
        self.con = sqlite3.connect(path)
        self.documents: list[tuple[Any, ...]] = []
        self.paragraphs: list[tuple[Any, ...]] = []
        self.first_new_rowid: int | None = None
        if fresh:
            self.con.executescript(SCHEMA)
            return
        gone = [(p,) for (p,) in self.con.execute("SELECT DISTINCT part FROM documents") if p not in (keep_parts or ())]
        self.con.executemany("INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) "
                             "SELECT 'delete', rowid, text FROM paragraphs WHERE part = ?", gone)
        self.con.executemany("DELETE FROM paragraphs WHERE part = ?", gone)
        self.con.executemany("DELETE FROM documents WHERE part = ?", gone)
        self.first_new_rowid = (self.con.execute("SELECT max(rowid) FROM paragraphs").fetchone()[0] or 0) + 1

    def add(self, result: dict[str, Any], part: str) -> None:
        d = result["document"]
        self.documents.append((d["id"], d["path"], d["sha256"], d["status"], d["reason"], d.get("title"),
                               d.get("published"), d.get("encoding"), d.get("paragraphs", 0), _json(d), part))
        self.paragraphs += [(p["id"], p["doc_id"], p["index"], p["kind"], p["text"], p["source"]["path"],
                             p["source"]["start"], p["source"]["end"], _json(p), part) for p in result["paragraphs"]]
        if len(self.paragraphs) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        self.con.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?)", self.documents)
        self.con.executemany("INSERT INTO paragraphs VALUES (?,?,?,?,?,?,?,?,?,?)", self.paragraphs)
        self.documents, self.paragraphs = [], []

    def close(self) -> None:
        self._flush()
        if self.first_new_rowid is None:
            self.con.execute("INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('rebuild')")
        else:
            self.con.execute("INSERT INTO paragraphs_fts(rowid, text) SELECT rowid, text FROM paragraphs "
                             "WHERE rowid >= ?", (self.first_new_rowid,))
        self.con.commit()
        self.con.close()


def _json(record: dict[str, Any]) -> str:
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode()


def search(path: Path, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Paragraph records containing the query, in corpus order."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if len(query) >= 3:
            phrase = '"' + query.replace('"', '""') + '"'
            rows = con.execute(
                "SELECT p.record FROM paragraphs_fts f JOIN paragraphs p ON p.rowid = f.rowid "
                "WHERE paragraphs_fts MATCH ? ORDER BY p.path, p.idx LIMIT ?", (phrase, limit)).fetchall()
        else:
            rows = con.execute("SELECT record FROM paragraphs WHERE instr(text, ?) > 0 ORDER BY path, idx LIMIT ?",
                               (query, limit)).fetchall()
    finally:
        con.close()
    return [orjson.loads(r[0]) for r in rows]
