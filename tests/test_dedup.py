"""Dedup: exact paragraphs (kept copy chosen by published time, then path) and MinHash signatures."""

from __future__ import annotations

import numpy as np

from pipeline.dedup import dedup_corpus, signature

from .test_corpus import PARAGRAPHS


def _result(path: str, published: str | None, texts: list[str]) -> dict:
    doc = {"id": path, "path": path, "status": "ok", "published": published}
    paras = [{"id": f"{path}-p{i}", "doc_id": path, "text": t, "source": {"start": i}, "duplicates": []}
             for i, t in enumerate(texts)]
    return {"document": doc, "paragraphs": paras, "rejects": []}


def test_the_earliest_published_copy_is_kept() -> None:
    late = _result("a/late.txt", "2023-02-01", [PARAGRAPHS[0], PARAGRAPHS[1]])
    early = _result("z/early.txt", "2023-01-01", [PARAGRAPHS[1], "短句"])
    undated = _result("b/undated.txt", None, [PARAGRAPHS[1], "短句"])
    dedup_corpus([late, early, undated], min_chars=10)
    assert [p["text"] for p in early["paragraphs"]] == [PARAGRAPHS[1], "短句"]
    assert early["paragraphs"][0]["duplicates"] == [{"id": "a/late.txt-p1", "doc_id": "a/late.txt"},
                                                    {"id": "b/undated.txt-p0", "doc_id": "b/undated.txt"}]
    assert [p["text"] for p in late["paragraphs"]] == [PARAGRAPHS[0]]
    assert [(r["rule"], r["detail"]) for r in late["rejects"] + undated["rejects"]] == [
        ("dedup", "duplicate of z/early.txt-p0"), ("dedup", "duplicate of z/early.txt-p0")]
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
