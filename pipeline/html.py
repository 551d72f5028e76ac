"""Decoded text to blocks: paragraphs of an HTML page, or lines of a text dump, each with its span.

HTML is read with a single-pass tokenizer rather than a parser's tree: it keeps the exact offset of
every text node (the provenance spans), never stops at a stray ``</html>`` and costs one regex
scan (lxml or selectolax would give a tree but not the spans, and would need a second pass to
find them). Block tags end a paragraph, h1 gives the title and h2–h6 headings; script/style/nav/
footer/forms and elements whose class or id names chrome (share, breadcrumb, comment…, or whole
words such as ``ad``) are dropped, their visible text recorded as rejects — an inline one (an ad
inside a sentence) without splitting the paragraph around it.

While it walks, the tokenizer builds a light tree of containers (div, td, ul, section…; a stray
``</body>`` closes nothing, an unclosed cell ends at the next). Main content is then chosen over
that tree (``_main_content``): the container whose article-like text (blocks with Chinese sentence
punctuation, not mostly links) minus all its other text is largest, content-like class names
(``content``, ``article``, ``TRS_Editor``…) weighing a little more. Its blocks stay, in order,
except link-only sub-containers (``html/link-block``); outside it only the title (the block that
matches ``<title>``, else the h1 before the content) and short date/byline lines near it go on to
the boilerplate stage, which parses them; everything else is ``html/outside-main``. A publication
time in ``<meta>``, ``<time datetime>`` or a script variable is returned as metadata.

Text dumps become one block per non-blank line, with HTML tag residue such as ``</span>`` removed.
"""

from __future__ import annotations

import functools
import html as htmllib
import re
from dataclasses import dataclass, field

from .boilerplate import parse_date
from .records import Block, Rejected

