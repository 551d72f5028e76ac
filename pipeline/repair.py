"""Step 3, Repair: undo the encoding damage that can be undone, and point at the damage that cannot.

Every fix is a module-level function ``text -> text`` (the shape of ftfy's ``fixes.py``): its
docstring says which damage it undoes and why, with a doctest of the damage and the result. The
pipeline runs them in the order of ``REPAIRS`` and records the op name of each one that changed
something. On clean text every fix returns its input object unchanged, after a cheap test (a
substring or one compiled character-class search): the expensive work only runs on suspects.

Nothing is repaired by matching known strings. A repair is a reading of the *bytes* behind the
text under a damage hypothesis (UTF-8 read as GBK, a GBK stream one byte off, a lost lead byte...),
and it is kept only when it is a clear win for the judges in ``pipeline.charmodel``: the
character model (common characters beat rare ones) and jieba's lexicon, through a unigram
segmentation (:func:`_segment`). When a byte is truly lost, the candidates for the character it
belonged to are all characters sharing the surviving bytes, and the lexicon picks the one that
forms a word with its neighbours, if it is a clear win (:func:`_choose`); otherwise the character
becomes U+FFFD or the damage is left alone, and either way find_corruption reports it. Western
text is judged by ftfy's own badness heuristic.

:func:`find_corruption` reports what is left: lost bytes, U+FFFD, 锟斤拷, 烫烫烫 and residual
mojibake, so the pipeline can flag the paragraph as ``unrepaired-corruption``. A repair that had
to fill in lost bytes (:func:`guessed`: gbk-shift, lost-bytes, and the GBK mojibake readings that
lost a byte) is usually right but not certainly: the paragraph is flagged ``repaired-guess``, so
a user can keep or drop guessed text. :func:`is_suspect` is the one cheap test in front of all
of it: a paragraph it passes (most of them) costs one regex search.
"""

from __future__ import annotations

import html
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from typing import Any

import ftfy
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, badness

from .cache import code_digest, load_or_build
from .charmodel import REPLACEMENT, UNKNOWN_HAN, is_han, lexicon, lexicon_total, load, simplify, word_count
from .ruby import pinyin_table

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# CJK punctuation that GBK encodes in two bytes: the punctuation a lost byte can have belonged to.
PUNCT = "，。、；：？！“”‘’（）《》【】…—·「」『』"
PINYIN = "a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ"

# Log-probability of each punctuation mark as a token, roughly as often as it occurs in news text
# (a comma every twenty tokens, a full stop every forty, ...).
PUNCT_LOGP = dict.fromkeys("，", -3.0) | dict.fromkeys("。", -3.7) | dict.fromkeys("、“”", -5.0) | \
    dict.fromkeys("：（）", -5.5) | dict.fromkeys("；《》？！", -6.5) | dict.fromkeys("…—·「」『』【】‘’", -7.5)
LONE_PENALTY = 3.0  # a Han character that jieba never lists as a word of its own
MAX_WORD = 6  # longest lexicon word the segmentation looks up
SHIFT_MARGIN = 2.0  # log-probability per character a re-read span must gain to be kept
COMMON = -9.5  # a character at least this likely (per the model) counts as ordinary text
MAX_RUN = 24  # longest span of characters a one-byte shift is followed through
# A guessed character must read this much likelier (log) than any other candidate the lexicon
# vouches for, and may read at most SLACK less likely than the best reading with a character no
# word vouches for (a unigram model underrates that a lost character belonged to a word). Measured
# on simulated damage of our own test sentences: about 95% of the guesses kept are right.
CLEAR = 2.5
SLACK = 1.0

# ---------------------------------------------------------------------------------------------
# Judging readings: the lexicon, through a unigram segmentation


@lru_cache(maxsize=1 << 15)
def _char_token(ch: str) -> float:
    """Log-probability of ``ch`` as a word of its own (cached: the segmentations ask for the same
    few thousand characters again and again)."""
    if ch in PUNCT:
        return PUNCT_LOGP[ch]
    n = lexicon().get(ch)
    if n:
        return math.log(n) - math.log(lexicon_total())
    lp = load().char_logp(ch)
    return lp - LONE_PENALTY if is_han(ch) else lp


@lru_cache(maxsize=1 << 16)
def _segment(text: str) -> tuple[float, tuple[bool, ...]]:
    """Best segmentation of ``text`` into lexicon words: (log-probability, per character whether
    it sits inside a word of two or more characters). Traditional text is looked up through its
    character-level Simplified form.

    >>> _segment("公司計劃")[1]
    (True, True, True, True)
    """
    s = simplify(text)
    lex = lexicon()
    log_total = math.log(lexicon_total())
    n = len(s)
    best = [0.0] + [-math.inf] * n
    back = [1] * (n + 1)
    for j in range(1, n + 1):
        for k in range(1, min(MAX_WORD, j) + 1):
            if k == 1:
                lp = _char_token(s[j - 1])
            else:
                count = lex.get(s[j - k : j])
                if not count:
                    continue
                lp = math.log(count) - log_total
            if best[j - k] + lp > best[j]:
                best[j], back[j] = best[j - k] + lp, k
    inword = [False] * n
    j = n
    while j > 0:
        k = back[j]
        if k > 1:
            inword[j - k : j] = [True] * k
        j -= k
    return best[n], tuple(inword)


def _choose(
    left: str, cands: Iterable[str], right: str, *, need_support: bool = True, clear: float = CLEAR
) -> str | None:
    """The candidate for the character between ``left`` and ``right`` that is a clear win, or
    ``None``.

    With ``need_support`` the winner, if Han, must sit inside a lexicon word in the best
    segmentation (punctuation needs no word): a character is never invented without a word that
    vouches for it. It must beat the other candidates by ``clear`` and fall short of any candidate
    no word vouches for by at most ``SLACK``. Of a Simplified and a Traditional form of the same
    character, the one in the script of the neighbours is chosen.
    """
    traditional = simplify(left + right) != left + right
    vouched: dict[str, tuple[float, bool, str]] = {}  # simplified form -> best (score, script, char)
    unvouched = -math.inf
    for c in _contenders(left, cands, right, 2):
        score, inword = _segment(left + c + right)
        if need_support and not (c in PUNCT or inword[len(left)]):
            unvouched = max(unvouched, score)
            continue
        key = (score, (simplify(c) != c) == traditional, c)
        vouched[simplify(c)] = max(key, vouched.get(simplify(c), key))
    ranked = sorted(vouched.values(), reverse=True)
    if not ranked or ranked[0][0] < unvouched - SLACK:
        return None
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < clear:
        return None
    return ranked[0][2]


def _around(left: str, width: int, right: str) -> list[tuple[str, str]]:
    """Every ``(end of left, start of right)`` that makes, with ``width`` characters between them,
    a span the segmentation looks up as a word (two to ``MAX_WORD`` characters).

    >>> _around("ab", 1, "c")
    [('ab', ''), ('ab', 'c'), ('b', ''), ('b', 'c'), ('', 'c')]
    """
    return [(left[i:], right[:k]) for i in range(max(0, len(left) - MAX_WORD + width), len(left) + 1)
            for k in range(min(len(right), MAX_WORD - width - (len(left) - i)) + 1) if len(left) - i + width + k >= 2]


def _contenders(left: str, cands: Iterable[str], right: str, keep: int) -> list[str]:
    """The candidates (in their order) that can be among the ``keep`` best between ``left`` and
    ``right`` by :func:`_segment`, punctuation and other characters ranked apart: every candidate
    that makes a lexicon word with a neighbour, and of the others, those with one of the ``keep``
    best tokens. A candidate in no word is a word of its own between the best segmentations of its
    neighbours, so its score rises and falls with its own token; the candidates this leaves out
    each have ``keep`` better ones. Where two of three UTF-8 bytes were lost there are hundreds of
    candidates, and this is a few lookups each instead of a segmentation."""
    cands = list(cands)
    if len(cands) <= 8 * keep:
        return cands
    sl, sr, lex = simplify(left), simplify(right), lexicon()
    around = _around(sl, 1, sr)
    simple = simplify("".join(cands))  # the segmentation looks words up in Simplified
    forms = set(simple)
    in_word = {c for before, after in around for c in forms if lex.get(before + c + after)}
    lone = {c: _char_token(c) for c in forms - in_word}
    floor = {}
    for punct in (True, False):
        tokens = sorted({t for c, t in lone.items() if (c in PUNCT) == punct}, reverse=True)
        floor[punct] = tokens[keep - 1] if len(tokens) >= keep else -math.inf
    return [c for c, form in zip(cands, simple, strict=True) if form not in lone or lone[form] >= floor[form in PUNCT]]


def _best_pair(left: str, firsts: list[str], seconds: list[str], right: str) -> tuple[str, str]:
    """The pair ``(a, b)`` with the best :func:`_segment` of ``left + a + b + right`` (the first
    such in order), segmenting only the pairs that can be it: those where ``a`` or ``b`` is in a
    lexicon word, and of the others, whose score rises and falls with the sum the segmentation
    makes of the best score of ``left`` and the two tokens (see :func:`_contenders`), the best."""
    sl, sr, lex = simplify(left), simplify(right), lexicon()
    simple_a, simple_b = simplify("".join(firsts)), simplify("".join(seconds))
    worded_a = {a for a in set(simple_a) if any(lex.get(before + a) for before, _ in _around(sl, 1, ""))}
    worded_b = {b for b in set(simple_b) if any(lex.get(b + after) for _, after in _around("", 1, sr))}
    around = _around(sl, 2, sr)
    start = _segment(left)[0]
    contenders: set[tuple[str, str]] = set()
    lone: list[tuple[float, tuple[str, str]]] = []
    for a, sa in zip(firsts, simple_a, strict=True):
        for b, sb in zip(seconds, simple_b, strict=True):
            if sa in worded_a or sb in worded_b or any(lex.get(before + sa + sb + after) for before, after in around):
                contenders.add((a, b))
            else:
                lone.append(((start + _char_token(sa)) + _char_token(sb), (a, b)))
    best = max((key for key, _ in lone), default=None)
    contenders.update(pair for key, pair in lone if key == best)
    pairs = [(a, b) for a in firsts for b in seconds if (a, b) in contenders]
    return max(pairs, key=lambda ab: _segment(left + ab[0] + ab[1] + right)[0])


def _han_mean(text: str) -> float | None:
    """Mean log-probability of the Han characters of ``text`` (``None`` without any)."""
    model = load()
    lps = [model.char_logp(c) for c in text if is_han(c)]
    return sum(lps) / len(lps) if lps else None


def _plausible(ch: str) -> bool:
    """A character decoded text may be made of: a Han character the model knows, or punctuation."""
    return ch in PUNCT or (is_han(ch) and load().char_logp(ch) > UNKNOWN_HAN)


def _han_left(text: str, i: int, n: int = 3) -> str:
    j = i
    while j > 0 and i - j < n and is_han(text[j - 1]):
        j -= 1
    return text[j:i]


def _han_right(text: str, i: int, n: int = 3) -> str:
    j = i
    while j < len(text) and j - i < n and is_han(text[j]):
        j += 1
    return text[i:j]


# ---------------------------------------------------------------------------------------------
# GBK candidate tables


@cache
def _gbk_pair(lead: int, trail: int, codec: str = "gbk") -> str:
    """The character GBK encodes as ``lead trail`` ('' when that pair is not a character). With
    ``codec="gb18030"`` GBK's user-defined pairs read as private-use characters too."""
    try:
        ch = bytes((lead, trail)).decode(codec)
    except UnicodeDecodeError:
        return ""
    return ch if len(ch) == 1 else ""


@cache
def _by_trail(trail: int) -> tuple[str, ...]:
    """Plausible characters whose GBK trail byte is ``trail``: the candidates for a lost lead byte."""
    return tuple(c for lead in range(0x81, 0xFF) if (c := _gbk_pair(lead, trail)) and _plausible(c))


@cache
def _by_lead(lead: int) -> tuple[str, ...]:
    """Plausible characters whose GBK lead byte is ``lead``: the candidates for a lost trail byte."""
    return tuple(c for trail in range(0x40, 0xFF) if (c := _gbk_pair(lead, trail)) and _plausible(c))


@cache
def _gbk2(ch: str) -> bytes | None:
    """The two GBK bytes of ``ch``; an ASCII symbol stands for its full-width form, which NFKC
    folded to ASCII after the damage (``？`` -> ``?``)."""
    if "!" <= ch <= "~":
        return bytes((0xA3, ord(ch) + 0x80))
    try:
        b = ch.encode("gbk")
    except UnicodeEncodeError:
        return None
    return b if len(b) == 2 else None


def _strip_tone(syllable: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))


def _reading_index() -> dict[str, tuple[str, ...]]:
    """Pinyin syllable (with and without tone marks) -> the GBK Han characters read that way."""
    return _tables()["readings"]


def _build_reading_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for cp, readings in pinyin_table().items():
        ch = chr(cp)
        if not is_han(ch) or _gbk2(ch) is None:
            continue
        for syllable in {s for r in readings.split(",") for s in (r, _strip_tone(r))}:
            index.setdefault(syllable, []).append(ch)
    return {k: tuple(v) for k, v in index.items()}


