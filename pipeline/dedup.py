"""Exact duplicate paragraphs, after normalization and script unification.

Paragraph text is compared as it leaves the pipeline, so a Traditional repost of a Simplified
article collapses onto the original. Near-duplicate documents (the same article re-edited, with
another headline or a paragraph more) are found with MinHash over character shingles and LSH
(datasketch); they are recorded on both documents, not removed. The first copy is kept — within a document the earlier
paragraph, across the corpus the document that sorts first by (published time, path) — and lists
every copy in ``duplicates``; the copies go to rejects with rule ``dedup``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

WHITESPACE = re.compile(r"\s+")


def paragraph_key(text: str) -> str:
    """What two paragraphs must share to be duplicates: their text without whitespace."""
    return hashlib.sha1(WHITESPACE.sub("", text).encode("utf-8")).hexdigest()


def document_order(document: dict[str, Any]) -> tuple[str, str]:
    """Which document's copy is kept: earliest published time, then path (undated sort last)."""
    return (document.get("published") or "9999", document["path"])


def dedup_corpus(results: Iterable[dict[str, Any]], min_chars: int) -> list[dict[str, Any]]:
    """Mark corpus-wide duplicates in place; returns the reject records for dropped copies.

    ``results`` are shard entries ``{"document", "paragraphs", "rejects"}``. Kept paragraphs get
    ``duplicates`` (the copies' ids and doc ids); dropped ones leave ``paragraphs`` and are
    returned as rejects with rule ``dedup``; each document counts its dropped copies.
    """
    ordered = sorted(results, key=lambda r: document_order(r["document"]))
    first: dict[str, dict[str, Any]] = {}
    dropped: list[dict[str, Any]] = []
    for result in ordered:
        keep = []
        for para in result["paragraphs"]:
            if len(para["text"]) < min_chars:
                keep.append(para)
                continue
            key = paragraph_key(para["text"])
            original = first.get(key)
            if original is None:
                first[key] = para
                keep.append(para)
                continue
            original["duplicates"].append({"id": para["id"], "doc_id": para["doc_id"]})
            dropped.append({
                "id": para["id"], "doc_id": para["doc_id"], "rule": "dedup", "text": para["text"],
                "source": para["source"], "detail": f"duplicate of {original['id']}",
            })
        result["document"]["duplicate_paragraphs"] = len(result["paragraphs"]) - len(keep)
        result["paragraphs"] = keep
        result["document"]["paragraphs"] = len(keep)
    return dropped


def _shingles(text: str, size: int) -> list[bytes]:
    text = WHITESPACE.sub("", text)
    return [text[i:i + size].encode("utf-8") for i in range(max(1, len(text) - size + 1))]


def near_duplicates(results: list[dict[str, Any]], threshold: float, shingle: int = 5,
                    num_perm: int = 128) -> None:
    """Mark near-duplicate documents in place: the later one gets ``near_duplicate_of``, the
    first (by ``document_order``) lists it in ``near_duplicates``."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes: dict[str, Any] = {}
    docs: dict[str, dict[str, Any]] = {}
    for result in sorted(results, key=lambda r: document_order(r["document"])):
        doc = result["document"]
        text = "".join(p["text"] for p in result["paragraphs"])
        if doc["status"] != "ok" or len(text) < 50:
            continue
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch(_shingles(text, shingle))
        keepers = [k for k in lsh.query(m) if hashes[k].jaccard(m) >= threshold]
        if keepers:
            first = min(keepers, key=lambda k: document_order(docs[k]))
            doc["near_duplicate_of"] = first
            docs[first].setdefault("near_duplicates", []).append(doc["id"])
            continue
        lsh.insert(doc["id"], m)
        hashes[doc["id"]] = m
        docs[doc["id"]] = doc
