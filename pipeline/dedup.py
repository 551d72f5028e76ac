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

import numpy as np

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


NUM_PERM = 128
SHINGLE = 5
SIGNATURE_CHARS = 4000  # the head of a document is enough to recognise a re-edited copy
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = np.iinfo(np.uint64).max


def signature(text: str) -> list[int]:
    """A MinHash signature of a document's 5-character shingles (whitespace removed).

    One-permutation hashing: every shingle is hashed once (a rolling hash of code points, mixed
    by a multiplicative hash), its low bits pick one of the 128 bins and each bin keeps its
    smallest value; empty bins borrow from the next bin. Two signatures agree in a bin with
    probability close to the Jaccard similarity, as datasketch's MinHash and LSH expect, at a
    fraction of the cost of 128 permutations. Computed with the shard and cached per file, so
    publishing only queries the LSH index."""
    text = WHITESPACE.sub("", text)[:SIGNATURE_CHARS]
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(points) - SHINGLE + 1
    if n < 1:
        return []
    hashes = np.zeros(n, dtype=np.uint64)
    for k in range(SHINGLE):
        hashes = hashes * np.uint64(1000003) + points[k:k + n]
    mixed = (hashes * _GOLDEN) >> np.uint64(20)
    bins = (mixed % np.uint64(NUM_PERM)).astype(np.intp)
    sig = np.full(NUM_PERM, _EMPTY, dtype=np.uint64)
    np.minimum.at(sig, bins, mixed >> np.uint64(7))
    filled = np.flatnonzero(sig != _EMPTY)
    for i in np.flatnonzero(sig == _EMPTY):  # densify: the next filled bin, circularly
        j = filled[np.searchsorted(filled, i) % len(filled)]
        sig[i] = sig[j] + np.uint64((i - j) % NUM_PERM)
    return [int(v) for v in sig]


def document_signature(result: dict[str, Any]) -> list[int]:
    """The signature of a cleaned document, or [] for one too short or quarantined to compare."""
    text = "".join(p["text"] for p in result["paragraphs"])
    return signature(text) if result["document"]["status"] == "ok" and len(text) >= 50 else []


def near_duplicates(results: list[dict[str, Any]], threshold: float) -> None:
    """Mark near-duplicate documents in place: the later one gets ``near_duplicate_of``, the
    first (by ``document_order``) lists it in ``near_duplicates``."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes: dict[str, Any] = {}
    docs: dict[str, dict[str, Any]] = {}
    for result in sorted(results, key=lambda r: document_order(r["document"])):
        doc = result["document"]
        values = result.get("signature")
        if values is None:
            values = document_signature(result)
        if not values:
            continue
        m = MinHash(num_perm=NUM_PERM, seed=1, hashvalues=np.array(values, dtype=np.uint64), scheme="affine64")
        keepers = [k for k in lsh.query(m) if hashes[k].jaccard(m) >= threshold]
        if keepers:
            first = min(keepers, key=lambda k: document_order(docs[k]))
            doc["near_duplicate_of"] = first
            docs[first].setdefault("near_duplicates", []).append(doc["id"])
            continue
        lsh.insert(doc["id"], m)
        hashes[doc["id"]] = m
        docs[doc["id"]] = doc