def _reads_as(ch: str, syllable: str) -> bool:
    """Whether pypinyin lists ``syllable`` (with or without its tone mark) as a reading of ``ch``."""
    if not ch:
        return False
    readings = pinyin_table().get(ord(ch), "").split(",")
    return syllable in readings or syllable in {_strip_tone(r) for r in readings}


# ---------------------------------------------------------------------------------------------
# Character classes and the cheap tests that decide whether a fix has anything to do. A test used
# by more than one fix (and by find_corruption) is cached for the last few strings: the chain hands
# every fix the same string object when nothing changed.

def _utf8_lead_pairs() -> str:
    """GBK characters whose bytes are a UTF-8 lead byte of CJK text followed by a continuation
    byte: the characters UTF-8 Chinese turns into when it is read as GBK (``鍒颁綅``)."""
    chars = {_gbk_pair(lead, trail) for lead in (*range(0xE2, 0xEA), 0xEF) for trail in range(0x80, 0xC0)}
    return "".join(sorted(chars - {""}))


def _cp1252_byte_table() -> dict[str, int]:
    """Character -> byte for text that was GBK decoded as Windows-1252 or as Latin-1 (whose C1
    controls stand for the bytes 0x80-0x9F)."""
    table = {chr(b): b for b in range(0x80, 0x100)}
    table.update((c, b) for b in range(0x80, 0xA0) if (c := bytes((b,)).decode("cp1252", "ignore")))
    return table


_CP1252 = _cp1252_byte_table()
_TO_LATIN1 = str.maketrans({c: chr(b) for c, b in _CP1252.items()})
_UTF8_PAIRS = _utf8_lead_pairs()
_LATIN_LEADS = re.escape("".join(c for c, b in _CP1252.items() if 0x81 <= b <= 0xFE))
_LATIN_TRAILS = re.escape("".join(c for c, b in _CP1252.items() if b <= 0xFE)) + "\x40-\x7e"
_LATIN_RUN = re.compile(f"(?:[{_LATIN_LEADS}][{_LATIN_TRAILS}])+")
_RUN = re.compile("[^\x00-\x3e\x40-\x7f]+")


def _latin_bytes(run: str) -> bytes:
    """The bytes Latin-1/Windows-1252 characters stand for (other characters up to U+00FF as themselves)."""
    return run.translate(_TO_LATIN1).encode("latin-1")


# Every pattern of ftfy's badness heuristic holds a character of its mojibake categories (leaving
# out the "common" ones and curly quotes, which Chinese text is full of) followed by a character
# from U+0080-U+2BFF, or one that follows a common character, or a C1 control, a ligature œ, or Ã
# or Â before a space. Without one ftfy leaves the text alone, so this gate is exact; pinyin tone
# letters between ASCII letters (``fā``) and a lone ``×`` or ``°`` do not open it. The pattern
# starts with one character class, which the regex engine scans for quickly, and looks around only
# where it stops: at a character of the categories, never at a common one (a quotation mark).
_CATEGORIES = "".join(v for k, v in MOJIBAKE_CATEGORIES.items() if k != "common")
_CATEGORIES = _CATEGORIES.replace("“", "").replace("”", "").replace("‘", "")
_COMMON = "“”‘’…—·–\xa0\xad´―"
_LATIN_LIKE = "\x80-\u2bff\uf8ff\ufb01\ufb02\ufffd"
# What must hold at the character of the categories the class matched, as alternatives (reused
# by _suspect_pattern).
_LATIN_AFTER = f"(?<=[\x80-\x9fŒœ])|(?<=[ÃÂ])(?= )|(?=[{_LATIN_LIKE}])|(?<=[{_COMMON}][{_CATEGORIES}])"
_LATIN_SUSPECT = re.compile(f"[{_CATEGORIES}](?:{_LATIN_AFTER})")
_MOJI_ONE = re.compile(f"[{_UTF8_PAIRS}\ue000-\uf8ff]")


@lru_cache(maxsize=16)
def _latin_suspect(text: str) -> bool:
    """Whether ftfy's badness heuristic could fire on ``text``."""
    return _LATIN_SUSPECT.search(text) is not None


@lru_cache(maxsize=16)
def _moji_chars(text: str) -> tuple[str, ...]:
    """The UTF-8-as-GBK and private-use characters of ``text``."""
    return tuple(_MOJI_ONE.findall(text))


def _mojibake_dense(text: str) -> bool:
    """Whether UTF-8-as-GBK characters make up an eighth of the non-ASCII text or more: a third of
    mojibake is made of them, clean text (even Traditional, where some are common) has a few."""
    hits = len(_moji_chars(text))
    return bool(hits) and hits * 8 >= len(text) - len(text.encode("ascii", "ignore"))


# ---------------------------------------------------------------------------------------------
# entities


_ENTITY = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
    r"|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}"
)


def _unescape(m: re.Match[str]) -> str:
    s = m.group()
    if s[0] == "&":
        out = html.unescape(s)
    else:
        out = s.encode("ascii").decode("unicode-escape", "replace").encode("utf-16", "surrogatepass")
        out = out.decode("utf-16", "replace")
    if out == s or "\ufffd" in out or any(unicodedata.category(c) in ("Cc", "Cs") for c in out):
        return s
    return out


def fix_entities(text: str) -> str:
    r"""Decode HTML character references and ``\uXXXX`` escapes left in the text.

    Pages that escape their text twice (``&amp;nbsp;``), CMSs that store characters as numeric
    references, and JSON embedded in pages leave escapes that the HTML stage's single unescaping
    does not reach. Up to three levels are undone. An unescape that makes the text look more like
    mojibake (by ftfy's badness) is declined: the reference was then part of the damage, not the
    text (``10Î&frac14;s`` is mojibake that someone escaped).

    >>> fix_entities("&#20013;&#x56FD;&amp;quot;\\u65b0\\u95fb&amp;quot;")
    '中国"新闻"'
    """
    if "&" not in text and "\\u" not in text:
        return text
    fixed = text
    for _ in range(3):
        again = _ENTITY.sub(_unescape, fixed)
        if again == fixed:
            break
        fixed = again
    if fixed == text or badness(fixed) > badness(text):
        return text
    return fixed


# ---------------------------------------------------------------------------------------------
# mojibake (the ftfy class)

# ftfy's encoding steps only; everything else it can do is off. Width fixing would turn CJK
# full-width forms into ASCII and quote uncurling would straighten Chinese quotes; later stages
# own entities, controls and normalization.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def fix_mojibake(text: str) -> str:
    """UTF-8 that was decoded as Latin-1, Windows-1252 or another single-byte code, via ftfy.

    ftfy re-encodes the text in the single-byte code and decodes it as UTF-8 when its badness
    heuristic says the text is mojibake, including text where some bytes became ``?`` or U+FFFD
    (which it marks as U+FFFD). Only ftfy's encoding steps run (see ``FTFY_CONFIG``). Before
    ftfy, stretches that are whole UTF-8 characters are read back one round at a time
    (:func:`_reread_utf8_latin`): ftfy leaves some (``å…±``) and over-reads a second round.

    >>> fix_mojibake("ä¸\\xadå\\x9b½çš„æ–°é—»")
    '中国的新闻'
    """
    if not _latin_suspect(text):
        return text
    if reread := _reread_utf8_latin(text):
        return _replace(text, reread)
    fixed = ftfy.fix_encoding(text, FTFY_CONFIG)
    return text if fixed == text else fixed


_HIGH_RUN = re.compile(f"[{re.escape(''.join(_CP1252))}]{{2,}}")
# Runs of well-formed UTF-8 characters of two bytes or more (the Unicode standard's table of
# well-formed byte sequences: no overlong forms, surrogates or code points past U+10FFFF).
_UTF8_MULTIBYTE = re.compile(rb"(?:[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
                             rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
                             rb"|\xf4[\x80-\x8f][\x80-\xbf]{2})+")


def _utf8_pieces(run: str) -> list[tuple[int, int, str]]:
    """The stretches of ``run`` (characters standing for the bytes 0x80-0xFF in Latin-1 or
    Windows-1252) whose bytes are UTF-8 characters of two bytes or more, decoded: ``(start, end,
    text)``, with offsets into ``run``.

    >>> _utf8_pieces("“ä¸\xadå\x9b½”")
    [(1, 7, '中国')]
    """
    return [(m.start(), m.end(), m.group().decode()) for m in _UTF8_MULTIBYTE.finditer(_latin_bytes(run))]


def _reads_chinese(text: str, depth: int = 1) -> bool:
    """Whether ``text``, read back from UTF-8 as Latin, is ordinary Chinese: directly, once the GBK
    mojibake fix has read it back (the first round of a double mojibake), or once read back from
    UTF-8 as Latin again (``depth`` rounds more)."""
    for reading in (text, _gbk_mojibake(text)[0]):
        mean = _han_mean(reading)
        if mean is not None and mean >= COMMON and sum(map(is_han, reading)) >= 2:
            return True
    return depth > 0 and any(_reads_chinese(piece, depth - 1) for _, _, piece in _utf8_pieces_of(text))


def _utf8_pieces_of(text: str) -> list[tuple[int, int, str]]:
    """:func:`_utf8_pieces` of every run of two or more high Latin characters of ``text``."""
    return [(m.start() + a, m.start() + b, piece) for m in _HIGH_RUN.finditer(text)
            for a, b, piece in _utf8_pieces(m.group())]


def _reread_utf8_latin(text: str) -> list[tuple[int, int, str]]:
    """Stretches of UTF-8 read as Latin-1 or Windows-1252 read back, one round (``å…±`` -> ``共``,
    where ftfy's heuristic leaves a rest). All are read back once one reads as ordinary Chinese,
    directly or under a second round of damage; none otherwise. ftfy would misread the inner round
    of a double mojibake (GBK read as Latin, ``Î»`` for ``位``) as UTF-8 too, so the rounds are
    undone one at a time, and the other fixes see each.

    >>> _reread_utf8_latin("“æ–°é—»”"), _reread_utf8_latin("Ã‹Ã¹ÂµÃƒ")
    ([(1, 7, '新闻')], [(0, 8, 'ËùµÃ')])
    """
    pieces = _utf8_pieces_of(text)
    return pieces if any(_reads_chinese(piece) for _, _, piece in pieces) else []


# ---------------------------------------------------------------------------------------------
# gbk-mojibake


def _is_run_char(ch: str) -> bool:
    return ch in "\ufffd?" or (ord(ch) > 0x7F and _gb18030(ch) is not None)


@cache
def _gb18030(ch: str) -> bytes | None:
    """The two bytes GB18030 gives ``ch`` (GBK characters, and the private-use characters that
    stand for GBK's user-defined pairs), or ``None``."""
    try:
        b = ch.encode("gb18030")
    except UnicodeEncodeError:
        return None
    return b if len(b) == 2 else None


_UNKNOWN_COST = 1.0  # one byte that is gone
_SILENT_COST = 0.5  # extra, when a byte vanished without leaving a mark
_LITERAL_COST = 0.25  # a ``?`` that was a question mark, not a loss
_PARSES = 8  # readings kept per position


def _utf8_len(lead: int) -> int:
    if lead < 0x80:
        return 1
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    return 4 if 0xF0 <= lead <= 0xF4 else 0


@lru_cache(maxsize=4096)
def _utf8_candidates(pattern: tuple[int | None, ...]) -> tuple[str, ...]:
    """Plausible characters whose UTF-8 bytes match ``pattern`` (``None`` = unknown byte); a
    character with no byte left is U+FFFD. Three-byte patterns with unknown bytes are looked up in
    a table of all 6,288 of them (:func:`_three_byte_candidates`), built with the repair tables."""
    if all(b is None for b in pattern):
        return ("\ufffd",)
    if None not in pattern:
        try:
            ch = bytes(pattern).decode("utf-8")  # type: ignore[arg-type]
        except UnicodeDecodeError:
            return ()
        return (ch,) if ch.isprintable() else ()
    return tuple(_tables()["utf8_candidates"].get(pattern, ""))


def _three_byte_candidates(plausible: bytes) -> dict[tuple[int | None, ...], str]:
    """For every three-byte UTF-8 pattern with one or two unknown bytes (a lead byte E0-EF, two
    continuation bytes), the plausible characters (``plausible``: a flag a BMP code point) it can
    be, in code point order. The code points are computed from the bytes (no lead byte E0 with a
    second byte below A0, which would be overlong, nor ED with one above 9F, a surrogate)."""
    leads, tails = [*range(0xE0, 0xF0), None], [*range(0x80, 0xC0), None]
    table = {}
    for pattern in itertools.product(leads, tails, tails):
        if not 1 <= pattern.count(None) <= 2:
            continue
        first, second, third = (range(0xE0, 0xF0) if i == 0 and b is None else range(0x80, 0xC0) if b is None
                                else (b,) for i, b in enumerate(pattern))
        out = []
        for a in first:
            high = (a & 0x0F) << 12
            for b in second:
                if (a == 0xE0 and b < 0xA0) or (a == 0xED and b >= 0xA0):
                    continue
                out += [chr(cp) for c in third if plausible[cp := high | (b & 0x3F) << 6 | (c & 0x3F)]]
        table[pattern] = "".join(out)
    return table


Pattern = tuple[int | None, ...]


# Units one UTF-8 character can take: four that add a byte (or a mark's one or two) and the gaps
# between and around them.
CHAR_UNITS = 12