DOCUMENT_TAGS = re.compile(r"<(!doctype|html|head|body)\b", re.I)
BLOCK_TAG = re.compile(r"</?(p|div|br|table|tr|td|li|h[1-6]|article|section|meta)\b", re.I)
# A tag's attributes start with a space or '/' and end at the first '<' outside quotes: an unclosed
# tag then fails at the next '<' instead of scanning to the end of the page from every '<' (which made
# ``<b<b<b…`` or ``<meta <meta …`` quadratic); such a '<' is text. A comment or script body runs to
# its first end (or the end of the page); loops are unrolled (``[^<]*(?:<(?!end)[^<]*)*`` for
# ``.*?(?=end)``, runs of plain characters between quoted values) so that re consumes a run of
# characters per step instead of trying the end at every one: 3x faster on script-heavy pages.
TOKEN = re.compile(
    r"<!--[^-]*(?:-(?!->)[^-]*)*(?:-->|\Z)"
    r"|<(script|style|textarea|xmp|noscript)\b[^<>]*>[^<]*(?:<(?!/\1\s*>)[^<]*)*(?:</\1\s*>|\Z)"
    r"|<(/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[\s/][^<>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^<>\"']*)*)?)>"
    r"|<![^<>]*>|<\?[^<>]*>",
    re.S,
)
ATTR = re.compile(r"""\b(class|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
VOID = {"br", "img", "meta", "link", "input", "hr", "wbr", "area", "base", "col", "embed", "param",
        "source", "track"}
POSITIVE = re.compile("content|article|text|detail|trs_editor|main|post|story")
NEVER_DROPPED = {"html", "body", "main", "article"}
TAG_RESIDUE = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]{0,300})?/?>"
    r"|(?<![A-Za-z0-9])/(?:span|p|div|a|b|i|em|strong|font|td|tr|li|ul|ol|h[1-6]|section|article)>"  # '<' lost
)
CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
NEWLINE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}])[ \t\r\f]*\n\s*(?=[{CJK}])")
SPACE_RUN = re.compile(r"[ \t\r\n\f]+")
CONTAINERS = {"body", "div", "section", "article", "main", "table", "td", "th", "ul", "ol", "dl", "form", "center",
              "header", "figure", "blockquote"}
INLINE = {"a", "span", "font", "b", "strong", "em", "i", "u", "ins", "small", "sup", "sub", "label", "img"}
PUNCT = re.compile(r"[，。！？；：、“”「」,.!?;:]")
MIN_MAIN_CHARS = 40  # below this much article-like text a page is kept whole
METADATA_HINT = re.compile(
    r"(?:19|20)\d\d\s*[-/.年]\s*\d|来源|來源|稿源|作者|记者|記者|编辑|編輯|责编|責編|通讯员|通訊員|发布|發佈|發布"
    r"|日期|第\s*[0-9一二三四五六七八九十]{1,3}\s*版")
META_DATE = re.compile(
    r"""(?:name|property|itemprop)\s*=\s*["']?(?:article:published_time|og:published_time|og:release_date|"""
    r"""pubdate|publishdate|publish_date|publishtime|publish-date|datepublished|article\.published|"""
    r"""dc\.date\.issued|firstpublishedtime)["']?\s+content\s*=\s*(?:"(?P<c1>[^"]*)"|'(?P<c2>[^']*)')""", re.I)
TIME_ATTR = re.compile(r"""datetime\s*=\s*["']([^"']{8,40})["']""", re.I)
SCRIPT_DATE = re.compile(
    r"""(?:pub_?time|publish_?time|pub_?date|publish_?date|release_?time)["']?\s*[:=]\s*["']([^"'\n]{8,30})["']""",
    re.I)
TITLE_SPLIT = re.compile(r"\s*(?:[_|｜—–]+|--+|(?<![A-Za-z0-9])-(?![A-Za-z0-9]))\s*")
SENTENCE = re.compile(r"[，。！？；]")
HEAD_INFO = {"meta", "time", "title"}
CELLS = ("td", "th")
KINDS = {"h1": "title", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading"}


@dataclass
class Extracted:
    """Blocks of text in reading order, and the visible text the extractor dropped."""

    blocks: list[Block]
    rejected: list[Rejected]
    is_html: bool
    metadata: dict[str, str] = field(default_factory=dict)  # from <meta>, <time> and script variables


def looks_like_html(text: str) -> bool:
    """A page (doctype/html/head/body near the top) or a fragment with markup on most lines;
    a text dump with some tag residue (``<br/>`` here and there) is not HTML."""
    head = text[:5000]
    if DOCUMENT_TAGS.search(head):
        return True
    lines = sum(1 for line in head.splitlines() if line.strip())
    tags = len(BLOCK_TAG.findall(head))
    return tags >= 3 and tags >= lines / 2


def strip_tag_residue(text: str) -> str:
    """Remove HTML tags left in a text dump.

    >>> strip_tag_residue("编辑：某某）</span>")
    '编辑：某某）'
    >>> strip_tag_residue("编辑：某某?/span>")
    '编辑：某某?'
    """
    if ">" not in text:
        return text
    return TAG_RESIDUE.sub("", text)


def _collapse(text: str) -> str:
    if "\n" in text:
        text = NEWLINE_BETWEEN_CJK.sub("", text)
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\f" in text:
        text = SPACE_RUN.sub(" ", text)
    return text.strip(" ")


class _Builder:
    """Collects text pieces into blocks while the tokenizer walks the page."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pending: list[_Pending] = []
        self.rejected: list[Rejected] = []
        self.pieces: list[tuple[str, int, int]] = []
        self.link_chars = 0
        self.kind = "body"

    def add(self, text: str, start: int, end: int, in_link: bool) -> None:
        value = htmllib.unescape(text) if "&" in text else text
        if value.strip():
            self.pieces.append((value, start, end))
            if in_link:
                self.link_chars += len(value.strip())
        elif self.pieces:
            self.pieces.append((value, -1, -1))  # spacing between inline elements, outside the span

    def flush(self, drop_rule: str | None = None, node: int = 0) -> None:
        if not self.pieces:
            return
        if len(self.pieces) == 1:
            raw, start, end = self.pieces[0]
            text = _collapse(raw)
        else:
            text = _collapse("".join(p[0] for p in self.pieces))
            spans = [p for p in self.pieces if p[1] >= 0]
            start, end = spans[0][1], spans[-1][2]
        link_chars, self.pieces, self.link_chars = self.link_chars, [], 0
        if not text:
            return
        block = Block(self.kind, self.source[start:end], start, end)
        block.apply("html", text)
        if drop_rule:
            self.rejected.append(Rejected(block, drop_rule))
        else:
            self.pending.append(_Pending(block, node, len(text) - text.count(" "), link_chars))


@dataclass(slots=True)
class _Pending:
    """A block waiting for the main-content decision, with what the decision looks at."""

    block: Block
    node: int  # the innermost container holding it
    chars: int
    links: int

    @property
    def good(self) -> int:
        """Characters that read as article text: sentence punctuation, not mostly links."""
        own = self.chars - self.links
        return own if own >= 8 and self.links < own and PUNCT.search(self.block.text) else 0


@dataclass(slots=True)
class _Node:
    """A container element (div, td, ul…) of the light tree, with its subtree's text figures."""

    tag: str
    parent: int
    hint: float  # 1.1 for content-like class/id names, 1.0 otherwise
    values: str  # its class and id
    good: int = 0
    bad: int = 0
    chars: int = 0
    links: int = 0


def _hint_values(attrs: str) -> str:
    return " ".join(next(v for v in m.groups()[1:] if v is not None) for m in ATTR.finditer(attrs)).lower()


@functools.cache
def _hint_pattern(hints: tuple[str, ...], tokens: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for the drop hints (substrings of class/id) and drop tokens (whole words), in lower case."""
    alternatives = [re.escape(h.lower()) for h in hints]
    if tokens:
        alternatives.append(rf"(?<![a-z0-9])(?:{'|'.join(re.escape(t.lower()) for t in tokens)})(?![a-z0-9])")
    return re.compile("|".join(alternatives) or "(?!)")


def _drop_reason(tag: str, values: str, drop_tags: set[str], hints: re.Pattern[str]) -> str | None:
    if tag in drop_tags:
        return f"html/{tag}"
    if not values or tag in NEVER_DROPPED or POSITIVE.search(values):
        return None
    m = hints.search(values)
    return f"html/{m.group()}" if m else None


def _head_metadata(tag: str, attrs: str, metadata: dict[str, str]) -> None:
    """A publication time from ``<meta name|property=… content=…>`` or ``<time datetime>``."""
    if "published" in metadata:
        return
    m = META_DATE.search(attrs) if tag == "meta" else TIME_ATTR.search(attrs)
    value = (m["c1"] or m["c2"] if tag == "meta" else m[1]) if m else None
    published = parse_date(value.replace("T", " ")) if value else None
    if published:
        metadata["published"] = published


def _script_metadata(script: str, metadata: dict[str, str]) -> None:
    """A publication time from a script variable (``var pubTime = "2020-02-05 08:12";``)."""
    m = SCRIPT_DATE.search(script)
    published = parse_date(m[1]) if m else None
    if published:
        metadata["published"] = published


def _title_part(title: str) -> str:
    """The article's part of a ``<title>`` such as ``标题_站名`` (its longest piece)."""
    parts = [p.strip() for p in TITLE_SPLIT.split(_collapse(htmllib.unescape(title)))]
    return max(parts, key=len, default="").replace(" ", "")


def extract_html(text: str, settings: dict) -> Extracted:
    """Blocks from an HTML page (see the module docstring)."""
    drop_tags = set(settings["drop_tags"])
    hints = _hint_pattern(tuple(settings["drop_hints"]), tuple(settings["drop_tokens"]))
    block_tags = set(settings["block_tags"])
    captions = set(settings["caption_tags"])
    out = _Builder(text)
    side = _Builder(text)  # text of dropped inline elements (an ad inside a sentence)
    nodes = [_Node("page", -1, 1.0, "")]
    stack = [0]  # open containers
    open_tags: dict[str, int] = {}  # how many of each tag are open on the stack
    metadata: dict[str, str] = {}
    title = ""
    title_start = -1
    dropped: list[tuple[str, str, int]] = []  # (tag, rule, nesting depth of that tag)
    inline_drop = False  # the innermost drop is an inline element: its text goes to `side`
    link_depth = 0
    pos = 0
    for m in TOKEN.finditer(text):
        start = m.start()
        if start > pos:
            if not dropped:
                out.add(text[pos:start], pos, start, link_depth > 0)
            elif dropped[-1][1] != "html/head":
                (side if inline_drop else out).add(text[pos:start], pos, start, False)
        pos = m.end()
        script, slash, tag, attrs = m.groups()
        if tag is None:  # comment, script/style body, doctype, processing instruction
            if script is not None and "published" not in metadata and script.lower() == "script":
                _script_metadata(m.group(0), metadata)
            continue
        tag = tag.lower()
        closing = slash == "/"
        if tag in HEAD_INFO:
            if tag != "title":
                if not closing:
                    _head_metadata(tag, attrs, metadata)
            elif not title:
                if closing and title_start >= 0:
                    title = text[title_start:start]
                title_start = pos
        if dropped:
            d_tag, rule, depth = dropped[-1]
            if tag == d_tag and tag not in VOID:
                depth += -1 if closing else 1
                if depth == 0:
                    dropped.pop()
                    (side if inline_drop else out).flush(rule)
                    inline_drop = False
                    continue
                dropped[-1] = (d_tag, rule, depth)
            continue
        values = _hint_values(attrs) if attrs and not closing and ("class" in attrs or "id" in attrs
                                                                   or "CLASS" in attrs or "ID" in attrs) else ""
        if not closing and tag not in VOID:
            reason = _drop_reason(tag, values, drop_tags, hints) if values or tag in drop_tags else None
            if reason:
                inline_drop = tag in INLINE
                if not inline_drop and out.pieces:
                    out.flush(node=stack[-1])
                dropped.append((tag, reason, 1))
                continue
        if tag == "a":
            link_depth = max(0, link_depth + (-1 if closing else 1))
            continue
        if tag not in block_tags and tag not in CONTAINERS:
            continue
        if out.pieces:
            out.flush(node=stack[-1])
        if tag in CONTAINERS:
            if not closing:
                if tag in CELLS and nodes[stack[-1]].tag in CELLS:
                    open_tags[nodes[stack.pop()].tag] -= 1  # an unclosed cell ends at the next one
                nodes.append(_Node(tag, stack[-1], 1.1 if values and POSITIVE.search(values) else 1.0, values))
                stack.append(len(nodes) - 1)
                open_tags[tag] = open_tags.get(tag, 0) + 1
            elif tag != "body" and open_tags.get(tag):  # a stray </body> (or </html>) ends nothing
                while True:
                    popped = nodes[stack.pop()].tag
                    open_tags[popped] -= 1
                    if popped == tag:
                        break
        if tag in KINDS:
            out.kind = "body" if closing else KINDS[tag]
        elif tag in captions:
            out.kind = "body" if closing else "caption"
    if pos < len(text) and not dropped:
        out.add(text[pos:], pos, len(text), link_depth > 0)
    if dropped and inline_drop:
        side.flush(dropped[-1][1])
        dropped.pop()
    out.flush(dropped[-1][1] if dropped else None, node=stack[-1])
    blocks, rejected = _main_content(out.pending, nodes, _title_part(title))
    return Extracted(blocks, out.rejected + side.rejected + rejected, True, metadata)


def _main_content(pending: list[_Pending], nodes: list[_Node], title: str) -> tuple[list[Block], list[Rejected]]:
    """Keep the main container's blocks, the title and date/byline lines before or just after it;
    reject the rest (see the module docstring). A run of teasers (links with snippets) counts as
    chrome, so its snippets never make a container look like the article."""
    for p in pending:
        node = nodes[p.node]
        good = p.good
        node.good += good
        node.bad += p.chars - good
        node.chars += p.chars
        node.links += p.links
    for i in range(len(nodes) - 1, 0, -1):  # children come after their parents
        node, parent = nodes[i], nodes[nodes[i].parent]
        if node.links * 10 >= node.chars * 3:  # a teaser run: its snippets are not article text
            node.bad += node.good
            node.good = 0
        parent.good += node.good
        parent.bad += node.bad
        parent.chars += node.chars
        parent.links += node.links
    main = max(range(len(nodes)), key=lambda i: ((nodes[i].good - nodes[i].bad) * nodes[i].hint, i))
    if nodes[main].good < MIN_MAIN_CHARS:
        main = 0  # too little article text to tell: keep every block, as a plain page
    inside = [False] * len(nodes)
    linky = [False] * len(nodes)
    inside[main] = True
    for i in range(main + 1, len(nodes)):
        node = nodes[i]
        inside[i] = inside[node.parent]
        if inside[i]:
            linky[i] = linky[node.parent] or (node.good == 0 and node.links * 2 >= node.chars > 0)
    in_main = [i for i, p in enumerate(pending) if inside[p.node]]
    first, last = (in_main[0], in_main[-1]) if in_main else (len(pending), -1)
    title_at = _find_title(pending, inside, title, first)
    kept: list[Block] = []
    rejected: list[Rejected] = []
    where = f"outside the main content ({nodes[main].tag} {nodes[main].values[:40]})".replace(" )", ")")
    for i, p in enumerate(pending):
        block = p.block
        if i == title_at:
            block.kind = "title"
            kept.append(block)
        elif (p.links * 5 >= p.chars * 4 and p.chars <= 60) or (inside[p.node] and linky[p.node]):
            rejected.append(Rejected(block, "html/link-block"))
        elif inside[p.node]:
            kept.append(block)
        elif p.chars <= 120 and i <= last + 3 and METADATA_HINT.search(block.text) \
                and not SENTENCE.search(block.text):
            kept.append(block)  # a date or byline line: the boilerplate stage parses and rejects it
        else:
            rejected.append(Rejected(block, "html/outside-main", where))
    return kept, rejected


def _find_title(pending: list[_Pending], inside: list[bool], title: str, first: int) -> int:
    """The index of the article's title (-1 when there is none): a block matching ``<title>`` inside
    the main container; else a heading-like block there before the first paragraph (an h1, else the
    longest); else the block matching ``<title>`` nearest before the content; else the last h1 before
    the content, or the first h1."""
    matches = []
    if len(title) >= 4:
        for i, p in enumerate(pending):
            text = p.block.text.replace(" ", "")
            if len(text) >= 4 and (text in title or title in text) and len(text) * 5 >= len(title) * 3 \
                    and len(title) * 5 >= len(text) * 3:
                matches.append(i)
    inner = [i for i in matches if inside[pending[i].node]]
    if inner:
        return inner[0]
    first_body = next((i for i in range(max(first, 0), len(pending)) if pending[i].good), len(pending))
    heads = [i for i in range(max(first, 0), first_body) if _heading_like(pending[i])]
    if heads:
        h1 = [i for i in heads if pending[i].block.kind == "title"]
        return h1[0] if h1 else max(heads, key=lambda i: pending[i].chars)
    before = [i for i in matches if i < first]
    if matches:
        return before[-1] if before else matches[0]
    h1 = [i for i, p in enumerate(pending) if p.block.kind == "title"]
    before = [i for i in h1 if i < first]
    return before[-1] if before else h1[0] if h1 else -1


def _heading_like(p: _Pending) -> bool:
    """A short line of its own that could be a title: no links, no sentence, no date or byline."""
    text = p.block.text
    return p.block.kind in ("title", "heading") or (
        4 <= p.chars <= 60 and not p.links and not SENTENCE.search(text) and not METADATA_HINT.search(text))


def extract_lines(text: str) -> Extracted:
    """One block per non-blank line of a text dump; the span covers the line without its newline."""
    blocks = []
    start = 0
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if line.strip():
            block = Block("body", line, start, start + len(line))
            if ">" in line:
                block.apply("html", strip_tag_residue(line))
            blocks.append(block)
        start += len(raw) + 1
    return Extracted(blocks, [], False)


def extract(text: str, settings: dict) -> Extracted:
    """Blocks of an HTML page or a text dump, whichever the text is."""
    return extract_html(text, settings) if looks_like_html(text) else extract_lines(text)
