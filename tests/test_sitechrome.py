"""Site chrome: lines repeated across a site's pages are learned from the corpus and removed there;
slogans quoted inside articles, titles and small sites keep theirs; pinned lines go everywhere."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest

from pipeline.clean import clean_document
from pipeline.config import Config, ConfigError, load_config
from pipeline.dedup import paragraph_key
from pipeline.sitechrome import SiteKeys, apply_site_chrome, learn_site_chrome, site_keys, site_of

BANNER = "本站快讯：天气预报每日更新"
CONTACT = "欢迎投稿 联系我们"
SLOGAN = "植此青绿 共享绿荫"  # quoted between an article's paragraphs on five pages of eight
TEASER = "全市春耕备耕工作全面展开"  # a top-story teaser on six pages, and the title of its own page
COLUMN = "城区每日空气质量播报"  # the title of every page of a column
COLUMN_NOTE = "本栏目每日八点更新"
NOTICE = "小站公告：周末照常值班"

PLACES = ["东城区", "西湖街道", "南山镇", "北关村", "滨江新区", "老城片区", "高新园区", "河口乡", "城北社区"]
TOPICS = ["新建三座口袋公园", "改造十二条背街小巷", "开通两条社区巴士线路", "增设四处便民菜市场",
          "翻修一批老旧小区管网", "试点垃圾分类积分兑换", "建成首个智慧停车场", "扩建中心小学食堂",
          "启用新的社区卫生服务站"]


def _story(n: int) -> tuple[str, str, str]:
    """A headline and two article paragraphs, different on every page."""
    place, topic = PLACES[n % len(PLACES)], TOPICS[(n * 4) % len(TOPICS)]
    return (f"{place}{topic}",
            f"记者日前从{place}有关部门获悉，今年当地计划{topic}，相关工程已完成招标，预计年内全部完工并投入使用。",
            f"{place}负责人表示，项目推进过程中将充分听取居民意见，第{n + 1}期施工安排会在公告栏公示，方便群众监督。")


def _page(title: str, lines: list[tuple[str, str]]) -> bytes:
    body = "\n".join(f"<{tag}>{text}</{tag}>" for tag, text in lines)
    return f'<html><head><meta charset="utf-8"></head><body>\n<h1>{title}</h1>\n{body}\n</body></html>'.encode()


def _site_a(n: int) -> tuple[str, bytes]:
    """Eight pages: banner heading, article (with the slogan on five), contact line at the foot;
    pages 1-6 carry the top-story teaser, page 7 is that story."""
    title, first, second = _story(n)
    if n == 7:
        title = TEASER
    head = [("h3", BANNER)] + ([("h4", TEASER)] if 1 <= n <= 6 else [])
    middle = [("p", SLOGAN)] if n < 5 else []
    return f"site-a/2020/{n:02d}.html", _page(title, [*head, ("p", first), *middle, ("p", second), ("p", CONTACT)])


TRADITIONAL_PAGE = (  # site-a's ninth page, in Big5 and Traditional script
    '<html><head><meta charset="big5"></head><body>\n<h1>舊城區改造老舊小區電梯</h1>\n'
    "<h3>本站快訊：天氣預報每日更新</h3>\n"
    "<p>記者從舊城區住建部門獲悉，今年將為二十個老舊小區加裝電梯，首批工程已於上月開工，居民反映良好。</p>\n"
    "<p>住建部門表示，加裝電梯的費用由政府補貼和居民分攤，具體方案將在各小區公示十天後實施。</p>\n"
    "<p>歡迎投稿 聯繫我們</p>\n</body></html>"
).encode("big5")


def _site_b(n: int) -> tuple[str, bytes]:
    """Six text dumps of one column: the same title on each, a note at the foot."""
    _, first, second = _story(n + 20)
    return f"site-b/air/{n}.txt", f"{COLUMN}\n{first}\n{second}\n{COLUMN_NOTE}\n".encode()


def _site_c(n: int) -> tuple[str, bytes]:
    """Three pages with the same banner: too few to learn from."""
    title, first, second = _story(n + 40)
    return f"site-c/{n}.html", _page(title, [("h3", NOTICE), ("p", first), ("p", second)])


def _corpus(config: Config) -> list[dict[str, Any]]:
    files = [_site_a(n) for n in range(8)] + [("site-a/2021/trad.html", TRADITIONAL_PAGE), ("site-a/empty.html", b"")]
    files += [_site_b(n) for n in range(6)] + [_site_c(n) for n in range(3)]
    title, first, second = _story(60)
    files.append(("loose.html", _page(title, [("h3", NOTICE), ("p", first), ("p", BANNER), ("p", second)])))
    return [clean_document(data, path, config).records() for path, data in files]


@pytest.fixture(scope="module")
def corpus(config: Config) -> list[dict[str, Any]]:
    return _corpus(config)


def _settings(config: Config, **changes: Any) -> dict[str, Any]:
    return {**config["site_chrome"], **changes}


def _run(corpus: list[dict[str, Any]], settings: dict[str, Any]) -> tuple[list[dict[str, Any]], Any, list[int]]:
    results = copy.deepcopy(corpus)
    chrome = learn_site_chrome((site_keys(r, settings["max_chars"]) for r in results), settings)
    moved = [apply_site_chrome(r, chrome) for r in results]
    return results, chrome, moved


def _texts(result: dict[str, Any]) -> list[str]:
    return [p["text"] for p in result["paragraphs"]]


def _by_path(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["document"]["path"]: r for r in results}


def test_site_is_the_first_folder() -> None:
    assert site_of({"path": "portal-a/2020/01/page.html"}) == "portal-a"
    assert site_of({"path": "page.html"}) == ""


def test_keys_are_short_non_title_lines_with_their_place(corpus: list[dict[str, Any]]) -> None:
    page = _by_path(corpus)["site-a/2020/01.html"]
    assert _texts(page)[:3] == [_story(1)[0], BANNER, TEASER]  # the clean stage kept them: our job
    keys = site_keys(page, 40)
    assert keys == SiteKeys("site-a", True, [(paragraph_key(BANNER), "head"), (paragraph_key(TEASER), "head"),
                                             (paragraph_key(SLOGAN), "middle"), (paragraph_key(CONTACT), "tail")])
    assert site_keys(_by_path(corpus)["site-a/empty.html"], 40) == SiteKeys("site-a", False, [])


def test_site_chrome_is_learned_and_removed(config: Config, corpus: list[dict[str, Any]]) -> None:
    results, chrome, moved = _run(corpus, _settings(config))
    pages = _by_path(results)
    for n in range(8):
        texts = _texts(pages[f"site-a/2020/{n:02d}.html"])
        assert BANNER not in texts and CONTACT not in texts
        assert (SLOGAN in texts) == (n < 5)  # quoted inside the article: stays
        assert texts[0] == (TEASER if n == 7 else _story(n)[0])  # the headline stays as its page's title
        assert TEASER not in texts[1:]  # the teaser on the other pages goes
    trad = pages["site-a/2021/trad.html"]
    assert _texts(trad) == ["旧城区改造老旧小区电梯",
                            "记者从旧城区住建部门获悉，今年将为二十个老旧小区加装电梯，首批工程已于上月开工，居民反映良好。",
                            "住建部门表示，加装电梯的费用由政府补贴和居民分摊，具体方案将在各小区公示十天后实施。"]
    for n in range(6):  # the column's title stays on every page, its note goes
        assert _texts(pages[f"site-b/air/{n}.txt"]) == [COLUMN, *_story(n + 20)[1:]]
    for n in range(3):  # three pages: nothing learned
        assert _texts(pages[f"site-c/{n}.html"]) == [_story(n + 40)[0], NOTICE, *_story(n + 40)[1:]]
    assert BANNER in _texts(pages["loose.html"])  # site-a's banner is not chrome of another site
    assert sum(moved) == 8 * 2 + 6 + 2 + 6
    assert {s: len(keys) for s, keys in chrome.learned.items()} == {"site-a": 3, "site-b": 1}


def test_records_stay_consistent(config: Config, corpus: list[dict[str, Any]]) -> None:
    results, _, moved = _run(corpus, _settings(config))
    for before, after, n in zip(corpus, results, moved, strict=True):
        doc = after["document"]
        ids = {p["id"] for p in before["paragraphs"]}
        assert {p["id"] for p in after["paragraphs"]} | {r["id"] for r in after["rejects"] if r["id"] in ids} == ids
        assert [p for p in before["paragraphs"] if p["id"] in {q["id"] for q in after["paragraphs"]}] == \
            after["paragraphs"]  # ids and records unchanged
        assert doc["paragraphs"] == len(after["paragraphs"]) and doc["rejects"] == len(after["rejects"])
        starts = [(r["source"]["start"], r["id"]) for r in after["rejects"]]
        assert starts == sorted(starts)
        if doc["status"] == "ok":
            assert doc["rules"].get("site-chrome", 0) == n and list(doc["rules"]) == sorted(doc["rules"])
    page = _by_path(results)["site-a/2020/03.html"]
    reject = next(r for r in page["rejects"] if r["text"] == CONTACT)
    contact = next(p for p in _by_path(corpus)["site-a/2020/03.html"]["paragraphs"] if p["text"] == CONTACT)
    assert reject == {"id": contact["id"], "doc_id": contact["doc_id"], "rule": "site-chrome", "text": CONTACT,
                      "source": contact["source"],
                      "detail": "repeated across the pages of site 'site-a' (see site_chrome.jsonl)"}


def test_entries_list_the_learned_lines(config: Config, corpus: list[dict[str, Any]]) -> None:
    _, chrome, _ = _run(corpus, _settings(config))
    entries = chrome.entries()
    lines = [(e["site"], e["text"], e["pages"], e["share"]) for e in entries]
    first_two = sorted([("site-a", BANNER, 9, 1.0), ("site-a", CONTACT, 9, 1.0)],
                       key=lambda e: paragraph_key(e[1]).hex())
    assert lines == [*first_two, ("site-a", TEASER, 6, 0.6667), ("site-b", COLUMN_NOTE, 6, 1.0)]
    assert all(e["key"] == paragraph_key(e["text"]).hex() for e in entries)
    assert list(entries[0]) == ["site", "text", "key", "pages", "share"]


def test_order_does_not_matter(config: Config, corpus: list[dict[str, Any]]) -> None:
    settings = _settings(config)
    variant = copy.deepcopy(corpus)
    for r in variant[::2]:  # the contact line without its space on some pages: the same key
        for p in r["paragraphs"]:
            if p["text"] == CONTACT:
                p["text"] = CONTACT.replace(" ", "")
    results, chrome, _ = _run(variant, settings)
    shuffled = copy.deepcopy(variant)
    random.Random(7).shuffle(shuffled)
    again = learn_site_chrome(reversed([site_keys(r, settings["max_chars"]) for r in shuffled]), settings)
    for r in shuffled:
        apply_site_chrome(r, again)
    assert again.learned == chrome.learned and again.entries() == chrome.entries()
    assert CONTACT in [e["text"] for e in again.entries()]  # one example, whichever order the pages came in
    assert sorted(shuffled, key=lambda r: r["document"]["path"]) == sorted(results, key=lambda r: r["document"]["path"])


def test_pinned_lines(config: Config, corpus: list[dict[str, Any]]) -> None:
    results, _, _ = _run(corpus, _settings(config, pinned=[NOTICE]))
    pages = _by_path(results)
    assert all(NOTICE not in _texts(pages[p]) for p in ("site-c/0.html", "site-c/2.html", "loose.html"))
    assert next(r for r in pages["loose.html"]["rejects"] if r["text"] == NOTICE)["detail"] == \
        "pinned in site_chrome.pinned"
    results, chrome, _ = _run(corpus, _settings(config, pinned={"site-c": [NOTICE]}))
    pages = _by_path(results)
    assert NOTICE not in _texts(pages["site-c/1.html"]) and NOTICE in _texts(pages["loose.html"])
    assert [e["text"] for e in chrome.entries()].count(NOTICE) == 0  # the file lists what was learned


def test_thresholds_and_switch(config: Config, corpus: list[dict[str, Any]]) -> None:
    _, chrome, _ = _run(corpus, _settings(config, min_pages=3))
    assert "site-c" in chrome.learned  # three pages are now enough
    _, chrome, _ = _run(corpus, _settings(config, min_share=0.7))
    assert {e["text"] for e in chrome.entries()} == {BANNER, CONTACT, COLUMN_NOTE}  # the teaser is on 6 of 9
    _, chrome, _ = _run(corpus, _settings(config, max_chars=10))
    assert {e["text"] for e in chrome.entries()} == {CONTACT, COLUMN_NOTE}  # the banner is 13 characters
    results, chrome, moved = _run(corpus, _settings(config, enabled=False, pinned=[NOTICE]))
    assert chrome.entries() == [] and sum(moved) == 0 and results == corpus


@pytest.mark.parametrize("text,message", [
    ("site_chrome:\n  min_share: 0\n", "site_chrome.min_share must be above 0 and at most 1"),
    ("site_chrome:\n  min_pages: 1\n", "site_chrome.min_pages must be at least 2"),
    ("site_chrome:\n  pinned: [本站快讯, 3]\n", "site_chrome.pinned must be a list of lines or map sites"),
    ("site_chrome:\n  pinned: {site-a: 本站快讯}\n", "site_chrome.pinned must be a list of lines or map sites"),
    ("site_chrome:\n  pinned: 本站快讯\n", "site_chrome.pinned must be list/dict"),
])
def test_bad_settings_fail_on_load(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path / "c.yaml")


def test_pinned_by_site_loads(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(f"site_chrome:\n  pinned:\n    site-c: [{NOTICE}]\n", encoding="utf-8")
    assert load_config(tmp_path / "c.yaml")["site_chrome"]["pinned"] == {"site-c": [NOTICE]}
