"""Site chrome learned from the corpus: short lines that repeat across many pages of one site.

Rule packs know chrome every portal shares; a site's own banner (``本站快讯：…``) or contact line
is only recognisable because it recurs on most of that site's pages. One pass over the whole
corpus collects small keys per document (``site_keys``: a hash of each short paragraph and where
on the page it stands), ``learn_site_chrome`` decides per site, and ``apply_site_chrome`` moves the
matching paragraphs of each document to rejects (rule ``site-chrome``) while the corpus streams
out, as dedup does. Repetition alone is not enough: a line that stands mostly between the
article's own paragraphs is quoted content (a slogan), and a title is never removed (a headline
may well recur as the title of its own page). Lines pinned in the config are chrome everywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .dedup import paragraph_key
from .records import recount

RULE = "site-chrome"
HEAD, MIDDLE, TAIL = "head", "middle", "tail"


def site_of(document: dict[str, Any]) -> str:
    """The site a document belongs to: the first directory of its path under raw/ ("" at the top).

    Document records carry no URL, so the crawl's directory layout (one folder per site) is
    what groups pages.

    >>> site_of({"path": "portal-a/2020/01/page.html"}), site_of({"path": "page.html"})
    ('portal-a', '')
    """
    head, sep, _ = document["path"].partition("/")
    return head if sep else ""


@dataclass
class SiteKeys:
    """What learning needs of one document: its site and, for each short non-title paragraph,
    the key of its text and where it stands (before, between or after the long body paragraphs)."""

    site: str
    ok: bool  # only cleaned documents count as pages of their site
    lines: list[tuple[bytes, str]]  # (paragraph_key, HEAD | MIDDLE | TAIL)


def site_keys(result: dict[str, Any], max_chars: int) -> SiteKeys:
    """The keys of one document result. Body paragraphs longer than ``max_chars`` are the
    article itself and mark the middle of the page; titles are skipped (never chrome)."""
    paras = result["paragraphs"]
    anchors = [i for i, p in enumerate(paras) if p["kind"] == "body" and len(p["text"]) > max_chars]
    lines = []
    for i, p in enumerate(paras):
        if p["kind"] == "title" or len(p["text"]) > max_chars:
            continue
        where = HEAD if not anchors or i < anchors[0] else TAIL if i > anchors[-1] else MIDDLE
        lines.append((paragraph_key(p["text"]), where))
    document = result["document"]
    return SiteKeys(site_of(document), document["status"] == "ok", lines)


@dataclass
class SiteChrome:
    """The decisions: learned lines per site, pinned lines, and one example text per learned line
    (recorded by ``apply_site_chrome``, so list ``entries`` after the apply pass)."""

    learned: dict[str, dict[bytes, tuple[int, int]]] = field(default_factory=dict)  # site -> key -> (pages, of)
    pinned: frozenset[bytes] = frozenset()  # chrome on every site
    pinned_by_site: dict[str, frozenset[bytes]] = field(default_factory=dict)
    examples: dict[tuple[str, bytes], str] = field(default_factory=dict)

    def detail(self, site: str, key: bytes) -> str | None:
        """Why a line is chrome on this site (the reject's detail), or None when it is not."""
        if key in self.pinned or key in self.pinned_by_site.get(site, ()):
            return "pinned in site_chrome.pinned"
        seen = self.learned.get(site, {}).get(key)
        if seen is None:
            return None
        return f"repeated across the pages of site '{site}' (see site_chrome.jsonl)"

    def note_example(self, site: str, key: bytes, text: str) -> None:
        """A page's text of a line it lost as site chrome: the smallest is the line's example."""
        if key in self.learned.get(site, {}):
            example = self.examples.get((site, key))
            self.examples[(site, key)] = text if example is None else min(example, text)

    def removes(self, doc: SiteKeys) -> set[bytes]:
        """The keys of a document's lines that go (what its records depend on)."""
        return {key for key, _ in doc.lines if self.detail(doc.site, key) is not None}

    def entries(self) -> list[dict[str, Any]]:
        """One record per learned line for ``site_chrome.jsonl``: by site, most pages first, then key."""
        rows = [{"site": site, "text": self.examples.get((site, key)), "key": key.hex(), "pages": pages,
                 "share": round(pages / of, 4)}
                for site, keys in self.learned.items() for key, (pages, of) in keys.items()]
        return sorted(rows, key=lambda r: (r["site"], -r["pages"], r["key"]))


def _pinned(settings: dict[str, Any]) -> tuple[frozenset[bytes], dict[str, frozenset[bytes]]]:
    pinned = settings["pinned"]
    if isinstance(pinned, dict):
        return frozenset(), {site: frozenset(map(paragraph_key, lines)) for site, lines in sorted(pinned.items())}
    return frozenset(map(paragraph_key, pinned)), {}


def learn_site_chrome(keys: Iterable[SiteKeys], settings: dict[str, Any]) -> SiteChrome:
    """Per site, a line seen on at least ``min_pages`` pages and ``min_share`` of the site's pages
    is chrome, unless most of its occurrences stand in the middle of the article (quoted content).
    A site with fewer than ``min_pages`` pages learns nothing. Counting is order-free, so the
    result does not depend on the order of ``keys``; ``enabled: false`` learns and pins nothing."""
    if not settings["enabled"]:
        return SiteChrome()
    pages: Counter[str] = Counter()
    stats: dict[tuple[str, bytes], list[int]] = {}  # (site, key) -> [pages, occurrences, in the middle]
    for doc in keys:
        if not doc.ok:
            continue
        pages[doc.site] += 1
        for key in {k for k, _ in doc.lines}:
            stats.setdefault((doc.site, key), [0, 0, 0])[0] += 1
        for key, where in doc.lines:
            seen = stats[(doc.site, key)]
            seen[1] += 1
            seen[2] += where == MIDDLE
    learned: dict[str, dict[bytes, tuple[int, int]]] = {}
    for (site, key), (n, occurrences, middle) in sorted(stats.items()):
        if n >= settings["min_pages"] and n / pages[site] >= settings["min_share"] and 2 * middle < occurrences:
            learned.setdefault(site, {})[key] = (n, pages[site])
    pinned, pinned_by_site = _pinned(settings)
    return SiteChrome(learned, pinned, pinned_by_site)


def apply_site_chrome(result: dict[str, Any], chrome: SiteChrome) -> int:
    """One document's share: its chrome paragraphs move to ``rejects`` (rule ``site-chrome``),
    ids unchanged, counts follow; returns how many moved. Titles always stay."""
    site = site_of(result["document"])
    if not (chrome.pinned or site in chrome.pinned_by_site or site in chrome.learned):
        return 0
    keep, dropped = [], []
    for para in result["paragraphs"]:
        key = paragraph_key(para["text"]) if para["kind"] != "title" else None
        detail = chrome.detail(site, key) if key is not None else None
        if detail is None:
            keep.append(para)
            continue
        chrome.note_example(site, key, para["text"])
        dropped.append({"id": para["id"], "doc_id": para["doc_id"], "rule": RULE, "text": para["text"],
                        "source": para["source"], "detail": detail})
    if dropped:
        result["paragraphs"] = keep
        result["rejects"] = sorted(result["rejects"] + dropped, key=lambda x: (x["source"]["start"], x["id"]))
        recount(result)
    return len(dropped)
