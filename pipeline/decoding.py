"""Bytes to text: BOM, then the page's own declaration, then detection checked by how Chinese it reads.

The GB family is decoded as GB18030 (a superset of GB2312 and GBK) and Big5 as Big5-HKSCS. A
declared charset that the bytes contradict loses to the bytes. Files that are not text at all
(images, archives, PDFs, empty files) raise ``NotText`` with a reason, so they can be quarantined.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache

import chardet

from . import charmodel

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png image"),
    (b"\xff\xd8\xff", "jpeg image"),
    (b"GIF87a", "gif image"),
    (b"GIF89a", "gif image"),
    (b"%PDF-", "pdf document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"PK\x03\x04", "zip archive"),
    (b"BZh", "bzip2 archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x7fELF", "executable"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"RIFF", "riff media"),
    (b"\x00\x00\x01\x00", "icon image"),
    (b"OggS", "ogg media"),
    (b"ID3", "mp3 audio"),
)

# Declared names -> the codec we decode with.
ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "gb_2312-80": "gb18030",
    "x-gbk": "gb18030", "cp936": "gb18030", "windows-936": "gb18030", "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-big5": "big5hkscs", "cp950": "big5hkscs",
    "utf8": "utf-8", "utf-8": "utf-8", "unicode": "utf-16-le", "utf-16": "utf-16-le",
    "utf-16le": "utf-16-le", "utf-16be": "utf-16-be", "ascii": "utf-8", "us-ascii": "utf-8",
    "iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "windows-1252": "cp1252",
}

DECLARED = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,30})|<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,30})""",
    re.IGNORECASE,
)
CLOSE_CALL = 1.0  # score margin under which chardet is asked too
UNREADABLE = -11.5  # mean log-probability below which no decoding is text (random bytes score about -15)
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd\ue000-\uf8ff\x7f-\x9f]")


class NotText(Exception):
    """The bytes are not a text document; the message is the quarantine reason."""


@dataclass(frozen=True)
class Decoded:
    """Decoded text and the evidence for its encoding."""

    text: str
    encoding: str
    evidence: str  # bom | declared | detected
    confidence: float
    runner_up: str | None = None
    declared: str | None = None


def normalize_name(name: str) -> str | None:
    """The codec we decode a declared/detected charset name with, or None if unknown."""
    low = name.strip().lower().replace("_", "-")
    if low in ALIASES:
        return ALIASES[low]
    try:
        return codecs.lookup(low).name
    except LookupError:
        return None


def sniff_binary(data: bytes) -> str | None:
    """The quarantine reason for bytes that are obviously not text, or None."""
    if not data:
        return "empty file"
    for magic, what in MAGIC:
        if data.startswith(magic):
            return f"not text: {what}"
    return None


def _declared(head: bytes) -> str | None:
    m = DECLARED.search(head)
    if not m:
        return None
    return (m.group(1) or m.group(2)).decode("ascii", "replace")


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError):  # UnicodeError: codecs such as punycode or "undefined"
        return None


PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


@cache
def ascii_compatible(codec: str) -> bool:
    """Whether ``codec`` reads printable ASCII as ASCII. A declaration is found by reading the page
    as ASCII, so only such an encoding can be meant: ``<meta charset="utf-16">`` on an ASCII page, or
    UTF-7, EBCDIC, ``undefined`` are not believed.

    >>> ascii_compatible("gb18030"), ascii_compatible("big5hkscs"), ascii_compatible("utf-7"), ascii_compatible("cp037")
    (True, True, False, False)
    """
    return _strict(PRINTABLE_ASCII, codec) == PRINTABLE_ASCII.decode("ascii")


def reading_score(text: str) -> float:
    """How much a candidate decoding reads like Chinese text (higher is better)."""
    if not text:
        return -99.0
    bad = len(_NOT_TEXT.findall(text))
    return charmodel.load().score(text) - 40.0 * bad / len(text)


def _utf16_parity(sample: bytes) -> str | None:
    """UTF-16 without BOM, recognised by NUL bytes falling on one parity (ASCII-heavy text)."""
    if len(sample) < 4 or len(sample) % 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.2 * half and even < 0.02 * half:
        return "utf-16-le"
    if even > 0.2 * half and odd < 0.02 * half:
        return "utf-16-be"
    return None


def detect(data: bytes, candidates: list[str], sample_bytes: int) -> Decoded:
    """Pick the candidate decoding that reads most like Chinese.

    UTF-8 that decodes strictly is UTF-8. Otherwise every candidate decodes a sample and the
    character model scores it; when the two best are close, chardet's guess joins them as a
    further candidate and, if it wins, lends its confidence.
    """
    sample = data[:sample_bytes]
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "detected", 1.0)
    parity = _utf16_parity(sample)
    if parity:
        return Decoded(data.decode(parity, "replace"), parity, "detected", 0.95)
    names = list(dict.fromkeys(normalize_name(c) or c for c in candidates))
    scored = _score_candidates(sample, names)
    chardet_guess = None
    if len(scored) < 2 or scored[0][0] - scored[1][0] < CLOSE_CALL:
        guess = chardet.detect(sample)
        chardet_guess = normalize_name(guess["encoding"]) if guess.get("encoding") else None
        if chardet_guess and chardet_guess not in names:
            scored = sorted(scored + _score_candidates(sample, [chardet_guess]), reverse=True)
    best_score, best = scored[0]
    if best_score < UNREADABLE:
        raise NotText(f"not text: no candidate encoding reads as text (best {best}, score {best_score:.1f})")
    runner = scored[1][1] if len(scored) > 1 else None
    margin = best_score - scored[1][0] if len(scored) > 1 else 10.0
    confidence = round(min(1.0, max(0.0, margin / 4.0)), 3)
    return Decoded(data.decode(best, "replace"), best, "detected", confidence, runner)


def _score_candidates(sample: bytes, codecs_: list[str]) -> list[tuple[float, str]]:
    scored = []
    for codec in codecs_:
        try:
            cand = sample.decode(codec, "replace")
        except (LookupError, UnicodeError):
            continue
        # a multi-byte sequence cut at the sample's end is not the candidate's fault
        scored.append((reading_score(cand.rstrip("\ufffd")), codec))
    return sorted(scored, reverse=True)


def decode(data: bytes, candidates: list[str], sample_bytes: int, min_text_ratio: float) -> Decoded:
    """Decode raw bytes, or raise NotText with the reason."""
    reason = sniff_binary(data)
    if reason:
        raise NotText(reason)
    result = None
    for bom, codec in BOMS:
        if data.startswith(bom):
            result = Decoded(data[len(bom):].decode(codec, "replace"), codec, "bom", 1.0)
            break
    declared = _declared(data[:4096]) if result is None else None
    if result is None and declared:
        codec = normalize_name(declared)
        text = _strict(data, codec) if codec and ascii_compatible(codec) else None
        utf8 = _strict(data, "utf-8") if codec != "utf-8" else None
        if text is not None and not (utf8 is not None and not utf8.isascii()):
            result = Decoded(text, codec or declared, "declared", 1.0, declared=declared)
    if result is None:
        found = detect(data, candidates, sample_bytes)
        result = Decoded(found.text, found.encoding, found.evidence, found.confidence,
                         found.runner_up, declared)
    text = result.text
    if text:
        sample = text[:20000]
        bad = len(_NOT_TEXT.findall(sample))
        if 1 - bad / len(sample) < min_text_ratio:
            raise NotText(f"not text: {bad} of {len(sample)} characters are control or invalid")
    return result
