"""Decoded text to blocks: paragraphs of an HTML page, or lines of a text dump, each with its span.

HTML is read with a single-pass tokenizer rather than a tree: it keeps the exact offset of every
text node (the provenance spans), never stops at a stray ``</html>`` and costs one regex scan.
Block tags end a paragraph, h1 gives the title and h2–h6 headings; script/style/nav/footer/forms
and elements whose class or id names chrome (share, breadcrumb, comment…) are dropped, their
visible text recorded as rejects. Text dumps become one block per non-blank line, with HTML tag
residue such as ``</span>`` removed.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

from .records import Block, Rejected

DOCUMENT_TAGS = re.compile(r"<(!doctype|html|head|body)\b", re.I)
BLOCK_TAG = re.compile(r"</?(p|div|br|table|tr|td|li|h[1-6]|article|section|meta)\b", re.I)
# A tag's attributes start with a space or '/' and end at the first '<' outside quotes: an unclosed
# tag then fails at the next '<' instead of scanning to the end of the page from every '<' (which made
# ``<b<b<b…`` or ``<meta <meta …`` quadratic); such a '<' is text.
TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|textarea|xmp|noscript)\b[^<>]*>.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[\s/](?:[^<>\"']|\"[^\"]*\"|'[^']*')*)?)>"
    r"|<![^<>]*>|<\?[^<>]*>",
    re.S,
)
ATTR = re.compile(r"""\b(class|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
VOID = {"br", "img", "meta", "link", "input", "hr", "wbr", "area", "base", "col", "embed", "param",
        "source", "track"}
POSITIVE_HINTS = ("content", "article", "text", "detail", "trs_editor", "main", "post", "story")
NEVER_DROPPED = {"html", "body", "main", "article"}
TAG_RESIDUE = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]{0,300})?/?>"
    r"|(?<![A-Za-z0-9])/(?:span|p|div|a|b|i|em|strong|font|td|tr|li|ul|ol|h[1-6]|section|article)>"  # '<' lost
)
CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
NEWLINE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}])[ \t\r\f]*\n\s*(?=[{CJK}])")
SPACE_RUN = re.compile(r"[ \t\r\n\f]+")
LINE = re.compile(r"[^\n]*\n|[^\n]+")


@dataclass
class Extracted:
    """Blocks of text in reading order, and the visible text the extractor dropped."""

    blocks: list[Block]
    rejected: list[Rejected]
    is_html: bool


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
    text = NEWLINE_BETWEEN_CJK.sub("", text)
    return SPACE_RUN.sub(" ", text).strip(" ")


class _Builder:
    """Collects text pieces into blocks while the tokenizer walks the page."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.blocks: list[Block] = []
        self.rejected: list[Rejected] = []
        self.pieces: list[tuple[str, int, int]] = []
        self.link_chars = 0
        self.kind = "body"

    def add(self, text: str, start: int, end: int, in_link: bool) -> None:
        value = htmllib.unescape(text)
        if value.strip():
            self.pieces.append((value, start, end))
            if in_link:
                self.link_chars += len(value.strip())
        elif self.pieces:
            self.pieces.append((value, -1, -1))  # spacing between inline elements, outside the span

    def flush(self, drop_rule: str | None = None) -> None:
        if not self.pieces:
            return
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
        elif link_chars >= 0.8 * len(text.replace(" ", "")) and len(text) <= 60:
            self.rejected.append(Rejected(block, "html/link-block"))
        else:
            self.blocks.append(block)


def _drop_reason(tag: str, attrs: str, drop_tags: set[str], hints: tuple[str, ...]) -> str | None:
    if tag in drop_tags:
        return f"html/{tag}"
    if tag in NEVER_DROPPED or not attrs:
        return None
    values = " ".join(next(v for v in m.groups()[1:] if v is not None) for m in ATTR.finditer(attrs)).lower()
    if not values or any(p in values for p in POSITIVE_HINTS):
        return None
    for hint in hints:
        if hint in values:
            return f"html/{hint}"
    return None


def extract_html(text: str, settings: dict) -> Extracted:
    """Blocks from an HTML page (see the module docstring)."""
    drop_tags = set(settings["drop_tags"])
    hints = tuple(h.lower() for h in settings["drop_hints"])
    block_tags = set(settings["block_tags"])
    captions = set(settings["caption_tags"])
    out = _Builder(text)
    dropped: list[tuple[str, str, int]] = []  # (tag, rule, nesting depth of that tag)
    link_depth = 0
    pos = 0
    for m in TOKEN.finditer(text):
        if m.start() > pos:
            chunk = text[pos:m.start()]
            if dropped:
                if dropped[-1][1] != "html/head":
                    out.add(chunk, pos, m.start(), False)
            else:
                out.add(chunk, pos, m.start(), link_depth > 0)
        pos = m.end()
        tag = (m.group(3) or "").lower()
        if not tag:
            continue  # comment, script/style body, doctype, processing instruction
        closing = m.group(2) == "/"
        if dropped:
            d_tag, rule, depth = dropped[-1]
            if tag == d_tag and tag not in VOID:
                depth += -1 if closing else 1
                if depth == 0:
                    dropped.pop()
                    out.flush(rule)
                    continue
                dropped[-1] = (d_tag, rule, depth)
            continue
        if tag == "a":
            link_depth = max(0, link_depth + (-1 if closing else 1))
            continue
        if not closing and tag not in VOID:
            reason = _drop_reason(tag, m.group(4), drop_tags, hints)
            if reason:
                out.flush()
                dropped.append((tag, reason, 1))
                continue
        if tag in block_tags:
            out.flush()
            if tag == "h1":
                out.kind = "body" if closing else "title"
            elif tag in ("h2", "h3", "h4", "h5", "h6"):
                out.kind = "body" if closing else "heading"
            elif tag in captions:
                out.kind = "body" if closing else "caption"
    if pos < len(text) and not dropped:
        out.add(text[pos:], pos, len(text), link_depth > 0)
    out.flush(dropped[-1][1] if dropped else None)
    return Extracted(out.blocks, out.rejected, True)


def extract_lines(text: str) -> Extracted:
    """One block per non-blank line of a text dump; the span covers the line without its newline."""
    blocks = []
    for m in LINE.finditer(text):
        line = m.group().rstrip("\r\n")
        if not line.strip():
            continue
        block = Block("body", line, m.start(), m.start() + len(line))
        block.apply("html", strip_tag_residue(line))
        blocks.append(block)
    return Extracted(blocks, [], False)


def extract(text: str, settings: dict) -> Extracted:
    """Blocks of an HTML page or a text dump, whichever the text is."""
    return extract_html(text, settings) if looks_like_html(text) else extract_lines(text)