def _char_steps(units: list[tuple[str, int]], i: int, carry: int) -> list[tuple[Pattern, int, int, float]]:
    """Ways to read one UTF-8 character from ``units[i:]`` with ``carry`` unknown bytes pending.

    Units are ``("byte", b)``, ``("mark", 0)`` for U+FFFD or ``?`` (one or two bytes gone, or a
    literal ``?``) and ``("gap", 0)`` between GBK characters (zero, one or two bytes that
    vanished silently). A loss never starts at a lead byte: GBK reads a UTF-8 lead byte
    (0xE0-0xEF) and the continuation byte after it as a pair, so the first byte a decoder drops
    is inside a character. Returns (pattern, next unit, unknown bytes still pending, cost). The
    ways depend on the next few units only, and runs share them: they are cached by those.
    """
    return [(pat, i + j, rest, cost) for pat, j, rest, cost in _steps_ahead(tuple(units[i : i + CHAR_UNITS]), carry)]


@lru_cache(maxsize=1 << 14)
def _steps_ahead(units: tuple[tuple[str, int], ...], carry: int) -> tuple[tuple[Pattern, int, int, float], ...]:
    """:func:`_char_steps` from the first of ``units``."""
    out: list[tuple[Pattern, int, int, float]] = []

    def walk(i: int, carry: int, pat: Pattern, need: int, cost: float) -> None:
        if pat and len(pat) == need:
            if pat.count(None) <= 2 or pat.count(None) == len(pat):
                out.append((pat, i, carry, cost))
            return
        if carry:
            walk(i, carry - 1, (*pat, None), need if pat else 3, cost)
            return
        if i == len(units):
            return
        kind, b = units[i]
        if kind == "byte":
            if not pat and (n := _utf8_len(b)):
                walk(i + 1, 0, (b,), n, cost)
            elif pat and 0x80 <= b <= 0xBF:
                walk(i + 1, 0, (*pat, b), need, cost)
            return
        if kind == "mark" and not pat and b == 0x3F:
            out.append(((0x3F,), i + 1, 0, cost + _LITERAL_COST))
        extra = _SILENT_COST if kind == "gap" else 0.0
        if kind == "gap":
            walk(i + 1, 0, pat, need, cost)
        if not pat:  # no loss starts at a lead byte
            return
        for k in (1, 2):
            walk(i + 1, k, pat, need, cost + extra + k * _UNKNOWN_COST)

    walk(0, carry, (), 0, 0.0)
    return tuple(out)


@lru_cache(maxsize=4096)
def _utf8_parses(run: str) -> tuple[tuple[Pattern, ...], ...]:
    """The cheapest readings of ``run``'s GBK bytes as UTF-8 with lost bytes filled in as unknowns
    (cached: :func:`_cannot_read_utf8` and :func:`_reread_utf8` parse the same runs)."""
    units: list[tuple[str, int]] = []
    for ch in run:
        if ch in "\ufffd?":
            units.append(("mark", ord(ch) if ch == "?" else 0))
        else:
            b = _gb18030(ch)
            assert b is not None
            units += [("gap", 0), ("byte", b[0]), ("byte", b[1])]
    units.append(("gap", 0))
    n = len(units)
    # best[(i, carry)] = up to _PARSES (cost, patterns) readings of units[i:]; patterns are shared
    # (pattern, rest) links, unrolled at the end: copying lists made memory quadratic in the run
    best: dict[tuple[int, int], list[tuple[float, Any]]] = {(n, 0): [(0.0, None)]}
    for i in range(n, -1, -1):
        for carry in (0, 1, 2):
            if (i, carry) == (n, 0):
                continue
            found = []
            if carry == 0 and i < n and units[i][0] == "gap":  # nothing lost here, nothing read
                found += best.get((i + 1, 0), [])
            for pat, j, rest, cost in _char_steps(units, i, carry):
                if not _utf8_candidates(pat):
                    continue
                for tail_cost, tail in best.get((j, rest), ()):
                    found.append((cost + tail_cost, (pat, tail)))
            found.sort(key=lambda x: x[0])
            if found:
                best[(i, carry)] = found[:_PARSES]
    readings = []
    for _, link in best.get((0, 0), []):
        patterns: list[Pattern] = []
        while link is not None:
            patterns.append(link[0])
            link = link[1]
        readings.append(tuple(patterns))
    return tuple(dict.fromkeys(readings))


def _shortlist(left: str, pattern: Pattern, right: str, n: int = 40) -> list[str]:
    """The ``n`` candidates for ``pattern`` that read best between ``left`` and ``right`` (all of
    them when one byte is lost)."""
    cands = _contenders(left, _utf8_candidates(pattern), right, n)
    return sorted(cands, key=lambda c: -_segment(left + c + right)[0])[:n]


_PAIRS = ("“”", "‘’", "（）", "《》", "「」", "『』", "【】")


def _fill(patterns: Sequence[Pattern]) -> str:
    """Choose a character for every pattern. Known ones decode; for unknown bytes the lexicon picks
    among all characters sharing the surviving bytes, next to their neighbours: one by one, then
    two unknown neighbours together, then one by one again. A character that is no clear win
    becomes U+FFFD, except punctuation that closes an open quotation mark or bracket, and a full
    stop that ends the text."""
    chars = [max(_utf8_candidates(p), key=load().char_logp) for p in patterns]
    open_ = [i for i, p in enumerate(patterns) if None in p]
    clear: dict[int, bool] = {}

    def choose_each() -> None:
        for i in open_:
            left = "".join(chars[max(0, i - 3) : i])
            right = "".join(chars[i + 1 : i + 4])
            cands = _utf8_candidates(patterns[i])
            # the more bytes are lost, the more candidates, the clearer the winner must be
            found = _choose(left, cands, right, need_support=False, clear=CLEAR * patterns[i].count(None))
            clear[i] = found is not None
            chars[i] = found or max(_contenders(left, cands, right, 1), key=lambda c: _segment(left + c + right)[0])

    choose_each()
    for i in open_:  # two unknown neighbours are chosen together among their likeliest candidates
        if i + 1 in open_:
            left, right = "".join(chars[max(0, i - 3) : i]), "".join(chars[i + 2 : i + 5])
            firsts = _shortlist(left, patterns[i], chars[i + 1])
            seconds = _shortlist(chars[i], patterns[i + 1], right)
            chars[i], chars[i + 1] = _best_pair(left, firsts, seconds, right)
    choose_each()
    for i in open_:
        if clear[i]:
            continue
        cands, before = _utf8_candidates(patterns[i]), "".join(chars[:i])
        closers = [closer for opener, closer in _PAIRS
                   if before.count(opener) > before.count(closer) and closer in cands]
        if i == len(chars) - 1 and chars[i] in PUNCT and "。" in cands:
            chars[i] = "。"  # a paragraph ends with a full stop
        else:
            chars[i] = closers[0] if closers and chars[i] in PUNCT else "\ufffd"
    return "".join(chars)


@lru_cache(maxsize=4096)
def _reread_utf8(run: str) -> tuple[str, bool] | None:
    """``run`` read back as the UTF-8 it was: (the reading, whether it is convincing on its own),
    or ``None`` when no reading is plausible. A reading is convincing when the whole run is valid
    UTF-8 with Han characters in it, all of them known to the lexicon, and no letters of other
    scripts (``鋼板，`` is the UTF-8 of ``䓰壬``, ``夥伴。`` of ``ⷰ顣``), or, if bytes were lost, when
    its Han characters are clearly more common than the run's, at most a quarter of it is lost and
    the run shows the loss (:func:`_lossy_evidence`); a run without Han (``銆�`` for ``。``) never
    is. A reading that lost bytes must be one a GBK decoder could have turned into the run
    (:func:`_could_become`; its lost characters are chosen again when the lexicon's are not).
    Cached: clean text repeats its rare characters (``鐘。``), each a search over all the
    characters lost bytes could have been."""
    if not all(_is_run_char(c) for c in run):
        return None
    original = _han_mean(run)
    evidence = _lossy_evidence(run)
    best: tuple[float, str, bool] | None = None
    for patterns in _utf8_parses(run):
        lost = sum(p.count(None) for p in patterns)
        text = _fill(patterns)
        if lost > len(text) or not all(_plausible(c) or c == "\ufffd" or (None not in p and c.isprintable())
                                       for c, p in zip(text, patterns, strict=True)):
            continue
        if lost and not _could_become(text, run):
            refilled = _consistent_fill(patterns, text, run)
            if refilled is None:
                continue
            text = refilled
        mean = _han_mean(text)
        if lost == 0:  # a whole run of valid UTF-8 is evidence enough, with two characters beyond ASCII
            convincing = (mean is not None and len(text.encode("ascii", "ignore")) <= len(text) - 2 and all(
                load().known(c) if is_han(c) else unicodedata.category(c)[0] in "NPS" for c in text if c > "\x7f"))
        else:
            convincing = (mean is not None and (original is None or mean >= original + SHIFT_MARGIN)
                          and text.count("\ufffd") * 4 <= len(text) and evidence)
        score = _segment(text)[0] / len(text)
        if best is None or (convincing, score) > (best[2], best[0]):
            best = (score, text, convincing)
    return (best[1], best[2]) if best else None


def _lossy_evidence(run: str) -> bool:
    """Whether ``run`` can say it is UTF-8 that lost bytes: a mark where they were (``?``, U+FFFD),
    or two Han characters. One rare character before a full stop (``瑾。``) reads as too many
    things that lost two bytes silently (``說衣``, whose lost pair GBK has no character for)."""
    return _MARK.search(run) is not None or sum(map(is_han, run)) >= 2


REFILLS = 256  # combinations of other candidates for the lost characters tried at most


def _consistent_fill(patterns: Sequence[Pattern], text: str, run: str) -> str | None:
    """``text``, the fill of ``patterns``, with its lost characters chosen again among those that
    :func:`_could_become` ``run`` (the lexicon picked ones whose bytes GBK would have read):
    combinations of each one's likeliest candidates, nearest first, the best segmented of the
    first few that could; ``None`` when none could."""
    chars = list(text)
    open_ = [i for i, p in enumerate(patterns) if None in p]
    width = max(1, int(REFILLS ** (1 / len(open_))))
    lists = [_shortlist("".join(chars[max(0, i - 3):i]), patterns[i], "".join(chars[i + 1:i + 4]), width)
             for i in open_]
    found = []
    for combo in sorted(itertools.product(*(range(len(c)) for c in lists)), key=sum):
        for i, choice, cands in zip(open_, combo, lists, strict=True):
            chars[i] = cands[choice]
        candidate = "".join(chars)
        if _could_become(candidate, run):
            found.append(candidate)
            if len(found) == 4:
                break
    return max(found, key=lambda t: _segment(t)[0]) if found else None


_LOSS_MARKS = str.maketrans("", "", "\ufffd?")


def _could_become(reading: str, run: str) -> bool:
    """Whether UTF-8 ``reading`` read as GBK gives ``run``, where the decoder could not read a byte
    (or a pair: decoders differ) and wrote U+FFFD, ``?``, a private-use character or nothing:
    lost bytes vanish only where a decoder failed, not between two characters it read. A reading
    that filled in lost bytes as a pair GBK has a character for is no reading of the run (``瑾。``
    is not ``調档`` that lost two bytes, which reads ``瑾挎。``). Readings with a character left
    unknown (U+FFFD) are not checked.

    >>> _could_become("中国", "涓浗"), _could_become("中国", "涓�鍥�"), _could_become("調档", "瑾。")
    (True, True, False)
    """
    if "\ufffd" in reading:
        return True
    raw, want = reading.encode(), run.translate(_LOSS_MARKS)
    todo, seen = [(0, 0)], set()  # (i, j): raw[:i] read as want[:j]; a stack, not recursion (long runs)
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(raw):
            if j == len(want):
                return True
            continue
        if raw[i] < 0x80:
            if j < len(want) and want[j] == chr(raw[i]):
                todo.append((i + 1, j + 1))
            continue
        ch = _gbk_pair(raw[i], raw[i + 1], "gb18030") if i + 1 < len(raw) else ""
        if not ch or "\ue000" <= ch <= "\uf8ff":  # a decoder may fail here: the byte dropped, or the pair
            todo += [(i + 1, j), (i + 2, j)] if i + 1 < len(raw) else [(i + 1, j)]
        if ch and j < len(want) and want[j] == ch:
            todo.append((i + 2, j + 1))  # tried first
    return False


def _gbk_from_latin(run: str) -> str | None:
    """The GBK reading of a run of Latin-1/Windows-1252 characters, if it is printable text."""
    try:
        text = _latin_bytes(run).decode("gbk")
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() and not any("\ue000" <= c <= "\uf8ff" for c in text) else None


# Chinese punctuation that Windows-1252 also has: clean text before a run of GBK read as 1252
# (``。”Í£Ö¹`` for ``。”停止``), which the run would otherwise take as its first lead byte.
_CLEAN_LEADS = "".join(c for c in _CP1252 if c in PUNCT)


