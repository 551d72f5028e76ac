"""Remove pinyin left over from ruby markup: ``發(fā)揮`` -> ``發揮``.

Pages rendered with <ruby> annotations often lose the markup when scraped, leaving the reading in
brackets right after its character. A bracket is removed only when it holds a pinyin syllable
that pypinyin lists as a reading of the character just before it, so real bracketed text such as
``(社區)``, ``(王 卿)`` or ``(流出)`` stays.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from functools import cache
from pathlib import Path

PINYIN_LETTERS = "a-zA-ZāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿêÊ"
RUBY = re.compile(rf"([\u3400-\u9fff\uf900-\ufaff])[(（]\s?([{PINYIN_LETTERS}]{{1,7}})\s?[)）]")
# A quick test before the regex: a bracket followed by a lowercase pinyin letter.
SUSPECT = re.compile(r"[(（]\s?[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]")


def _strip_tone(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ü", "v")


@cache
def pinyin_table() -> dict[int, str]:
    """pypinyin's readings of single characters (code point -> ``"fā,fà"``), read from its data
    file: importing pypinyin itself would also load its phrase dictionary (56 MB we never use)."""
    spec = importlib.util.find_spec("pypinyin")
    assert spec is not None and spec.submodule_search_locations, "pypinyin is a dependency"
    data = json.loads((Path(spec.submodule_search_locations[0]) / "pinyin_dict.json").read_text(encoding="utf-8"))
    return {int(code): value for code, value in data.items()}


@cache
def readings(char: str) -> frozenset[str]:
    """All readings of a character, with tone marks and without.

    >>> sorted(readings("發"))[:2]
    ['bo', 'bō']
    """
    out: set[str] = set()
    for syllable in pinyin_table().get(ord(char), "").split(",") if len(char) == 1 else []:
        if syllable:
            s = unicodedata.normalize("NFC", syllable.lower())
            out.update((s, _strip_tone(s)))
    return frozenset(out)


def _keep_char(m: re.Match[str]) -> str:
    syllable = unicodedata.normalize("NFC", m.group(2).lower())
    if syllable in readings(m.group(1)) or _strip_tone(syllable) in readings(m.group(1)):
        return m.group(1)
    return m.group(0)


def may_have_ruby(text: str) -> bool:
    """The quick test: a bracket before a lowercase pinyin letter (a page's lines may be tested at once)."""
    return SUSPECT.search(text) is not None


def remove_ruby(text: str) -> str:
    """Drop bracketed pinyin that is a reading of the preceding character.

    >>> remove_ruby("充分發(fā)揮作用，流入(流出)情況")
    '充分發揮作用，流入(流出)情況'
    >>> remove_ruby("發(fā)(fā)揮")  # a reading given twice
    '發揮'
    """
    if not may_have_ruby(text):
        return text
    while (removed := RUBY.sub(_keep_char, text)) != text:
        text = removed
    return text
