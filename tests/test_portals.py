"""The generated portal set (tests/portals.py): pages from templates the rules were not written for.

Content is scored at character level (difflib matching blocks of the kept text against the gold
title and paragraphs, whitespace ignored); chrome strings must not survive; published times and
bylines must reach the document record; every removal is a reject with a rule id.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from pipeline.clean import clean_document

from .portals import char_match, pages, squeeze, t2s

PAGES = pages()


@pytest.fixture(scope="module")
def results(config) -> dict:
    return {p.path: clean_document(p.data, p.path, config) for p in PAGES}


def _kept(result) -> str:
    return squeeze("".join(p["text"] for p in result.paragraphs))


def test_the_set_is_large_varied_and_reproducible() -> None:
    assert len(PAGES) >= 200
    assert len({p.portal for p in PAGES}) >= 8
    assert {p.is_html for p in PAGES} == {True, False}
    assert any(p.traditional for p in PAGES) and not all(p.traditional for p in PAGES)
    assert [p.data for p in pages(per_portal=2)] == [p.data for p in pages(per_portal=2)]


def test_content_recall_and_precision(results: dict) -> None:
    per_portal: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    worst = []
    for page in PAGES:
        gold, got = squeeze("".join(page.gold)), _kept(results[page.path])
        matched = char_match(gold, got)
        totals = per_portal[page.portal]
        totals[0] += matched
        totals[1] += len(gold)
        totals[2] += len(got)
        worst.append((min(matched / len(gold), matched / max(1, len(got))), page.path))
    matched, gold_chars, got_chars = (sum(t[i] for t in per_portal.values()) for i in range(3))
    report = {name: (round(t[0] / t[1], 3), round(t[0] / max(1, t[2]), 3)) for name, t in per_portal.items()}
    assert matched / gold_chars >= 0.99, report
    assert matched / got_chars >= 0.99, report
    assert min(worst)[0] >= 0.9, sorted(worst)[:5]


def test_no_chrome_is_kept(results: dict) -> None:
    kept = []
    for page in PAGES:
        text = _kept(results[page.path])
        kept += [(page.path, c) for c in page.chrome if squeeze(t2s(c)) in text]
    assert not kept, kept[:10]


def test_published_times_and_bylines(results: dict) -> None:
    dates = sum(results[p.path].document.get("published") == p.meta["published"] for p in PAGES)
    assert dates / len(PAGES) >= 0.98, [(p.path, results[p.path].document.get("published"), p.meta["published"])
                                        for p in PAGES if results[p.path].document.get("published")
                                        != p.meta["published"]][:10]
    fields = [(p, k, v) for p in PAGES for k, v in p.meta.items() if k != "published"]
    wrong = [(p.path, k, results[p.path].document.get(k), v) for p, k, v in fields
             if results[p.path].document.get(k) != v]
    assert len(wrong) <= 0.02 * len(fields), wrong[:10]


def test_every_removal_is_a_reject_with_a_rule(results: dict) -> None:
    for page in PAGES:
        result = results[page.path]
        assert all(r["rule"] for r in result.rejects)
        rejected = squeeze(t2s("".join(r["text"] for r in result.rejects)))
        missing = [c for c in page.chrome if squeeze(t2s(c)) not in rejected]
        assert not missing, (page.path, missing)


def test_titles(results: dict) -> None:
    titled = sum(results[p.path].document["title"] == p.title for p in PAGES)
    assert titled / len(PAGES) >= 0.98