def _gbk_latin_runs(text: str) -> list[tuple[int, int, str]]:
    """The runs of ``text`` that read as GBK bytes shown as Latin-1/Windows-1252, read back:
    ``(start, end, reading)``. A run that starts with Chinese punctuation 1252 also has (``“”‘’…—·``)
    is also read from the character after it, and the reading whose words read better is kept.

    >>> _gbk_latin_runs("。”Í£Ö¹Õf£¬")
    [(2, 10, '停止說，')]
    """
    out: list[tuple[int, int, str]] = []
    pos = 0
    while m := _LATIN_RUN.search(text, pos):
        start, end, pos = m.start(), m.end(), m.end()
        gbk = _gbk_from_latin(m.group())
        if m.group()[0] in _CLEAN_LEADS and (after := _LATIN_RUN.match(text, start + 1)):
            other = _gbk_from_latin(after.group())
            if other and (gbk is None or _reads_per_char(text[start] + other) > _reads_per_char(gbk)):
                start, end, gbk, pos = after.start(), after.end(), other, after.end()
        if gbk:
            out.append((start, end, gbk))
    return out


def _reread_gbk_latin(text: str) -> list[tuple[int, int, str]]:
    """Runs of Latin-1/Windows-1252 characters read back as the GBK they were (``ÖÐ¹ú`` ->
    ``中国``). A run of two or more characters is read back when the result is ordinary Chinese
    the lexicon recognises beside the Han characters around it (half its characters in words,
    common words or punctuation, see :func:`_in_words`: ``提¹©ŽÍ助`` is ``提供幫助``); once one
    has been, the text is known to be GBK read as 1252, and every other run that reads as
    printable text (``£¬`` -> ``，``) is read back too; not a piece of UTF-8 read as Latin that
    reads as ordinary Chinese (``è§£ã€‚`` for ``解。``: spans damaged in different ways side by
    side), which :func:`fix_mojibake` reads back: runs stop at such pieces of two characters or
    more, or of one that is a whole run of high characters (``é\x95·`` for ``長``: GBK makes no
    run of three high bytes). (GBK bytes are often UTF-8 by chance, ``µç¶¯`` holds ``綯``.)"""

    def convincing(start: int, end: int, gbk: str) -> bool:
        mean = _han_mean(gbk)
        left, right = _han_left(text, start), _han_right(text, end)
        return (len(gbk) >= 2 and all(map(_plausible, gbk)) and mean is not None and mean >= COMMON
                and _in_words(left + gbk + right, len(left), len(left) + len(gbk)))

    def whole_run(start: int, end: int) -> bool:
        return text[start - 1 : start] not in _CP1252 and text[end : end + 1] not in _CP1252

    readings = _gbk_latin_runs(text)
    if not readings:
        return []
    utf8 = [(start, end) for start, end, piece in _utf8_pieces_of(text)
            if (len(piece) >= 2 or whole_run(start, end)) and (_han_mean(piece) or -math.inf) >= COMMON]
    if utf8:  # the runs are read again with those pieces cut out
        readings = _gbk_latin_runs(_replace(text, [(start, end, "\0" * (end - start)) for start, end in utf8]))
    return readings if any(convincing(start, end, gbk) for start, end, gbk in readings) else []


# UTF-8 lead and continuation bytes, and the ASCII a GBK character can end in (``，P`` read as GBK
# is ``锛孭``).
_UTF8_BYTES = bytes(range(0x40, 0x7F)) + bytes(range(0x80, 0xC0)) + bytes(range(0xE0, 0xF0))


def _utf8_like(run: str) -> bool:
    """A cheap test that the GBK bytes of ``run`` could be UTF-8: nearly all of them are UTF-8
    lead or continuation bytes, and they decode with few errors (clean GBK text leaves one U+FFFD
    per two bytes)."""
    raw = run.replace("\ufffd", "").replace("?", "").encode("gb18030", "replace")
    if not raw or len(raw.translate(None, _UTF8_BYTES)) * 10 > len(raw):
        return False
    return len(raw) <= 6 or raw.decode("utf-8", "replace").count("\ufffd") * 5 <= len(raw) * 2


def _utf8_extent(text: str, start: int, stop: int) -> int:
    """How far from ``start`` (up to ``stop``) the GBK bytes of ``text`` read as UTF-8: the last
    position before the first byte that cannot continue where a GBK character and a UTF-8
    character of three or four bytes (Chinese) end together, or a lost byte (``?``, U+FFFD) leaves
    that unknown. An ASCII byte that the GBK reading swallowed as a trail byte (``，P`` read as
    ``锛孭``) and two-byte UTF-8 characters (``°``) count, but do not end the extent by themselves:
    the clean character after the mojibake often reads as one."""
    need, end, wide = 0, start, False  # need: continuation bytes still to come (-1: unknown)
    for i in range(start, stop):
        ch = text[i]
        if ch in "?\ufffd":
            need, end = -1, i + 1
            continue
        for byte in _gb18030(ch) or b"\xff":
            if 0x80 <= byte <= 0xBF and need:
                need = need - 1 if need > 0 else -1
            elif need <= 0 and (byte < 0x80 or _utf8_len(byte) >= 2):
                need = _utf8_len(byte) - 1
                wide = need >= 2 or (wide and byte < 0x80)
            else:
                return end
        if (need == 0 and wide) or need < 0:
            end = i + 1
    return end


# Characters all of whose GBK bytes are UTF-8 lead or continuation bytes, and lost bytes.
_UTF8_STRETCH = re.compile(
    "[" + "".join(sorted({c for lead in range(0x81, 0xFF) for trail in _UTF8_BYTES if trail >= 0x80
                         and (0x80 <= lead <= 0xBF or 0xE0 <= lead <= 0xEF) and (c := _gbk_pair(lead, trail))}))
    + "?\ufffd]*"
)


_MARK = re.compile("[?\ufffd]")


@lru_cache(maxsize=4096)
def _best_han(pattern: Pattern) -> float | None:
    """Log-probability of the likeliest Han candidate for ``pattern`` (``None`` without any)."""
    lps = [load().char_logp(c) for c in _utf8_candidates(pattern) if is_han(c)]
    return max(lps) if lps else None


@lru_cache(maxsize=4096)
def _cannot_read_utf8(run: str) -> bool:
    """Whether no reading of ``run`` (:func:`_reread_utf8`) can be convincing or read through loss
    (:func:`_reads_through_loss`), told before any lost character is chosen: a reading that lost
    bytes is both only when its Han characters are ``SHIFT_MARGIN`` more common than the run's,
    and a character chosen for lost bytes is one of their candidates or no Han character at all,
    so no reading of a parse does better than its known Han characters with the likeliest Han
    candidates that raise their mean. A parse that lost nothing may be convincing as it is; a run
    without evidence of loss (:func:`_lossy_evidence`, ``鎮。``) has no other, and is told by
    decoding its bytes. Clean text with a UTF-8-as-GBK character in it (``鐘介``) stops here,
    before the search over lost characters.

    >>> _cannot_read_utf8("鐘介"), _cannot_read_utf8("鐘?捕"), _cannot_read_utf8("涓�鍥戒汉姘�")
    (True, True, False)
    """
    if not all(_is_run_char(c) for c in run):
        return True  # no reading at all
    if not _lossy_evidence(run):  # only a reading that lost nothing can be convincing
        try:
            run.encode("gb18030").decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False
    original = _han_mean(run)
    if original is None:
        return False
    model = load()
    for patterns in _utf8_parses(run):
        if all(None not in p for p in patterns):
            return False
        known = [model.char_logp(c) for p in patterns if None not in p and is_han(c := _utf8_candidates(p)[0])]
        total, n = sum(known), len(known)
        for lp in sorted((lp for p in patterns if None in p and (lp := _best_han(p)) is not None), reverse=True):
            if n and lp <= total / n:
                break
            total, n = total + lp, n + 1
        if n and total / n >= original + SHIFT_MARGIN - 1e-9:  # the margin absorbs rounding
            return False
    return True


def _utf8_spans(text: str, start: int, dense: bool) -> list[tuple[int, int]]:
    """The stretches :func:`_utf8_readings` tries from the UTF-8-as-GBK character at ``start``, in
    order of preference: ``(start, end)``."""
    end = _RUN.match(text, start).end()  # type: ignore[union-attr]
    spans = []
    if dense:
        back = _RUN.match(text[::-1], len(text) - start)
        first = start - (back.end() - back.start() if back else 0)
        if _utf8_like(text[first:end]):
            spans.append((first, end))
    if (extent := _utf8_extent(text, start, end)) - start >= 2 and (start, extent) not in spans:
        spans.append((start, extent))
    if (stop := _UTF8_STRETCH.match(text, start).end()) - start >= 2 and (start, stop) not in spans:  # type: ignore[union-attr]
        spans.append((start, stop))  # a byte lost silently ends the extent early
        if stop - start >= 3:  # or the stretch took in the clean character after it (``杩欐★紝共``)
            spans.append((start, stop - 1))
    if (mark := _MARK.search(text, start + 2, extent)) and (start, mark.end()) not in spans:
        spans.append((start, mark.end()))  # clean text after a lost byte reads as UTF-8 too
    return spans


@lru_cache(maxsize=16)
def _utf8_readings(text: str) -> list[tuple[int, int, tuple[str, bool]]]:
    """Stretches of UTF-8-as-GBK characters read back (see :func:`_reread_utf8`): ``(start, end,
    (reading, convincing))``. When the mojibake is dense (the whole text was read as GBK), the
    whole stretch of non-ASCII characters (and ``?``) around a match is tried first; otherwise, or
    when that is not convincing (clean text runs into the mojibake), the part from a match
    (mojibake starts with a UTF-8 lead byte, which is such a match) to where the bytes stop reading
    as UTF-8 (:func:`_utf8_extent`), or to a lost byte within it. None when no stretch can read
    back convincingly or through loss (:func:`_cannot_read_utf8`): the callers use no other."""
    found: list[tuple[int, int, tuple[str, bool]]] = []
    dense = _mojibake_dense(text)
    starts = [m.start() for m in _MOJI_ONE.finditer(text)]
    if all(_cannot_read_utf8(text[start:stop]) for at in starts for start, stop in _utf8_spans(text, at, dense)):
        return found
    for at in starts:
        if found and at < found[-1][1]:
            continue
        readings = [(start, stop, r) for start, stop in _utf8_spans(text, at, dense)
                    if (not found or start >= found[-1][1]) and (r := _reread_utf8(text[start:stop]))]
        if readings:
            found.append(_best_reading(text, readings))
    return found


def _in_context(text: str, start: int, end: int, reading: str) -> float:
    """Log-probability of ``reading`` in place of ``text[start:end]``, with the Han characters
    around it: readings of different stretches of the same text compare by it."""
    return _segment(_han_left(text, start) + reading + _han_right(text, end))[0]


# Log-probability of a character of ordinary text nothing is known of: what a U+FFFD that marks
# lost bytes stands for when a reading that has it is weighed against the text it replaces.
LOST_CHAR = -8.0


def _reads_better(text: str, start: int, end: int, reading: str) -> bool:
    """Whether ``reading``, UTF-8-as-GBK ``text[start:end]`` read back with lost bytes filled in or
    marked U+FFFD, reads better than the run itself beside its Han neighbours: clean text next to
    mojibake (``朱元璋。``, ``鐘。``) does not.

    >>> _reads_better("北方和朱元璋。", 5, 7, "调档"), _reads_better("鎴嚦6月", 0, 2, "\ufffd至")
    (False, True)
    """
    credit = reading.count("\ufffd") * (LOST_CHAR - REPLACEMENT)
    return _in_context(text, start, end, reading) + credit > _in_context(text, start, end, text[start:end])


# How many characters a reading that fills in lost bytes may cover beyond one of the same
# stretch that loses none, and still be weighed against it: a character one byte of which is
# lost, or a clean neighbour the stretch ran into.
LOST_TAIL = 2


def _best_reading(
    text: str, readings: list[tuple[int, int, tuple[str, bool]]]
) -> tuple[int, int, tuple[str, bool]]:
    """Of readings of stretches of ``text`` around one match, ``(start, end, (reading,
    convincing))``: the first convincing one, or the first. A convincing one marks the stretch as
    mojibake (the reading taken is then convincing), and two others can beat it: a longer stretch
    that reads as Chinese without a lost byte (it went on past a rare character, ``衞``), and a
    shorter one without a lost byte that leaves out at most ``LOST_TAIL`` characters, none of
    them UTF-8-as-GBK ones, and reads better beside its Han neighbours: the longer one ran into
    clean text and read it as lost bytes (``鍕曚笅，`` as ``動下`` and U+FFFD; ``浼`` at the end
    of ``鏂伴椈鍙戝竷浼`` is ``会`` that lost a byte).

    >>> _best_reading("鍕曚笅，", [(0, 4, ("動下\ufffd", True)), (0, 3, ("動下", False))])
    (0, 3, ('動下', True))
    """
    start, end, (reading, convincing) = next((r for r in readings if r[2][1]), readings[0])
    if not convincing:
        return readings[0]
    whole = [(s, e, r) for s, e, (r, _) in readings if r.encode() == text[s:e].encode("gb18030")]
    for s, e, lossless in whole:
        if s <= start and end <= e and all(c < "\x80" or c in PUNCT or is_han(c) for c in lossless):
            return s, e, (lossless, True)
    for s, e, lossless in whole:
        extra = text[start:s] + text[e:end]
        if ((start, end, reading) not in whole and start <= s and e <= end and len(extra) <= LOST_TAIL
                and not _MOJI_ONE.search(extra)
                and _in_context(text, start, end, text[start:s] + lossless + text[e:end])
                > _in_context(text, start, end, reading)):
            return s, e, (lossless, True)
    return start, end, (reading, True)


