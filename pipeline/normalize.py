"""Typography normalization for Chinese text (SPEC step 7), never ftfy's Western defaults.

- NFC; full-width ASCII letters and digits to half-width (``ＧＤＰ２０２３`` -> ``GDP2023``);
- ASCII ``, : ; ? ! ( )`` beside Han text back to ``，：；？！（）`` — the damage NFKC does — but not
  inside numbers (``1,000``, ``10:56``), URLs or Latin text;
- curly Chinese quotes stay curly;
- ideographic-space indents, NBSP, zero-width and control characters removed, spaces collapsed.
``?`` marks of lost bytes (``合力??h``) are left alone: they are damage, not question marks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from .repair import find_corruption

HAN_OR_CJK_PUNCT = (
    "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff0f\uff1a-\uff20"
    "\u201c\u201d\u2018\u2019\u2014\u2026\u00b7"
)
FULLWIDTH_ALNUM = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
                   for c in range(r[0], r[1] + 1)}
FULLWIDTH_ALNUM_CHAR = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\x00-\x08\x0b-\x1f\x7f-\x9f]")
NBSP_BETWEEN_HAN = re.compile("(?<=[\u3400-\u9fff])\u00a0+(?=[\u3400-\u9fff])")
SPACES = re.compile("[ \u00a0\u3000\u2000-\u200a\u202f\u205f\t]+")
# Invisible characters and spaces other than ' ': with a loose ' ', what strip_invisible changes.
SPACING = re.compile(f"[{INVISIBLE.pattern[1:-1]}\u00a0\u3000\u2000-\u200a\u202f\u205f\t]")
URL = re.compile(r"(?:https?://|www\.)[^\s\u3400-\u9fff，。！？；：（）]+")
WIDE = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
WIDE_TABLE = str.maketrans(WIDE)
ASCII_MARK = re.compile("[,:;?!()]")
# A run of ASCII marks (across at most one space between them) with Han or CJK punctuation on at
# least one side, across at most one space: a mark beside Han is Han punctuation, and so is a mark
# beside that one (``真的?!``, ``太好了!!!!``). No character of that class is a digit, so a mark
# between digits (1,000 10:56) never matches. The mark comes first, so that the search skips from
# mark to mark in C, and a run is taken from its first mark only, whole (possessive: no retries).
_M = "[,:;?!()]"
_RUN_START = rf"{_M}(?<!{_M}{_M})(?<!{_M} {_M})"  # the first mark of a run
_RUN_REST = rf"(?: ?{_M})*+"
HAN_PUNCT = re.compile(
    rf"{_RUN_START}(?:(?:(?<=[{HAN_OR_CJK_PUNCT}]{_M})|(?<=[{HAN_OR_CJK_PUNCT}] {_M})){_RUN_REST}"
    rf"|{_RUN_REST}(?= ?[{HAN_OR_CJK_PUNCT}]))"
)
HAN_PUNCT_SPLIT = re.compile(f"({HAN_PUNCT.pattern})")  # the runs come back at the odd indices
ASCII_RUN = re.compile(_RUN_START + _RUN_REST)  # every run of marks, whole
_HAN_OR_CJK_PUNCT = re.compile(f"[{HAN_OR_CJK_PUNCT}]")


def _widen_all(text: str) -> str:
    """Every run ``HAN_PUNCT`` finds widened."""
    parts = HAN_PUNCT_SPLIT.split(text)
    parts[1::2] = [run.translate(WIDE_TABLE) for run in parts[1::2]]
    return "".join(parts)


def _beside_han(text: str, at: int, step: int) -> bool:
    """Han or CJK punctuation at ``at``, or one step further past a space."""
    if 0 <= at < len(text) and text[at] == " ":
        at += step
    return 0 <= at < len(text) and _HAN_OR_CJK_PUNCT.match(text, at) is not None


def han_punctuation(text: str, protected: list[tuple[int, int]] | None = None) -> str:
    """ASCII punctuation beside Han text, and the marks it runs on with, to their full-width forms,
    except in URLs and ``protected`` spans (a mark left there widens none of its neighbours).

    >>> han_punctuation("连日来,各村(社区)报到:1,000人于10:56到场!")
    '连日来，各村（社区）报到：1,000人于10:56到场！'
    >>> han_punctuation("真的?!太好了!!!")
    '真的？！太好了！！！'
    """
    if not ASCII_MARK.search(text):
        return text
    skip = [(m.start(), m.end()) for m in URL.finditer(text)] + list(protected or ())
    if not skip:
        return _widen_all(text)
    out = list(text)
    for m in ASCII_RUN.finditer(text):
        marks = [i for i in range(m.start(), m.end()) if text[i] != " "]
        for beside, order in ((_beside_han(text, m.start() - 1, -1), marks),
                              (_beside_han(text, m.end(), 1), marks[::-1])):
            for i in order if beside else ():
                if any(s <= i < e for s, e in skip):
                    break  # a mark left as it is widens none beyond it
                out[i] = WIDE[text[i]]
    return "".join(out)


def _loose_spaces(text: str) -> bool:
    """A doubled, leading or trailing space."""
    return "  " in text or text.startswith(" ") or text.endswith(" ")


def strip_invisible(text: str) -> str:
    """Remove zero-width and control characters and NBSP spacers between Han characters;
    collapse other spaces to one; drop indents.

    >>> strip_invisible("\\u3000\\u3000正文\\u200b内容\\u00a0结束 （王 卿）")
    '正文内容结束 （王 卿）'
    """
    if not (SPACING.search(text) or _loose_spaces(text)):
        return text
    text = INVISIBLE.sub("", text)
    if "\u00a0" in text:
        text = NBSP_BETWEEN_HAN.sub("", text)
    return SPACES.sub(" ", text).strip(" ")


def fullwidth_alnum(text: str) -> str:
    """Full-width ASCII letters and digits to half-width.

    >>> fullwidth_alnum("２０２３年ＧＤＰ")
    '2023年GDP'
    """
    return text.translate(FULLWIDTH_ALNUM) if FULLWIDTH_ALNUM_CHAR.search(text) else text


def nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _punctuation_outside_damage(text: str) -> str:
    """han_punctuation, leaving the ``?`` of lost bytes alone (only ``?`` can be damage)."""
    return han_punctuation(text, [(s, e) for s, e, _ in find_corruption(text)] if "?" in text else None)


# Characters a step could change: full-width alphanumerics, invisible and space characters, ASCII
# punctuation (loose spaces are checked apart, NFC in C). One class: the search runs in C.
UNSETTLED = re.compile(
    "[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u200b-\u200f\u2060-\u2064\ufeff\u00ad\x00-\x1f\x7f-\xa0"
    "\u3000\u2000-\u200a\u202f\u205f,:;?!()]"
)


def is_settled(text: str) -> bool:
    """True when no normalization step would change the text (the common case, checked cheaply).

    >>> is_settled("正文，内容。"), is_settled("正文,内容"), is_settled("ＧＤＰ")
    (True, False, False)
    """
    return not (UNSETTLED.search(text) or _loose_spaces(text)) and (
        text.isascii() or unicodedata.is_normalized("NFC", text))


def normalize_steps(settings: dict) -> list[tuple[str, Callable[[str], str]]]:
    """The switched-on steps as (op name, function) pairs, in order."""
    steps: list[tuple[str, Callable[[str], str]]] = []
    if settings["nfc"]:
        steps.append(("nfc", nfc))
    if settings["fullwidth_alnum"]:
        steps.append(("width", fullwidth_alnum))
    if settings["strip_invisible"]:
        steps.append(("space", strip_invisible))
    if settings["han_punctuation"]:
        steps.append(("punct", _punctuation_outside_damage))
    return steps
