"""Dedup: exact paragraphs (kept copy chosen by published time, then path) and MinHash signatures."""

from __future__ import annotations

import random

import numpy as np

from pipeline.dedup import DedupPlan, DocumentKeys, _near_duplicates, dedup_corpus, signature
from pipeline.records import paragraph_id

from .test_corpus import PARAGRAPHS


def _result(path: str, published: str | None, texts: list[str]) -> dict:
    doc = {"id": path, "path": path, "status": "ok", "published": published}
    paras = [{"id": paragraph_id(path, i), "doc_id": path, "text": t, "source": {"start": i}, "duplicates": [],
              "ops": [], "flags": []}
             for i, t in enumerate(texts)]
    return {"document": doc, "paragraphs": paras, "rejects": []}


def test_the_earliest_published_copy_is_kept() -> None:
    late = _result("a/late.txt", "2023-02-01", [PARAGRAPHS[0], PARAGRAPHS[1]])
    early = _result("z/early.txt", "2023-01-01", [PARAGRAPHS[1], "短句"])
    undated = _result("b/undated.txt", None, [PARAGRAPHS[1], "短句"])
    dedup_corpus([late, early, undated], min_chars=10)
    assert [p["text"] for p in early["paragraphs"]] == [PARAGRAPHS[1], "短句"]
    assert early["paragraphs"][0]["duplicates"] == [{"id": "a/late.txt-p0001", "doc_id": "a/late.txt"},
                                                    {"id": "b/undated.txt-p0000", "doc_id": "b/undated.txt"}]
    assert [p["text"] for p in late["paragraphs"]] == [PARAGRAPHS[0]]
    assert [(r["rule"], r["detail"]) for r in late["rejects"] + undated["rejects"]] == [
        ("dedup", "duplicate of z/early.txt-p0000"), ("dedup", "duplicate of z/early.txt-p0000")]
    assert undated["document"]["duplicate_paragraphs"] == 1  # "短句" is too short to count


def test_signatures_estimate_similarity() -> None:
    text = "".join(PARAGRAPHS) * 3
    edited = text[:200] + "其间插入了一句编辑补充的话。" + text[200:]
    other = "主队在下半场连进两球逆转取胜，赛后主教练表示球员们顶住了压力，下一轮将客场挑战联赛领头羊。" * 4
    same = np.mean(np.array(signature(text)) == np.array(signature(edited)))
    different = np.mean(np.array(signature(text)) == np.array(signature(other)))
    assert same > 0.8 and different < 0.1
    assert signature(text) == signature(text) and len(signature(text)) == 128
    assert signature("短") == []


def _datasketch_near(docs: list[DocumentKeys], threshold: float) -> dict[str, dict]:
    """The reference: datasketch's MinHashLSH over the same signatures, the same walk."""
    from datasketch import LeanMinHash, MinHashLSH

    lsh, hashes, near = MinHashLSH(threshold=threshold, num_perm=128), {}, {}
    order = {d.doc_id: d.order for d in docs}
    for doc in docs:
        m = LeanMinHash(seed=1, hashvalues=np.frombuffer(doc.signature, dtype=np.uint64), scheme="affine64")
        keepers = [k for k in lsh.query(m) if hashes[k].jaccard(m) >= threshold]
        if keepers:
            first = min(keepers, key=lambda k: order[k])
            near[doc.doc_id] = {"near_duplicate_of": first}
            near.setdefault(first, {}).setdefault("near_duplicates", []).append(doc.doc_id)
            continue
        lsh.insert(doc.doc_id, m)
        hashes[doc.doc_id] = m
    return near


def test_near_duplicates_match_datasketch() -> None:
    rng = random.Random(5)
    places = "东西南北"
    sentences = [p[:-1] for p in PARAGRAPHS] + [f"第{n}号议题讨论了{rng.choice(places)}区的道路改造" for n in range(40)]
    docs, texts = [], []
    for n in range(300):
        if texts and rng.random() < 0.3:  # an edited copy of an earlier document
            base = rng.choice(texts)
            cut = rng.randrange(len(base))
            edited = base[:cut] + rng.choice(sentences) + base[cut:]
            text = edited if rng.random() < 0.5 else base[: len(base) * 9 // 10]
        else:
            text = "，".join(rng.choice(sentences) for _ in range(rng.randint(6, 14))) + "。"
        texts.append(text)
        packed = np.array(signature(text), dtype=np.uint64).tobytes()
        docs.append(DocumentKeys((f"2023-{n % 12 + 1:02d}", f"d{n:03d}"), f"d{n:03d}", b"", packed))
    docs.sort(key=lambda d: d.order)
    for threshold in (0.5, 0.7, 0.9):
        ours = DedupPlan()
        _near_duplicates(docs, threshold, ours)
        assert ours.near == _datasketch_near(docs, threshold)
        assert len(ours.near) > 20