def _replace(text: str, repairs: list[tuple[int, int, str]]) -> str:
    if not repairs:
        return text
    out: list[str] = []
    pos = 0
    for start, end, repair in repairs:
        out += [text[pos:start], repair]
        pos = end
    return "".join([*out, text[pos:]])


def _ends_in_trail_byte(run: str, reading: str) -> bool:
    """Whether a reading ends in an ASCII letter the run did not have: its last UTF-8 character
    took the first byte of the run's last character and left that character's trail byte, which
    is as likely a clean neighbour the run swallowed (``闈積`` read as ``靷e`` where ``面`` lost a
    byte before a clean ``積``) as an ASCII letter after the mojibake (``锛孭`` for ``，P``): the
    reading is a guess.

    >>> _ends_in_trail_byte("闈積", "靷e"), _ends_in_trail_byte("鍒颁綅", "到位")
    (True, False)
    """
    return reading[-1:].isascii() and reading[-1:].isalpha() and not run[-1:].isascii()


def fix_gbk_mojibake(text: str) -> str:
    """Chinese whose bytes were decoded in the wrong one of UTF-8 and GBK.

    UTF-8 read as GBK turns every three bytes into one and a half odd characters (``到位`` ->
    ``鍒颁綅``); byte pairs GBK has no character for come out as U+FFFD or ``?``, as private-use
    characters (GB18030) or vanish (``中国`` -> ``涓浗``). The run is encoded back to GBK and read
    as UTF-8; bytes that were lost are filled in from the lexicon among all characters sharing the
    surviving bytes. GBK read as Windows-1252 or Latin-1 (``ÖÐ¹ú`` for ``中国``) is read back the
    same way. A reading is kept only when it reads clearly more like Chinese than the input.

    >>> fix_gbk_mojibake("鍒颁綅"), fix_gbk_mojibake("涓浗"), fix_gbk_mojibake("涓�鍥戒汉姘�")
    ('到位', '中国', '中国人民')
    >>> fix_gbk_mojibake("ÎÒÃÇµÄ¹ú¼Ò")
    '我们的国家'
    """
    return _gbk_mojibake(text)[0]


@lru_cache(maxsize=16)
def _gbk_mojibake(text: str) -> tuple[str, bool]:
    """:func:`fix_gbk_mojibake` of ``text``, and whether it filled in lost bytes: a reading whose
    UTF-8 bytes are not the bytes of the run it replaces."""
    text2, guess = text, False
    if _moji_chars(text):
        # Runs are read back when one of them is convincing. When the mojibake is dense the whole
        # text is known to be UTF-8 read as GBK, and every other run is read back too (a lone
        # punctuation mark between ASCII, ``°`` that came out as ``掳``). A run whose reading is
        # not convincing and fills in lost bytes is read back only when it reads better.
        readings = list(_utf8_readings(text))
        if any(convincing for _, _, (_, convincing) in readings):
            if _mojibake_dense(text):
                readings += [(m.start(), m.end(), found) for m in _RUN.finditer(text)
                             if not any(s < m.end() and m.start() < e for s, e, _ in readings)
                             and not all(c in PUNCT for c in m.group())  # a clean ``。`` stays
                             and (found := _reread_utf8(m.group()))]
            readings = [(start, end, (reading, convincing)) for start, end, (reading, convincing) in readings
                        if convincing or reading.encode() == text[start:end].encode("gb18030")
                        or _reads_better(text, start, end, reading)]
            text2 = _replace(text, sorted((start, end, reading) for start, end, (reading, _) in readings))
            guess = any(reading.encode() != text[start:end].encode("gb18030") or not convincing
                        or _ends_in_trail_byte(text[start:end], reading)
                        for start, end, (reading, convincing) in readings)
    # GBK read as 1252 puts two high Latin-1 characters side by side, which opens the same gate as
    # ftfy's mojibake for all but a few rare lead bytes (0xFD, 0xFE).
    if _latin_suspect(text2):
        text2 = _replace(text2, _reread_gbk_latin(text2))
    # what is left of the damage it could not read back makes a repair uncertain too
    return (text, False) if text2 == text else (text2, guess or bool(_moji_chars(text2)))


# ---------------------------------------------------------------------------------------------
# big5-as-gbk and gbk-as-big5: two-byte codes read as each other
#
# Big5 and GBK both write a Chinese character as two bytes, so text read in the wrong one keeps
# its length: every character is the wrong reading of its own two bytes (``中國`` -> ``い瓣``,
# ``中国`` -> ``笢弊``). The repair is a table from each wrong reading to the character it was;
# the cheap test is one search for a *suspect*, a character whose other reading is much more
# common than itself (kana, Greek, private-use characters, rare Han). Where the damage begins and
# ends is decided by the lexicon: around the suspects every character is read both ways, and the
# best segmentation over all the readings (:func:`_swap_lattice`) says which characters to read
# back, each damaged span paying ``SWAP_OPEN``.

SWAP_GAIN = 3.0  # a suspect's other reading is at least this much likelier (log) than itself
SWAP_REACH = 6  # characters beside a suspect that a damaged span may also cover
# Log-probability a damaged span costs: damage is rare, and one word it happens to make (a rare
# name read as a common word) must not pay for it. Measured on the damage corpus and a megabyte
# of clean text (tests/test_damage.py): no clean paragraph comes within 4 of it.
SWAP_OPEN = 8.0
# What a span costs in a paragraph where one has already been read back.
SWAP_AGAIN = 4.0
# A reading of a span that comes within this of the chosen one (an edge one character off, the
# other code, no reading back at all) makes the choice a guess: the paragraph is flagged.
SWAP_CLOSE = 3.0
SWAP_EDGE_WORD = 4  # longest word looked up across the edge of a damaged span
SWAP_WORD = -8.0  # a character at least this likely as a word of its own (``的``, ``在``, ``，``)


def _swap_table(read_as: str, written_in: str) -> tuple[dict[str, str], str]:
    """Each character that a two-byte pair of ``written_in`` reads as in ``read_as``, mapped to the
    character the pair was; and the suspects among them."""
    table: dict[str, str] = {}
    for lead in range(0x81, 0xFF):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            pair = bytes((lead, trail))
            try:
                wrong, right = pair.decode(read_as), pair.decode(written_in)
            except UnicodeDecodeError:
                continue
            if len(wrong) == len(right) == 1 and right.isprintable() and wrong != right:
                table.setdefault(wrong, right)
    suspects = "".join(sorted(c for c, r in table.items() if (is_han(r) or r in PUNCT) and _likelier(r, c)))
    return table, suspects


def _likelier(right: str, wrong: str) -> bool:
    """Whether ``right`` is clearly (``SWAP_GAIN``) likelier than ``wrong`` and ordinary
    (``COMMON``), or known to the lexicon where ``wrong`` is not (``舒`` read as ``戺``).

    >>> _likelier("中", "い"), _likelier("舒", "戺"), _likelier("舒", "羥")
    (True, True, False)
    """
    model = load()
    right_lp, wrong_lp = model.char_logp(right), model.char_logp(wrong)
    return right_lp - wrong_lp >= SWAP_GAIN and (right_lp >= COMMON or wrong_lp <= UNKNOWN_HAN)


def _big5_as_gbk() -> tuple[dict[str, str], str]:
    return _tables()["big5_as_gbk"]


def _gbk_as_big5() -> tuple[dict[str, str], str]:
    return _tables()["gbk_as_big5"]


def _bmp(chars: str) -> str:
    """The characters of ``chars`` in the BMP, escaped for a character class."""
    return re.escape("".join(c for c in chars if c <= "\uffff"))


def _astral(chars: str) -> str:
    """The characters of ``chars`` beyond the BMP, escaped for a character class."""
    return re.escape("".join(c for c in chars if c > "\uffff"))


def _one_of(chars: str) -> str:
    """A pattern for one character of ``chars`` that starts with a class the regex engine tests
    with a bitmap: characters beyond the BMP would turn it into a slow list, so one range stands
    for them and a lookbehind checks the few there are."""
    bmp, astral = _bmp(chars), _astral(chars)
    return f"[{bmp}\U00010000-\U0010ffff](?:(?<=[{bmp}])|(?<=[{astral}]))" if astral else f"[{bmp}]"


@cache
def _swap_search(big5: bool) -> re.Pattern[str]:
    """A suspect of Big5 read as GBK (or the reverse)."""
    return re.compile(_one_of((_big5_as_gbk() if big5 else _gbk_as_big5())[1]))


def _swap_rows() -> tuple[dict[str, str], dict[str, str]]:
    """Each character -> its simplified reading back as Big5 (read as GBK) and as GBK (read as
    Big5): the characters the lattice looks words up with. ASCII reads as itself in both codes."""
    return _tables()["rows"]


TABLES = ("readings", "big5_as_gbk", "gbk_as_big5", "rows", "plausible_pairs", "utf8_candidates")


def _build_tables() -> dict[str, Any]:
    big5, gbk = _swap_table("gb18030", "big5hkscs"), _swap_table("big5hkscs", "gbk")
    ascii_ = {chr(b): chr(b) for b in range(0x20, 0x7F)}
    rows = tuple(ascii_ | {c: simplify(r) for c, r in table.items()} for table in (big5[0], gbk[0]))
    plausible = bytes(_plausible(chr(cp)) for cp in range(0x10000))  # one flag a BMP code point
    pairs = bytes(bool((c := _gbk_pair(code >> 8, code & 0xFF)) and _plausible(c)) if code >= 0x8140 else 0
                  for code in range(0x10000))  # one flag a two-byte GBK code
    return {"readings": _build_reading_index(), "big5_as_gbk": big5, "gbk_as_big5": gbk, "rows": rows,
            "plausible_pairs": pairs, "utf8_candidates": _three_byte_candidates(plausible)}


@cache
def _tables() -> dict[str, Any]:
    """The pinyin index, the Big5/GBK swap tables, the plausible GBK codes (:func:`_plausible` of
    the character each two bytes read as) and the plausible characters of UTF-8 patterns with lost
    bytes (:func:`_three_byte_candidates`), built from pypinyin, the codecs, the character model
    and the converter (~0.3 s), pickled under a name that changes with the code and the data
    (:func:`cache.code_digest`): a process loads them in a few milliseconds."""
    return load_or_build(f"repair-tables-{code_digest()}.pickle", _build_tables,
                         lambda value: isinstance(value, dict) and tuple(value) == TABLES)


def _in_word(text: str, i: int) -> bool:
    """Whether the character at ``i`` sits in a lexicon word of two to four characters of ``text``.

    >>> _in_word("河水清澈见底", 3), _in_word("可蓋一個章ㄛ摩滿", 5)
    (True, False)
    """
    lex = lexicon()
    s = simplify(text[max(0, i - 3) : i + 4])
    k = min(i, 3)
    return any(s[a:b] in lex for a in range(max(0, k - 3), k + 1)
               for b in range(max(k + 1, a + 2), min(len(s), a + 4) + 1))


def _swap_windows(text: str) -> list[tuple[int, int, frozenset[int]]]:
    """Stretches where damage may be: ``SWAP_REACH`` characters either side of each suspect that
    sits in no word (a rare character of clean text usually does: ``清澈``), of those that read in
    the other code, merged where they touch, with the states (1: Big5 read as GBK, 2: GBK read as
    Big5) whose suspects they hold. None unless there are two such suspects, or one that is strong
    or no Han character (``à`` in ``三à宾`` for ``三角梅``)."""
    rows = _swap_rows()
    seeds = [(m.start(), state) for state, big5 in ((1, True), (2, False))
             for m in _swap_search(big5).finditer(text) if not _in_word(text, m.start())]
    strong = any(text[i] in _strong_suspects() or not is_han(text[i]) for i, _ in seeds)
    if len({i for i, _ in seeds}) < 2 and not strong:
        return []
    windows: list[tuple[int, int, frozenset[int]]] = []
    for i, state in seeds:
        row = rows[state - 1]
        lo = hi = i
        while lo > 0 and i - lo < SWAP_REACH and text[lo - 1] in row:
            lo -= 1
        while hi < len(text) and hi - i <= SWAP_REACH and text[hi] in row:
            hi += 1
        windows.append((lo, hi, frozenset((state,))))
    windows.sort(key=lambda w: w[0])
    merged: list[tuple[int, int, frozenset[int]]] = []
    for lo, hi, states in windows:
        if merged and lo <= merged[-1][1]:
            plo, phi, pstates = merged[-1]
            merged[-1] = (plo, max(phi, hi), pstates | states)
        else:
            merged.append((lo, hi, states))
    return merged


