"""Chrome removal by rule packs and page zones; metadata lines parsed into the document record.

Rules (configs/rules/*.yaml) match a line's *key*: NFKC, Traditional folded to Simplified
character by character, whitespace collapsed, so one rule written in Simplified serves pages in
either script. Beyond the rules:
- widget lines: short lines made of widget words (打印 纠错 分享 …);
- head zone: before the first body-like line only the title survives (a text dump's title is
  the longest such line);
- tail zone: a related-articles header ends the article; it and everything after it go.
Every removal is returned with its rule id; metadata rules also yield fields (published, source,
editor, author, reporter, correspondent).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .config import Config, Rule
from .records import Block, Rejected
from .script import get_converter

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Sentence punctuation, or , : before a non-space; written to start with one class, so that the
# search runs in C.
SENTENCE_PUNCT = re.compile(r"[。，！？；!?;,:](?:(?<=[。，！？；!?;])|(?=\S))")
WIDGET_BLOCKERS = re.compile(r"[。！？；!?;,]")  # keys are NFKC: full-width ， is , there
SENTENCE_END = ("。", "…", "；", "：", "」", "』", ".", ";", ":")
EDGE = " \t|｜·•>»«<›‹/\\-—_*#【】[]()（）「」『』:：,，.。、!！?？\"'“”‘’"
SPACES = re.compile(r"\s+")
TOKEN_SPLIT = re.compile(r"[\s|｜·•/\\【】\[\]()（）:：,，、]+")

DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:星期|周|礼拜)[一二三四五六日天])?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?)?"
)
LABELLED = {
    "source_name": re.compile(r"(?:来源|稿源|信息来源|出处|转载自)\s*[:：]?\s*(?P<v>[^\s|｜，,。】\]【\[]+)"),
    "editor": re.compile(r"(?:责任编辑|责编|值班编辑|编辑)\s*[:：]\s*(?P<v>[^\s)）\]】|｜]+)"),
    "author": re.compile(r"(?:作者|撰稿|文\s*/|文／)\s*[:：]?\s*(?P<v>[^\s)）\]】|｜]+)"),
    "reporter": re.compile(r"记者\s*[:：]?\s*(?P<v>[^\s)）\]】|｜通/／]+(?:\s+[^\s)）\]】|｜通/／]+)*)"),
    "correspondent": re.compile(r"通讯员\s*[:：]?\s*(?P<v>[^\s)）\]】|｜]+(?:\s+[^\s)）\]】|｜]+)*)"),
    "edition": re.compile(r"(?<![转接])第\s*(?P<v>\d{1,3}|[一二三四五六七八九十]{1,3})\s*版"),
}
NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九十")}
LABEL_WORDS = re.compile(r"(发布时间|发布日期|发表时间|时间|日期|来源|稿源|信息来源|出处|转载自|"
                         r"责任编辑|责编|值班编辑|编辑|作者|本报记者|记者|通讯员|本报讯)\s*[:：]?")
LINE_CACHE = 1 << 14  # verdicts kept per rule set (a few MB): chrome lines repeat from page to page


@functools.cache
def _fold_chars() -> Callable[[str], str]:
    """t2s character by character (looked up once, not per line)."""
    return get_converter("t2s").convert_chars


FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, a third of the time on Chinese lines: the full-width
    ASCII forms and the ideographic space (what NFKC changes in most of them) are replaced by what
    NFKC makes of them, each with one ``str.replace``, and only a line still not in NFKC is
    normalized (replacing a character by its compatibility form does not change the result).

    >>> nfkc("（记者　王明）ＧＤＰ增长５％，①")
    '(记者 王明)GDP增长5%,1'
    """
    for ch in set(FULLWIDTH.findall(text)):
        text = text.replace(ch, " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0))
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def match_key(text: str) -> str:
    """The form rules match against: NFKC, Simplified characters, single spaces."""
    key = _fold_chars()(nfkc(text))
    return SPACES.sub(" ", key).strip()


def _core(key: str) -> str:
    return key.strip(EDGE).replace(" ", "")


def parse_date(text: str) -> str | None:
    """The first date in the text as ISO 8601 (minute precision when a time is given).

    >>> parse_date("2021年01月18日10:56 来源:某报")
    '2021-01-18T10:56'
    """
    m = DATE.search(text)
    if not m:
        return None
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    iso = f"{y:04d}-{mo:02d}-{d:02d}"
    if m["H"] is not None and int(m["H"]) < 24 and int(m["M"]) < 60:
        iso += f"T{int(m['H']):02d}:{m['M']}"
        if m["S"] is not None:
            iso += f":{m['S']}"
    return iso


def parse_metadata(key: str, widget_words: frozenset[str]) -> dict[str, str]:
    """Fields of a metadata line (already a match key)."""
    found: dict[str, str] = {}
    published = parse_date(key)
    if published:
        found["published"] = published
    for name, pattern in LABELLED.items():
        m = pattern.search(key)
        if m:
            value = m["v"].strip(EDGE.replace("“", "").replace("”", ""))
            if name == "edition":
                value = _edition_number(value)
            if value:
                found[name] = value
    if "author" not in found and "reporter" in found:
        found["author"] = found["reporter"]
    if "source_name" not in found and published:
        lead = key[: DATE.search(key).start()].strip(EDGE)  # type: ignore[union-attr]
        if 2 <= len(lead) <= 15 and not LABEL_WORDS.search(lead) and lead not in widget_words:
            found["source_name"] = lead
    return found


def _edition_number(value: str) -> str:
    """``03`` or ``十二`` as a plain number: ``3``, ``12``.

    >>> _edition_number("03"), _edition_number("十二"), _edition_number("二十一")
    ('3', '12', '21')
    """
    if value.isdigit():
        return str(int(value))
    tens, _, ones = value.rpartition("十")
    if "十" not in value:
        return str(NUMERALS[value[-1]]) if len(value) == 1 else ""
    return str((NUMERALS.get(tens, 1) if tens else 1) * 10 + (NUMERALS.get(ones, 0) if ones else 0))


def _residual_han(key: str, widget_words: frozenset[str]) -> int:
    """Han characters left once dates, labelled fields and widget words are taken out."""
    rest = DATE.sub(" ", key)
    for pattern in LABELLED.values():
        rest = pattern.sub(" ", rest)
    tokens = [t for t in TOKEN_SPLIT.split(rest) if t and t not in widget_words]
    return sum(len(HAN.findall(t)) for t in tokens)


class Verdict(NamedTuple):
    """What the rules say of one line: its key ("" for a line too long to be chrome), the first rule
    that matches it, and whether it is a widget line."""

    key: str
    rule: Rule | None
    widget: bool


NO_VERDICT = Verdict("", None, False)


@dataclass
class RuleSet:
    """Rules prepared for matching."""

    rules: tuple[Rule, ...]
    exact: dict[str, Rule] = field(default_factory=dict)
    widget_words: frozenset[str] = frozenset()
    widget_residual: int = 6

    @classmethod
    def from_config(cls, config: Config) -> RuleSet:
        bp = config["boilerplate"]
        rs = cls(config.rules, widget_words=frozenset(bp["widget_words"]),
                 widget_residual=bp["widget_max_residual_han"])
        for rule in config.rules:
            for value in rule.exact:
                rs.exact.setdefault(_core(match_key(value)), rule)
        return rs

    @functools.cached_property
    def longest(self) -> int:
        """No rule removes a line longer than this (every rule states its max_chars)."""
        return max((r.max_chars for r in self.rules), default=0)

    def matches(self, rule: Rule, key: str) -> bool:
        """Whether one rule matches a line key."""
        if len(key) > rule.max_chars:
            return False
        if rule.exact:
            return self.exact.get(_core(key)) is rule
        return bool(self._test(rule)(key))

    def _test(self, rule: Rule) -> Callable[[str], object]:
        """How a pattern or dateline rule tests a key short enough for it (truthy: it matches)."""
        return rule.pattern.search if rule.pattern is not None else self._is_dateline

    def _is_dateline(self, key: str) -> bool:
        return DATE.search(key) is not None and _residual_han(key, self.widget_words) <= 12

    @functools.cached_property
    def _by_length(self) -> list[tuple[tuple[Rule, Callable[[str], object]], ...]]:
        """For each line length, the pattern and dateline rules that allow it with their tests, in pack order."""
        loose = [(r, self._test(r)) for r in self.rules if not r.exact]
        return [tuple((r, test) for r, test in loose if r.max_chars >= n) for n in range(self.longest + 1)]

    def match(self, key: str) -> Rule | None:
        """The first rule (exact lists first, then in pack order) that matches a line key, or None."""
        rule = self.exact.get(_core(key))
        if rule and self.matches(rule, key):
            return rule
        candidates = self._by_length[len(key)] if len(key) <= self.longest else ()
        return next((r for r, test in candidates if test(key)), None)

    def is_widget_line(self, key: str) -> bool:
        """A short line of widget words (打印 纠错 …) with little else."""
        if len(key) > 40 or WIDGET_BLOCKERS.search(key):
            return False
        tokens = [t for t in TOKEN_SPLIT.split(key) if t]
        if not any(t in self.widget_words for t in tokens):
            return False
        rest = sum(len(HAN.findall(t)) for t in tokens if t not in self.widget_words)
        return rest <= self.widget_residual

    def verdict(self, text: str) -> Verdict:
        """A line's ``Verdict``; a long line is never chrome, so its key is not computed."""
        if len(text.strip()) > self.longest + 10:  # NFKC and space collapsing shorten a line only a little
            return NO_VERDICT
        return self._short_verdict(text)

    def _verdict(self, text: str) -> Verdict:
        key = match_key(text)
        if not key:
            return NO_VERDICT
        rule = self.match(key)
        return Verdict(key, rule, rule is None and self.is_widget_line(key))

    @functools.cached_property
    def _short_verdict(self) -> Callable[[str], Verdict]:
        """``_verdict`` with a bounded cache: short lines (chrome) repeat from page to page."""
        return functools.lru_cache(maxsize=LINE_CACHE)(self._verdict)


@dataclass
class Boilerplate:
    """The outcome of the boilerplate stage for one document."""

    kept: list[Block]
    rejected: list[Rejected]
    metadata: dict[str, Any]


@functools.cache
def _han_at_least(n: int) -> re.Pattern[str]:
    """Matches from the start of a text once it has seen ``n`` Han characters (stops there)."""
    return re.compile(rf"(?:[^{HAN.pattern[1:-1]}]*{HAN.pattern}){{{n}}}")


def is_body_like(block: Block, min_han: int) -> bool:
    return bool(SENTENCE_PUNCT.search(block.text)) and _han_at_least(min_han).match(block.text) is not None


def remove_boilerplate(blocks: list[Block], rules: RuleSet, settings: dict[str, Any],
                       is_html: bool) -> Boilerplate:
    """Split blocks into kept and rejected, collecting metadata (see the module docstring)."""
    kept: list[Block] = []
    rejected: list[Rejected] = []
    metadata: dict[str, Any] = {}
    tail_rule: Rule | None = None
    seen_body = False
    for block in blocks:
        key, rule, widget = rules.verdict(block.text)
        if rule is not None and rule.pack == "metadata":
            for name, value in parse_metadata(key, rules.widget_words).items():
                metadata.setdefault(name, value)
        if rule is not None:
            if rule.zone == "tail" and seen_body:
                tail_rule = rule
            rejected.append(Rejected(block, rule.id))
        elif tail_rule is not None:
            rejected.append(Rejected(block, tail_rule.id, "after the header, in the tail zone"))
        elif widget:
            rejected.append(Rejected(block, "widget-line"))
        else:
            seen_body = seen_body or is_body_like(block, settings["body_min_han"])
            kept.append(block)
    if settings["head_zone"]:
        kept, head_rejects = _apply_head_zone(kept, settings["body_min_han"], is_html)
        rejected += head_rejects
    if not is_html:
        _assign_kinds(kept, settings["heading_max_chars"])
    rejected.sort(key=lambda r: r.block.start)
    return Boilerplate(kept, rejected, metadata)


def _apply_head_zone(kept: list[Block], min_han: int, is_html: bool) -> tuple[list[Block], list[Rejected]]:
    """Before the first body-like block keep titles and headings, or (text dumps) the longest line."""
    first_body = next((i for i, b in enumerate(kept) if is_body_like(b, min_han)), None)
    if not first_body:
        return kept, []
    head, rest = kept[:first_body], kept[first_body:]
    if is_html:
        keep = [b for b in head if b.kind in ("title", "heading")]
    else:
        candidates = [b for b in head if len(HAN.findall(b.text)) >= 4]
        title = max(candidates, key=lambda b: len(b.text), default=None)
        if title is not None:
            title.kind = "title"
        keep = [title] if title is not None else []
    rejected = [Rejected(b, "head-zone", "before the article's first paragraph") for b in head if b not in keep]
    return keep + rest, rejected


def _assign_kinds(kept: list[Block], heading_max: int) -> None:
    """In a text dump, a short line that does not end a sentence is a heading."""
    for block in kept:
        if block.kind == "body" and len(block.text.strip()) <= heading_max \
                and not block.text.rstrip().endswith(SENTENCE_END):
            block.kind = "heading"