def _swap_lattice(rows: list[str], lo: int, hi: int, cost: float = SWAP_OPEN) -> list[int]:
    """The best reading of a stretch: per character a state (0 as it is, or the index of the row
    it is read in), maximising the unigram segmentation of the characters read, less ``cost``
    (``SWAP_OPEN``) for each damaged span. ``rows[0]`` is the text (simplified), each other row the
    text read back in one code (``\\0`` where a character has no such reading); only characters
    from ``lo`` to ``hi`` may leave state 0. A word may cross one edge of a span (``時間`` with
    only ``間`` damaged)."""
    lex = lexicon()
    log_total = math.log(lexicon_total())
    n = len(rows[0])
    states = range(len(rows))
    best = [[-math.inf] * len(rows) for _ in range(n + 1)]
    best[0][0] = 0.0
    back: list[list[tuple[int, int, int, int]]] = [[(0, 0, 0, 0)] * len(rows) for _ in range(n + 1)]
    for j in range(1, n + 1):
        for k in range(1, min(MAX_WORD, j) + 1):
            i = j - k
            for first in states:
                if first and i < lo:
                    continue
                for last in states:
                    if (last and j > hi) or (first and last and first != last):
                        continue
                    if first != last and k > SWAP_EDGE_WORD:
                        continue
                    for m in (range(1, k) if first != last else (k,)):  # m: characters in ``first``
                        word = rows[first][i : i + m] + rows[last][i + m : j]
                        if k == 1:
                            if word == "\0":
                                continue
                            lp = _char_token(word)
                        elif (count := lex.get(word)) is None:
                            continue
                        else:
                            lp = math.log(count) - log_total
                        if last != first and last:
                            lp -= cost
                        for prev in states:
                            score = best[i][prev] + lp - (cost if first and prev != first else 0.0)
                            if score > best[j][last]:
                                best[j][last] = score
                                back[j][last] = (i, prev, first, m)
    out = [0] * n
    state = max(states, key=lambda s: best[n][s])
    j = n
    while j > 0:
        i, prev, first, m = back[j][state]
        out[i : i + m] = [first] * m
        out[i + m : j] = [state] * (j - i - m)
        j, state = i, prev
    return out


def _swap_score(
    seg: str, path: list[int], tables: tuple[dict[str, str], ...], cost: float = SWAP_OPEN
) -> tuple[str, float]:
    """``seg`` read back along ``path`` (per character 0, or 1 + the index of the table it is read
    back through), and the score the lattice gives that reading: its segmentation less ``cost``
    per damaged span."""
    text = "".join(tables[s - 1].get(c, c) if s else c for c, s in zip(seg, path, strict=True))
    opened = sum(1 for i, s in enumerate(path) if s and (i == 0 or path[i - 1] != s))
    return text, _segment(text)[0] - cost * opened


def _swap_alternatives(
    path: list[int], start: int, end: int, lo: int, hi: int, states: list[int], common: set[int]
) -> list[list[int]]:
    """Readings next to the damaged span ``path[start:end]``: without it, each edge one character
    in or out (within ``lo`` and ``hi``), each ``common`` character inside it left as it is (clean
    text between two damaged spans), and the span in the other of ``states``."""

    def setting(i: int, j: int, state: int) -> list[int]:
        out = list(path)
        out[i:j] = [state] * (j - i)
        return out

    state = path[start]
    out = [setting(start, end, 0)]
    if end - start > 1:
        out += [setting(start, start + 1, 0), setting(end - 1, end, 0)]
    out += [setting(i, i + 1, 0) for i in range(start + 1, end - 1) if i in common]
    if start > lo and path[start - 1] == 0:
        out.append(setting(start - 1, start, state))
    if end < hi and path[end] == 0:
        out.append(setting(end, end + 1, state))
    return out + [setting(start, end, other) for other in states if other != state]


def _runs(path: list[int]) -> list[tuple[int, int]]:
    """The stretches of equal non-zero states of ``path``: ``(start, end)``."""
    out: list[tuple[int, int]] = []
    for i, state in enumerate(path):
        if state and out and out[-1][1] == i and path[i - 1] == state:
            out[-1] = (out[-1][0], i + 1)
        elif state:
            out.append((i, i + 1))
    return out


def _in_words(text: str, start: int, end: int, common: bool = False) -> bool:
    """Whether half the characters beyond ASCII of ``text[start:end]`` sit in lexicon words, are
    common words on their own (``的``, ``在``) or are punctuation; with ``common``, ordinary
    characters (``COMMON``) count too.

    >>> _in_words("“修舊如", 0, 3), _in_words("“修舊如", 0, 3, common=True)
    (False, True)
    """
    inword, simple = _segment(text)[1], simplify(text)
    model = load()
    wide = [i for i in range(start, end) if text[i] > "\x7f"]
    return sum(inword[i] or _char_token(simple[i]) >= SWAP_WORD or (common and model.char_logp(text[i]) >= COMMON)
               for i in wide) * 2 >= len(wide) > 0


# Latin words with accented letters (pinyin ``zhǎng``, ``crêpes``): GBK has the letters, but these
# are no Big5 read as GBK, which never leaves an ASCII letter beside an accented one.
_LETTERS = "A-Za-z\u00c0-\u024f"
_LATIN_WORD = re.compile(f"[{_LETTERS}]*(?:[A-Za-z][\u00c0-\u024f]|[\u00c0-\u024f][A-Za-z])[{_LETTERS}]*")


def _latin_mask(m: re.Match[str]) -> str:
    """A Latin word (``_LATIN_WORD``), or a run of Latin-1 characters one of which GBK lacks (UTF-8
    or GBK read as Latin-1, ``â€œ``, where ``â`` alone would be Big5's ``“``), blotted out for the
    swap repairs; a run GBK has whole (``óó`` for ``車車``) may be Big5 read as GBK and stays."""
    run = m.group()
    return run if m.re is _HIGH_RUN and all(c in _swap_rows()[0] for c in run) else "\0" * len(run)


@lru_cache(maxsize=16)
def _swapped(text: str) -> tuple[tuple[tuple[int, int, str, int], ...], bool]:
    """The spans of ``text`` that read better back in the other code: ``(start, end, reading,
    state)`` (state 1: Big5 read as GBK, 2: GBK read as Big5), and whether the choice was close
    (:data:`SWAP_CLOSE`) for any of them. Once one span reads back, the paragraph is known to be
    damaged and its windows are read again with a span costing ``SWAP_AGAIN``: more of it is
    likely damaged (``※党黯如舊`` beside a repaired span is ``“修舊如舊``), in the code of the
    spans read back (a page is read in one wrong code: ``國產`` beside GBK read as Big5 is no
    Big5 read as GBK ``國家``); a window of suspects then left as it is makes the choice close too."""
    masked = _LATIN_WORD.sub(_latin_mask, _HIGH_RUN.sub(_latin_mask, text))
    windows = _swap_windows(masked)
    found, guess = _read_windows(text, masked, windows, SWAP_OPEN)
    if found:
        codes = frozenset(state for _, _, _, state in found)
        again = [(lo, hi, states & codes) for lo, hi, states in windows if states & codes]
        found, guess = _read_windows(text, masked, again, SWAP_AGAIN)
        # suspects left as they are in a paragraph known to be damaged make the repair a guess
        guess = guess or any(not any(lo <= start < hi for start, _, _, _ in found) for lo, hi, _ in windows)
    return found, guess


def _read_windows(
    text: str, masked: str, windows: list[tuple[int, int, frozenset[int]]], cost: float
) -> tuple[tuple[tuple[int, int, str, int], ...], bool]:
    """:func:`_swapped` over ``windows``, each damaged span costing ``cost``. Only stretches with
    Han characters are read (the damage is of Chinese text), and a span only when half its
    characters then sit in words (or, in a paragraph known to be damaged, are ordinary characters):
    reading mojibake of another kind (``æ–°``) as Big5 also beats its symbols."""
    rows, tables = _swap_rows(), (_big5_as_gbk()[0], _gbk_as_big5()[0])
    found: list[tuple[int, int, str, int]] = []
    guess = False
    for lo, hi, active in windows:
        a, b = max(0, lo - 3), min(len(text), hi + 3)
        seg, states = text[a:b], sorted(active)
        if not any(map(is_han, seg)):  # Russian or Greek text (or mojibake of it), not Chinese
            continue
        readings = ["".join(rows[s - 1].get(c, "\0") for c in masked[a:b]) for s in states]
        lattice = _swap_lattice([simplify(seg), *readings], lo - a, hi - a, cost)
        path = [states[s - 1] if s else 0 for s in lattice]
        if not any(path):
            continue
        read = _swap_score(seg, path, tables, cost)[0]
        for i, j in _runs(path):
            if not _in_words(read, i, j, common=cost < SWAP_OPEN):
                path[i:j] = [0] * (j - i)
        best_text, best = _swap_score(seg, path, tables, cost)
        common = {i for i, c in enumerate(seg) if is_han(c) and load().char_logp(c) >= COMMON}
        for i, j in _runs(path):
            for alt in _swap_alternatives(path, i, j, lo - a, hi - a, states, common):
                alt_text, score = _swap_score(seg, alt, tables, cost)
                guess = guess or (alt_text != best_text and score > best - SWAP_CLOSE)
            found.append((a + i, a + j, best_text[i:j], path[i]))
    return tuple(found), guess


def fix_big5_as_gbk(text: str) -> str:
    """Big5 text read as GBK (GB18030): ``い瓣`` for ``中國``.

    A Big5 page taken for GB18030 (the pipeline reads the GB family as GB18030, which gives every
    Big5 pair a character) turns Traditional Chinese into kana, Greek, private-use characters and
    rare Han. Around each suspect every character is also read back as the Big5 pair it was, and
    the lexicon decides which to keep (:func:`_swapped`, which also weighs GBK read as Big5).

    >>> fix_big5_as_gbk("い瓣竒蕾"), fix_big5_as_gbk("花瓣")
    ('中國經濟', '花瓣')
    """
    return _read_back_swapped(text, 1)


def fix_gbk_as_big5(text: str) -> str:
    """GBK text read as Big5 (Big5-HKSCS): ``笢弊`` for ``中国``.

    A GBK page taken for Big5 turns Simplified Chinese into rare Traditional characters. Around
    each suspect every character is also read back as the GBK pair it was, and the lexicon decides
    which to keep (:func:`_swapped`).

    >>> fix_gbk_as_big5("笢弊冪撳"), fix_gbk_as_big5("弊端")
    ('中国经济', '弊端')
    """
    return _read_back_swapped(text, 2)


def _read_back_swapped(text: str, state: int) -> str:
    """The spans :func:`_swapped` reads back in ``state``; the input object itself when there are none."""
    if not _swap_suspect(text):
        return text
    return _replace(text, [(start, end, reading) for start, end, reading, s in _swapped(text)[0] if s == state])


@cache
def _strong_suspects() -> str:
    """Suspects that are Han characters the lexicon never saw (in the BMP or beyond it, ``𩂰``
    for ``會``) or private-use characters (GB18030's reading of Big5 pairs GBK leaves undefined,
    ``\ue6a6`` for ``共``), which no clean text holds: one is evidence enough."""
    return "".join(sorted({c for _, suspects in (_big5_as_gbk(), _gbk_as_big5()) for c in suspects
                           if (is_han(c) or c > "\uffff" or "\ue000" <= c <= "\uf8ff")
                           and load().char_logp(c) <= UNKNOWN_HAN}))


@cache
def _strong_search() -> re.Pattern[str]:
    return re.compile(_one_of(_strong_suspects()))


@lru_cache(maxsize=16)
def _swap_suspect(text: str) -> bool:
    """Whether ``text`` has a strong suspect or a lone Cyrillic or box-drawing character, or two
    suspects of Big5 read as GBK or of the reverse (one rare character alone is no evidence of
    damage)."""
    if _strong_search().search(text) or _LONE_FOREIGN_SPAN.search(text):
        return True
    for big5 in (True, False):
        if (first := _swap_search(big5).search(text)) and _swap_search(big5).search(text, first.end()):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# gbk-shift and lost-bytes: GBK streams that lost a byte
#
# The damage in scraped GBK pages: a lead byte is lost (a decoder that meets an invalid pair
# writes ``?`` for it and swallows the byte after it, when that is ASCII). Its trail byte is then
# an orphan. If the orphan is ASCII (0x40-0x7E) it shows as a letter and the stream stays in step:
# ``會?h要求`` for ``會議要求`` (lost-bytes). Otherwise the orphan pairs with the next lead byte and
# every following character is read one byte off, until an ASCII byte brings the decoder back in
# step: ``公?居媱澝髂暝谌A東`` for ``公司計劃明年在華東``, where ``A`` is the trail byte of 華
# (gbk-shift). The last byte of the shifted run is either that ASCII byte or is swallowed into
# another ``?``. Full-width forms inside the run were folded to ASCII by NFKC (``？`` -> ``?``).
# Pages annotated with ruby pinyin by a converter that read the stream one byte off also carry the
# converter's pinyin for the phantom character it saw (the previous trail byte and the lost lead
# byte), after the ``?`` that ate its opening bracket: ``公司?jū)媱澝...``, 居 being the phantom.

# The patterns start with the ``?`` and look behind it for the Han character: the search then
# skips from ``?`` to ``?`` in C instead of testing a lookbehind at every character.
_LOST_MARK = re.compile(f"\\?(?<=[{HAN}{PUNCT}]\\?)")
_DEBRIS = re.compile(f"([{PINYIN}]{{1,6}})\\)")
_TRAIL_LETTER = re.compile(f"\\?(?<=[{HAN}]\\?)(?:([{PINYIN}]{{1,6}})\\))?([\x40-\x7e])(?=[{HAN}])")
_RUBY_LOST = re.compile(f"\\?(?<=[{HAN}]\\?)([{PINYIN}]{{1,6}})\\)")


def _latin_word(text: str, i: int) -> bool:
    """Whether the ASCII letter at ``i`` starts a lexicon word with the Han after it (``A股``)."""
    return any(word_count(text[i : i + k]) for k in range(2, 5) if i + k <= len(text))


def _lost_lead(text: str, p: int, trail: int, right: str, syllable: str | None) -> str | None:
    """The character whose lead byte was lost at ``text[p]`` (a ``?``), given its trail byte, and
    the pinyin ``syllable`` a one-byte-off ruby converter wrote after the ``?``, if any."""
    cands = _by_trail(trail)
    if syllable is not None:
        # The ruby converter saw (trail byte of text[p-1], lost lead) as one character.
        prev = _gbk2(text[p - 1])
        if prev is None or prev[1] < 0x81:
            return None
        cands = tuple(c for c in cands if _reads_as(_gbk_pair(prev[1], _gbk2(c)[0]), syllable))  # type: ignore[index]
        if len(cands) == 1:
            return cands[0]
    return _choose(_han_left(text, p), cands, right)


def _all_common(text: str) -> bool:
    """Whether ``text`` has Han characters and all of them are ordinary (``COMMON`` or likelier)."""
    model = load()
    return any(map(is_han, text)) and all(model.char_logp(c) >= COMMON for c in text if is_han(c))


def _reads_per_char(text: str) -> float:
    """Log-probability per character of the best segmentation: how much ``text`` reads like words."""
    return _segment(text)[0] / len(text)


def _in_step(run: str, end: str) -> tuple[str, int | None, str] | None:
    """The bytes of a shifted ``run`` read back in step: (the characters they determine, the lead
    byte of a last character whose trail was swallowed, an ASCII character the shifted reading had
    swallowed). ``end`` is how the decoder came back in step: ``"?"``, an ASCII character (the last
    trail byte), or ``""`` when the run's last character ends in an ASCII byte. ``None`` when the
    bytes read back are no plausible text."""
    body = b"".join(_gbk2(c) for c in run)[1:]  # type: ignore[misc]
    if end == "?":
        core_bytes, last_lead, absorbed = body[:-1], body[-1], ""
    elif end:
        core_bytes, last_lead, absorbed = body + end.encode(), None, ""
    else:
        core_bytes, last_lead, absorbed = body[:-1], None, chr(body[-1])
    try:
        core = core_bytes.decode("gbk")
    except UnicodeDecodeError:
        return None
    if not core or len(core) * 2 != len(core_bytes) or not all(_plausible(c) for c in core):
        return None
    return core, last_lead, absorbed


def _unshift(text: str, p: int) -> tuple[int, str, float] | None:
    """Read the characters after the ``?`` at ``p`` one byte back in step.

    The shifted run ends where the decoder came back in step: at a visible ASCII byte (the trail of
    the run's last character), at a ``?`` (that trail swallowed), or at a character whose second
    byte is ASCII (the shifted reading paired the last trail byte with a real ASCII character).
    Returns (end of the damaged span, its repair, score) for the best reading, or ``None``. An end
    character the lexicon cannot choose clearly becomes U+FFFD, which find_corruption reports.
    """
    q = p + 1
    syllable = None
    if debris := _DEBRIS.match(text, q):
        syllable, q = debris.group(1), debris.end()
    best: tuple[int, str, float] | None = None
    plausible_pairs = _tables()["plausible_pairs"]
    left = _han_left(text, p)
    for k in range(1, MAX_RUN + 1):
        if q + k > len(text) or (last_bytes := _gbk2(text[q + k - 1])) is None:
            break
        # Every reading of this run or a longer one holds the pair (trail byte of the character
        # before, lead byte of this one) read in step: when that is no plausible character, none
        # of them reads back (:func:`_in_step`), and clean text stops here within a few characters.
        if k > 1 and not plausible_pairs[_gbk2(text[q + k - 2])[1] << 8 | last_bytes[0]]:  # type: ignore[index]
            break
        run, term = text[q : q + k], text[q + k : q + k + 1]
        ends = [(term, q + k + 1)] if term == "?" or "\x40" <= term <= "\x7e" else []
        if 0x40 <= last_bytes[1] <= 0x7E:
            ends.append(("", q + k))
        for end, after in ends:
            if (reading := _in_step(run, end)) is None:
                continue
            core, last_lead, absorbed = reading
            shifted = _han_mean(run) is not None
            if shifted:
                if _reads_per_char(core) < _reads_per_char(run) + SHIFT_MARGIN:
                    continue
            elif not (len(run) <= 2 and run.isascii() and _all_common(core) and is_han(text[after : after + 1] or "?")):
                continue  # a run of folded ASCII only: short, common characters, Chinese after it
            elif end == "?" and run.isalnum():
                continue  # "?3D?": spaces lost around a Latin word, no shift
            right = _han_right(text, after)
            first = _lost_lead(text, p, _gbk2(run[0])[0], (core + right)[:3], syllable)  # type: ignore[index]
            if first is None:
                if not shifted:  # nothing but the guess itself speaks for this reading
                    continue
                first = "\ufffd"  # the run is surely shifted; its first character is lost
            last = ""
            if last_lead is not None:
                last = _choose((text[:p] + first + core)[-3:], _by_lead(last_lead), right) or "\ufffd"
            repair = first + core + last + absorbed
            score = _reads_per_char(left + repair + right)
            if shifted and score <= _reads_per_char(left + run + right):
                continue  # the run reads better with its neighbours as it is ("第三?场，?主": no shift)
            if best is None or score > best[2]:
                best = (after, repair, score)
    return best


def fix_gbk_shift(text: str) -> str:
    """A GBK stream read one byte off after a lost lead byte, back in step.

    After a ``?`` that stands for a lost lead byte, the orphaned trail byte pairs with the next
    lead byte and the following characters are nonsense (``?居媱澝`` is the trail byte of 司 and
    the bytes of 計劃明), until an ASCII byte or another ``?`` brings the decoder back. The run is
    re-read in step; the characters at its two ends, of which one byte is lost, are chosen from the
    lexicon among all GBK characters sharing the surviving byte, or pinned by the ruby pinyin a
    one-byte-off converter left (``?jū)``, the reading of the phantom character made of the previous
    trail byte and the lost lead byte); one the lexicon cannot choose clearly becomes U+FFFD. Kept
    only when the re-read characters read clearly better than the shifted ones; where readings from
    two ``?`` overlap, the better one wins.

    >>> fix_gbk_shift("公?居媱澝髂暝谌A東地區")
    '公司計劃明年在華東地區'
    >>> fix_gbk_shift("公司?jū)媱澝髂暝谌A東地區")
    '公司計劃明年在華東地區'
    >>> fix_gbk_shift("要求各級黨組織認?尕瀼芈鋵?")
    '要求各級黨組織認真貫徹落實'
    >>> fix_gbk_shift("取得成效??h裡將繼續推進")
    '取得成效。縣裡將繼續推進'
    """
    if "?" not in text:
        return text
    readings = []
    for m in _LOST_MARK.finditer(text):
        if (found := _unshift(text, m.start())) is not None:
            end, repair, score = found
            readings.append((score, m.start(), end, repair))
    chosen: list[tuple[int, int, str]] = []
    for _, start, end, repair in sorted(readings, reverse=True):  # the best readings first
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in chosen):
            chosen.append((start, end, repair))
    return _replace(text, sorted(chosen))


def _fix_trail_letter(m: re.Match[str]) -> str:
    text, p = m.string, m.start()
    syllable = m.group(1) and unicodedata.normalize("NFC", m.group(1))
    if _latin_word(text, m.start(2)):
        return m.group()
    return _lost_lead(text, p, ord(m.group(2)), _han_right(text, m.end()), syllable) or m.group()


def _fix_ruby_lost(m: re.Match[str]) -> str:
    right = _han_right(m.string, m.end())
    if (_han_mean(right) or -math.inf) < COMMON:  # what follows must read in step, not shifted
        return m.group()
    syllable = unicodedata.normalize("NFC", m.group(1))
    found = _choose(_han_left(m.string, m.start()), _reading_index().get(syllable, ()), right)
    return f"{found}({m.group(1)})" if found else m.group()


def fix_lost_bytes(text: str) -> str:
    """Characters whose lead byte was lost, rebuilt from what survived.

    ``?h``: the lost lead left its GBK trail byte as an ASCII letter (0x40-0x7E) between Han
    characters; the character is the candidate, among all GBK characters with that trail byte,
    that forms a lexicon word with its neighbours and is a clear win (or the one a phantom's ruby
    pinyin pins, see gbk-shift). ``?jì)``: a ruby-annotated character and its opening bracket were
    lost together; its pinyin survives, and the lexicon picks the character read that way. A letter
    that makes a lexicon word with the Han after it (``A股``, ``T恤``) is text, not a trail byte. A
    ``?`` that neither explains is left alone: :func:`find_corruption` reports it.

    >>> fix_lost_bytes("會?h要求")
    '會議要求'
    >>> fix_lost_bytes("統?jì)數據顯示")
    '統計(jì)數據顯示'
    >>> fix_lost_bytes("A股?B股")
    'A股?B股'
    """
    if "?" not in text:
        return text
    fixed = _RUBY_LOST.sub(_fix_ruby_lost, _TRAIL_LETTER.sub(_fix_trail_letter, text))
    return text if fixed == text else fixed


def fix_double_mojibake(text: str) -> str:
    """Mojibake of mojibake, undone layer by layer: a second round of the encoding fixes.

    Text damaged once and then saved and misread again (UTF-8 read as GBK, then that saved as
    UTF-8 and read as Windows-1252) comes out of the first round (``mojibake``) as the inner
    damage, which the fixes that ran before it must now see again. Each fix keeps its own tests,
    so on text the first round left alone this changes nothing.

    >>> fix_double_mojibake("鍒颁綅"), fix_double_mojibake("ÖÐ¹ú")
    ('到位', '中国')
    """
    return _double_mojibake(text)[0]


@lru_cache(maxsize=16)
def _double_mojibake(text: str) -> tuple[str, bool]:
    """:func:`fix_double_mojibake` of ``text``, and whether a fix it ran made a guess (see
    :func:`guessed`) in any round."""
    fixed, guess = text, False
    for _ in range(3):  # spans damaged in different ways come back in different rounds
        before = fixed
        for name, fix in (("gbk-mojibake", fix_gbk_mojibake), ("big5-as-gbk", fix_big5_as_gbk),
                          ("gbk-as-big5", fix_gbk_as_big5), ("mojibake", fix_mojibake)):
            was, fixed = fixed, fix(fixed)
            guess = guess or (fixed != was and guessed(name, was))
        if fixed == before:
            break
    return (text, False) if fixed == text else (fixed, guess)


REPAIRS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("entities", fix_entities),
    ("gbk-mojibake", fix_gbk_mojibake),  # first: ftfy would misread GBK-as-1252 as UTF-8 mojibake
    ("big5-as-gbk", fix_big5_as_gbk),
    ("gbk-as-big5", fix_gbk_as_big5),
    ("mojibake", fix_mojibake),
    ("double-mojibake", fix_double_mojibake),
    ("gbk-shift", fix_gbk_shift),
    ("lost-bytes", fix_lost_bytes),
)


def guessed(op: str, before: str) -> bool:
    """Whether the repair ``op``, which changed ``before``, filled in lost bytes: gbk-shift and
    lost-bytes always do (the lexicon or a ruby reading picks among the characters sharing the
    surviving byte), gbk-mojibake when a reading it kept lost bytes, the Big5/GBK swaps when
    another reading of a span came within ``SWAP_CLOSE``, double-mojibake when any of these it ran
    in any round did. Such a
    repair is usually right, but not certainly: the pipeline flags the paragraph
    ``records.GUESSED``.

    >>> guessed("gbk-mojibake", "涓�鍥戒汉姘�"), guessed("gbk-mojibake", "鍒颁綅"), guessed("lost-bytes", "會?h要求")
    (True, False, True)
    """
    if op == "gbk-mojibake":
        return _gbk_mojibake(before)[1]
    if op == "double-mojibake":
        return _double_mojibake(before)[1]
    if op in ("big5-as-gbk", "gbk-as-big5"):
        return _swapped(before)[1]
    return op in ("gbk-shift", "lost-bytes")


# ---------------------------------------------------------------------------------------------
# is_suspect: the one cheap test in front of everything above


# A Cyrillic letter or a box-drawing character standing alone in Chinese text is likely Big5
# read as GBK (GBK's rows 0xA7 and 0xA9: ``8.8р人次`` for ``8.8萬人次``, ``110┪120`` for
# ``110或120``), evidence enough for the swap fixes to look, as a strong suspect is: a Cyrillic
# letter beside Han without a Cyrillic or Latin one beside it, a box-drawing character without
# another beside it (or a space, as in a drawn table). The lexicon decides (``字母Я的`` stays).
_FOREIGN = "\u0400-\u04ff\u2500-\u257f"
_LONE_FOREIGN = (f"(?<=[\u0400-\u04ff])(?<![\u0400-\u04ffA-Za-z][\\s\\S])(?![\u0400-\u04ffA-Za-z])"
                 f"(?:(?<=[{HAN}][\\s\\S])|(?=[{HAN}]))"
                 "|(?<=[\u2500-\u257f])(?<![\u2500-\u257f\\s][\\s\\S])(?![\u2500-\u257f\\s])")
_LONE_FOREIGN_SPAN = re.compile(f"[{_FOREIGN}](?:{_LONE_FOREIGN})")


@cache
def _suspect_kinds() -> dict[str, tuple[str, str]]:
    """The kinds of damage :func:`is_suspect` looks for, each as (the characters it is seen at, as
    the inside of a class; what must hold there): a character that is damage on its own
    (``single``: UTF-8-as-GBK, private use, U+FFFD, a strong Big5/GBK swap suspect), ftfy's
    badness (``latin``, ``_LATIN_SUSPECT``), sequences that start with one of ``&\\?锟錕烫燙屯``,
    a suspect of Big5 read as GBK (or of the reverse) with another after it (``swap``,
    :func:`_swap_suspect`), or a lone Cyrillic or box-drawing character (``foreign``,
    ``_LONE_FOREIGN``). Characters beyond the BMP stand as one range in a class, and a
    lookbehind checks the few there are (see :func:`_one_of`). Built once, in preload: the swap
    suspects need the character model."""
    single = _UTF8_PAIRS + "\ufffd" + _strong_suspects() + "".join(map(chr, range(0xE000, 0xF900)))
    bmp, astral = _bmp(single), _astral(single)
    tables = (_big5_as_gbk(), _gbk_as_big5())
    pairs = [f"[{_bmp(suspects)}{_astral(suspects)}]" for _, suspects in tables]  # a suspect of one code
    # What can follow a ``?`` that lost bytes left after Han or punctuation: another ``?`` or a
    # ``。，、；：`` (find_corruption), ruby debris (lost-bytes), or within the reach of a shifted
    # run (ruby debris, ``MAX_RUN`` characters and the one that ends them) a ``?``, an ASCII
    # character 0x40-0x7E or a character whose GBK trail byte is one (:func:`_unshift`), which
    # gbk-shift, lost-bytes and find_corruption's lost-bytes patterns all need. A question mark in
    # clean Simplified text has none of them: GB2312 characters' trail bytes are 0xA1-0xFE, and
    # digits are below 0x40.
    ascii_trails = re.escape("".join(sorted({c for lead in range(0x81, 0xFF) for trail in range(0x40, 0x7F)
                                             if (c := _gbk_pair(lead, trail))})))
    lost_after = f"(?=[?。，、；：]|[{PINYIN}]{{1,6}}\\)|[\\s\\S]{{0,{MAX_RUN + 7}}}?[?\x40-\x7e{ascii_trails}])"
    return {
        "latin": (_CATEGORIES, _LATIN_AFTER),  # first: its categories are written as ranges for a class
        "single": (f"{bmp}\U00010000-\U0010ffff", f"(?<=[{bmp}])" + (f"|(?<=[{astral}])" if astral else "")),
        # entities and ``\\uXXXX`` escapes; a ``?`` with what lost bytes leave after it; what only
        # find_corruption reports: a ``?`` before ``/``, 锟斤拷, 烫烫烫 and 屯屯屯
        "escape": ("&\\\\", "(?<=&)(?=[#A-Za-z])|(?<=\\\\)(?=u[0-9a-fA-F]{4})"),
        "lost": ("?", f"(?<=[{HAN}{PUNCT}?]\\?){lost_after}"),
        "loss": ("?锟錕烫燙屯", "(?<=\\?)(?=/)|(?<=[锟錕])(?=斤拷)|(?<=烫)(?=烫烫)|(?<=燙)(?=燙燙)|(?<=屯)(?=屯屯)"),
        "swap": ("".join(_bmp(suspects) for _, suspects in tables) + "\U00010000-\U0010ffff",
                 "|".join(f"(?<={one})(?=[\\s\\S]*?{one})" for one in pairs)),
        "foreign": (_FOREIGN, _LONE_FOREIGN),
    }


@cache
def _suspect_pattern() -> re.Pattern[str]:
    """All kinds of :func:`_suspect_kinds` as one pattern: one class of all their characters, which
    the regex engine scans for in C (one search a paragraph instead of six), and each kind's
    condition behind a lookbehind at its own characters, so that a character that opens none (a
    quotation mark) is turned down after a few tests."""
    kinds = _suspect_kinds().values()
    conditions = "|".join(f"(?<=[{chars}])(?:{condition})" for chars, condition in kinds)
    return re.compile(f"[{''.join(chars for chars, _ in kinds)}](?:{conditions})")


@cache
def _kind_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each kind of :func:`_suspect_kinds` as a pattern of its own."""
    kinds = _suspect_kinds().items()
    return tuple((kind, re.compile(f"[{chars}](?:{condition})")) for kind, (chars, condition) in kinds)


def preload() -> None:
    """Build the tables the fixes otherwise build on first use (lexicon, character model, pinyin
    index, swap tables, the suspicion patterns, the Traditional -> Simplified table the
    segmentation looks words up through): called once before worker processes fork."""
    lexicon()
    load()
    simplify("")
    _reading_index()
    _swap_rows()
    _strong_search()
    _swap_search(True)
    _swap_search(False)
    _suspect_pattern()
    _kind_patterns()


def is_suspect(text: str) -> bool:
    """Whether any repair or :func:`find_corruption` could act on ``text``: the gate in front of
    the repair stage. Most paragraphs are clean and cost one regex search in C; when this is ``False``
    every fix of ``REPAIRS`` returns ``text`` unchanged and ``find_corruption`` finds nothing.

    >>> is_suspect("中国的新闻“很好”。"), is_suspect("鍒颁綅"), is_suspect("會?h要求"), is_suspect("ÖÐ¹ú")
    (False, True, True, True)
    """
    return _suspect_pattern().search(text) is not None


def suspicions(text: str) -> frozenset[str]:
    """The kinds of damage :func:`is_suspect` sees in ``text`` (``single``, ``escape``, ``lost``,
    ``loss``, ``latin``, ``swap``, ``foreign``): a fix none of whose ``FIX_NEEDS`` is among them
    returns ``text`` unchanged. Each kind is a search of its own (mojibake matches at every
    character), from where the first of any kind was found.

    >>> sorted(suspicions("會?h要求，ÖÐ¹ú")), suspicions("中国的新闻。")
    (['latin', 'lost'], frozenset())
    """
    if (first := _suspect_pattern().search(text)) is None:  # most paragraphs: one search
        return frozenset()
    return frozenset(kind for kind, pattern in _kind_patterns() if pattern.search(text, first.start()))


# The kinds of suspicion (:func:`suspicions`) that can make each fix act: gbk-mojibake reads back
# UTF-8-as-GBK characters and GBK read as Latin; the swaps need a strong suspect, a lone foreign
# character or two suspects; ftfy's fix needs its badness; double-mojibake runs these four again;
# gbk-shift and lost-bytes need a ``?`` with what lost bytes leave after it; entities an ``&`` or
# ``\\u`` escape.
FIX_NEEDS = {
    "entities": frozenset({"escape"}),
    "gbk-mojibake": frozenset({"single", "latin"}),
    "big5-as-gbk": frozenset({"single", "swap", "foreign"}),
    "gbk-as-big5": frozenset({"single", "swap", "foreign"}),
    "mojibake": frozenset({"latin"}),
    "double-mojibake": frozenset({"single", "latin", "swap", "foreign"}),
    "gbk-shift": frozenset({"lost"}),
    "lost-bytes": frozenset({"lost"}),
}


# ---------------------------------------------------------------------------------------------
# find_corruption

# Patterns of ``?`` that start with it and look behind it (see ``_LOST_MARK``).
_LOST_SPAN = re.compile(
    f"\\?(?:(?<=[{HAN}]\\?)\\?*(?:[{PINYIN}]{{1,6}}\\)|(?=[。，、；：]))|/[A-Za-z][A-Za-z0-9]*>)"
)
# (?<!\?\?\?) behind the first '?': start only at the head of a '?' run, or matching is quadratic in its length
_TRAIL_SPAN = re.compile(f"\\?(?<!\\?\\?\\?)(?<=[{HAN}?]\\?)\\?*([\x40-\x7e])(?=[{HAN}])")
_PUA_SPAN = re.compile(f"(?<=[{HAN}])[\ue000-\uf8ff]+|[\ue000-\uf8ff]+(?=[{HAN}])")
_QUESTION_WORD = "吗呢吧啊呀嘛么谁哪啥嗎麼誰"
# ``??`` between Han characters, or before a number: a character whose two GBK bytes were both
# lost (``总投??0.1亿`` for ``总投资50.1亿``, ``车辆??.2万`` for ``车辆达1.2万``: the lead byte lost
# and an ASCII byte swallowed with the orphaned trail). Not after a question word, where it is as
# likely a real double question mark (``为什么??这件事``).
_LOST_CHAR = re.compile(f"\\?(?<=[{HAN}]\\?)(?<![{_QUESTION_WORD}]\\?)\\?{{1,2}}(?=[{HAN}0-9]|\\.[0-9])")
# A ``?`` (not after a question word) and, within a few characters, another ``?`` or an ASCII
# character: what gbk-shift leaves where it could not re-read a shifted run (``頭?屠?物``).
_SHIFT_SPAN = re.compile(
    f"\\?(?<=[{HAN}]\\?)(?<![{_QUESTION_WORD}]\\?)[^\x00-\x7f?]{{1,6}}(?:(?<![{_QUESTION_WORD}])\\?|[\x40-\x7e])"
)
_TANGTANG = re.compile("[烫燙]{3,}|屯{3,}")
_MOJI_DENSE = re.compile(f"(?:[{_UTF8_PAIRS}][^{_UTF8_PAIRS}\\s]{{0,2}}){{3,}}")


def find_corruption(text: str) -> list[tuple[int, int, str]]:
    """Spans of damage that could not be reversed: ``(start, end, kind)``.

    Kinds: ``lost-bytes`` (``?`` runs inside Han text with a surviving trail byte, ruby debris or
    a following ``。，、；：``, which never follow a question mark; ``?/tag>`` where the ``<`` was
    swallowed; a ``?`` followed within six characters by another ``?`` or an ASCII character, a
    shifted run gbk-shift could not re-read), ``lost-char`` (``??`` after Han and before Han or a
    number, not after a question word), ``replacement-char`` (U+FFFD), ``kunkao`` (锟斤拷: U+FFFD
    written as UTF-8 and read as GBK), ``tangtang`` (烫烫烫/屯屯屯: uninitialised memory read as
    GBK), ``mojibake`` (what ftfy's badness still flags, private use characters in Han text, and
    runs dense in UTF-8-as-GBK characters).

    >>> find_corruption("取得成效??h裡，锟斤拷，烫烫烫")
    [(4, 7, 'lost-bytes'), (9, 12, 'kunkao'), (13, 16, 'tangtang')]
    >>> find_corruption("你好?为什么??A股和B超"), find_corruption("数据??显示")
    ([], [(2, 4, 'lost-char')])
    """
    if not is_suspect(text):
        return []
    spans: list[tuple[int, int, str]] = []
    if "\ufffd" in text:
        spans += [(m.start(), m.end(), "replacement-char") for m in re.finditer("\ufffd+", text)]
    if "斤拷" in text:
        spans += [(m.start(), m.end(), "kunkao") for m in re.finditer("(?:[锟錕]斤拷)+", text)]
    if "烫烫烫" in text or "燙燙燙" in text or "屯屯屯" in text:
        spans += [(m.start(), m.end(), "tangtang") for m in _TANGTANG.finditer(text)]
    if "?" in text:
        spans += [(m.start(), m.end(), "lost-bytes") for m in _LOST_SPAN.finditer(text)]
        spans += [(m.start(), m.end(), "lost-char") for m in _LOST_CHAR.finditer(text)]
        spans += [(m.start(), m.end(), "lost-bytes") for m in _SHIFT_SPAN.finditer(text)]
        spans += [(m.start(), m.end(), "lost-bytes") for m in _TRAIL_SPAN.finditer(text)
                  if not _latin_word(text, m.start(1))]
    if _latin_suspect(text):
        spans += [(m.start(), m.end(), "mojibake") for m in BADNESS_RE.finditer(text)]
    if any("\ue000" <= c <= "\uf8ff" for c in _moji_chars(text)):
        spans += [(m.start(), m.end(), "mojibake") for m in _PUA_SPAN.finditer(text)]
    if _mojibake_dense(text):
        spans += [(m.start(), m.end(), "mojibake") for m in _MOJI_DENSE.finditer(text) if _utf8_like(m.group())]
    if _moji_chars(text):
        spans += [(start, end, "mojibake") for start, end, (reading, _) in _utf8_readings(text)
                  if _reads_through_loss(text[start:end], reading)]
    return sorted(set(spans))


def _reads_through_loss(run: str, reading: str) -> bool:
    """Whether ``reading``, UTF-8-as-GBK ``run`` read back with lost bytes filled in or left as
    U+FFFD, says the run is mojibake though too much was lost to repair it: two Han characters or
    more, clearly more common than the run's (``鏈渚嗕笁澶╂垜鐪`` reads ``�來三天我�``).

    >>> _reads_through_loss("鏈渚嗕笁澶╂垜鐪", "\ufffd來三天我\ufffd"), _reads_through_loss("鐘錶", "\ufffd")
    (True, False)
    """
    mean = _han_mean(reading)
    return (mean is not None and sum(map(is_han, reading)) >= 2 and _lossy_evidence(run)
            and mean >= (_han_mean(run) or -math.inf) + SHIFT_MARGIN)
