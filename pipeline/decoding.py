"""Bytes to text: BOM, then the page's own declaration, then detection checked by how Chinese it reads.

The GB family is decoded as GB18030 (a superset of GB2312 and GBK) and Big5 as Big5-HKSCS. A
declared charset that the bytes contradict loses to the bytes. Files that mix encodings (a UTF-8
template around a GBK article) are decoded span by span, and the spans recorded. Files that are
not text at all (images, archives, PDFs, empty files) raise ``NotText`` with a reason, so they can
be quarantined.

Speed: valid UTF-8, most input, costs one strict decode. Otherwise the candidates read a small
sample from the first non-ASCII byte, readings that cannot win are bounded rather than scored, a
larger sample is read only on a close call, and chardet is asked only when that is still close.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache, lru_cache

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
MAGIC_PREFIXES = tuple(magic for magic, _ in MAGIC)  # one startswith (in C) for the common case: none of them

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
CLOSE_CALL = 1.0  # mean score margin per non-ASCII character under which the detector reads more, then asks chardet
UNREADABLE = -11.5  # mean log-probability below which no decoding is text (random bytes score about -15)
BAD_CHAR = 40.0  # extra penalty for a control, private-use or replacement character in a reading
FIRST_SAMPLE = 64  # bytes scored first; up to ``sample_bytes`` are read only on a close call
NUL_FREE = 512  # bytes of UTF-16 (256 characters) that cannot all be without a newline, space or digit
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd\ue000-\uf8ff\x7f-\x9f]")
# Characters the model cannot score above NON_TEXT: not ASCII, CJK (ideographs, radicals, Bopomofo,
# compatibility forms, the supplementary ideographic planes) nor general or full-width punctuation.
_ODD = re.compile("[^\x00-\x7f\xb7\u2010-\u206f\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
                  "\U00020000-\U0003ffff]")
_SAMPLE_START = re.compile(rb"[\x00\x80-\xff]")  # where candidate readings start to differ
# Bytes as classes (L: lead byte of a CJK character in UTF-8, c: continuation byte), so that three
# UTF-8 CJK characters in a row are a substring search: much faster than a regex over GBK bytes.
_UTF8_CLASSES = bytes(b"L"[0] if 0xE3 <= b <= 0xE9 else b"c"[0] if 0x80 <= b <= 0xBF else b"."[0] for b in range(256))
# Byte sequences are cut after these: no GBK, GB18030, Big5 or UTF-8 character contains them.
_PIECE_END = re.compile(rb"(?<=[\n<>])")


class NotText(Exception):
    """The bytes are not a text document; the message is the quarantine reason."""


@dataclass(frozen=True)
class Decoded:
    """Decoded text and the evidence for its encoding.

    ``spans`` is empty for a file in one encoding; a file that mixes encodings (a UTF-8 template
    around a GBK article) lists its ``(start, end, encoding)`` runs in code points of ``text``.
    """

    text: str
    encoding: str
    evidence: str  # bom | declared | detected
    confidence: float
    runner_up: str | None = None
    declared: str | None = None
    spans: tuple[tuple[int, int, str], ...] = ()

    def spans_field(self) -> dict[str, list[dict[str, int | str]]]:
        """The document-record field ``encoding_spans`` for a file that mixes encodings, else nothing."""
        if len(self.spans) < 2:
            return {}
        return {"encoding_spans": [{"start": s, "end": e, "encoding": c} for s, e, c in self.spans]}


# Python codecs that are not charsets a page can be written in: a page "declaring" one is lying.
NOT_CHARSETS = {"unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined", "palmos", "mbcs",
                "utf-7"}


@lru_cache(maxsize=1024)
def normalize_name(name: str) -> str | None:
    """The codec we decode a declared/detected charset name with, or None if unknown (remembered: the
    same few names come with every file).

    >>> normalize_name("GB2312"), normalize_name("unicode_escape")
    ('gb18030', None)
    """
    low = name.strip().lower().replace("_", "-")
    if low in ALIASES:
        return ALIASES[low]
    try:
        info = codecs.lookup(low)
    except LookupError:
        return None
    name = info.name.replace("_", "-")
    return None if name in NOT_CHARSETS or not getattr(info, "_is_text_encoding", True) else info.name


def sniff_binary(data: bytes) -> str | None:
    """The quarantine reason for bytes that are obviously not text, or None."""
    if not data:
        return "empty file"
    if not data.startswith(MAGIC_PREFIXES):
        return None
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


def reading_total(text: str, bad: int | None = None) -> float:
    """How much a reading is Chinese text: the character model's summed log-probability, with a
    penalty for each control, private-use or replacement character (``bad``, counted if not given).
    Compares readings of the same bytes (higher is better).

    >>> reading_total("中文") > reading_total("涓枃") > reading_total("\\ufffd\\ufffd")
    True
    """
    if bad is None:
        bad = _count_bad(text)
    return charmodel.load().total(text) - BAD_CHAR * bad


@dataclass(frozen=True)
class _Choice:
    """The candidate a detector picked, with what it knows about the choice."""

    codec: str
    confidence: float
    runner_up: str | None
    mean: float  # mean score of the winning reading per character, ASCII included


def _sample(data: bytes, size: int) -> tuple[bytes, bool]:
    """``size`` bytes from the first non-ASCII (or NUL) byte on, 4-byte aligned, and whether the
    data goes on after them. ASCII reads alike in every candidate, so the sample starts where they
    differ; the bytes before it are all ASCII, so the cut is a character boundary in every candidate."""
    m = _SAMPLE_START.search(data)
    start = m.start() & ~3 if m else 0
    return data[start:start + size], start + size < len(data)


def _count_bad(text: str) -> int:
    """Control, private-use and replacement characters in ``text``."""
    return len(_NOT_TEXT.findall(text)) if _NOT_TEXT.search(text) else 0


def _rank(sample: bytes, names: list[str], cut: bool) -> list[tuple[float, str, str]]:
    """(total, codec, reading) for every candidate that can read ``sample``, best first (ties: earlier candidate).

    Readings are scored from the fewest bad characters up. The character model scores a character
    outside ASCII, Han and punctuation ``NON_TEXT`` at best, so counting those bounds a reading's
    total from above; a reading whose bound is already 4 per character below the best total so far
    (confidence 1 either way) keeps its bound as its score instead of being scored.
    """
    readings = []
    for i, codec in enumerate(names):
        try:
            text = sample.decode(codec, "replace")
        except (LookupError, UnicodeError):
            continue
        if cut and text.endswith("\ufffd"):  # a character cut at the sample's end is not the candidate's fault
            text = text[:-1]
        readings.append((_count_bad(text), i, codec, text))
    readings.sort()
    ranked = []
    floor = None
    for bad, i, codec, text in readings:
        if floor is not None:
            bound = -BAD_CHAR * bad
            if bound >= floor:
                bound += charmodel.NON_TEXT * len(_ODD.findall(text))
            if bound < floor:
                ranked.append((bound, -i, codec, text))
                continue
        total = reading_total(text, bad)
        ranked.append((total, -i, codec, text))
        mine = total - 4.0 * _per_char(text)
        floor = mine if floor is None else max(floor, mine)
    ranked.sort(reverse=True)
    return [(total, codec, text) for total, _, codec, text in ranked]


def _per_char(text: str) -> int:
    """Non-ASCII characters in ``text``: what score margins are measured per."""
    return max(1, len(text) - len(text.encode("ascii", "ignore")))


def _choose(data: bytes, names: list[str], sample_bytes: int, declared: str | None) -> _Choice:
    """Pick the candidate whose reading of a sample is most Chinese.

    A declared codec (first in ``names``) stands unless another reading beats it by ``CLOSE_CALL``
    per character. Otherwise a close call reads a larger sample, up to ``sample_bytes``, and then
    asks chardet, whose guess is scored like the other candidates.
    """
    size = min(FIRST_SAMPLE, sample_bytes)
    while True:
        sample, cut = _sample(data, size)
        ranked = _rank(sample, names, cut)
        if not ranked:
            raise NotText("not text: no candidate encoding can read it")
        best, per = ranked[0][0], _per_char(ranked[0][2])
        mine = next((r for r in ranked if r[1] == declared), None)
        if mine is not None and (best - mine[0]) / per < CLOSE_CALL:
            ranked.remove(mine)
            ranked.insert(0, mine)
            break
        margin = (best - ranked[1][0]) / per if len(ranked) > 1 else CLOSE_CALL
        if margin >= CLOSE_CALL or not cut or size >= sample_bytes:
            if margin < CLOSE_CALL:
                guess = chardet.detect(sample).get("encoding")
                codec = normalize_name(guess) if guess else None
                if codec and codec not in names:
                    ranked = sorted(ranked + _rank(sample, [codec], cut), key=lambda r: -r[0])
            break
        size = min(4 * size, sample_bytes)
    total, codec, text = ranked[0]
    runner = ranked[1] if len(ranked) > 1 else None
    margin = (total - runner[0]) / _per_char(text) if runner else 4.0
    return _Choice(codec, round(min(1.0, max(0.0, margin / 4.0)), 3), runner[1] if runner else None,
                   total / len(text) if text else -99.0)


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


def _utf32(data: bytes) -> str | None:
    """UTF-32 without BOM: the high byte of every 4-byte unit is NUL and the whole decodes strictly."""
    if len(data) < 4 or len(data) % 4:
        return None
    head = data[:4096]
    for codec, high in (("utf-32-le", head[3::4]), ("utf-32-be", head[0::4])):
        if high.count(0) == len(high) and _strict(data, codec) is not None:
            return codec
    return None


def _has_utf8_han(data: bytes) -> bool:
    """Whether ``data`` holds three CJK characters in a row encoded as UTF-8 (by chance in GBK bytes: rarely)."""
    return b"LccLccLcc" in data.translate(_UTF8_CLASSES)


def _readable(choice: _Choice) -> None:
    """Raise NotText if even the best reading is not text."""
    if choice.mean < UNREADABLE:
        raise NotText(f"not text: no candidate encoding reads as text (best {choice.codec}, score {choice.mean:.1f})")


def _mixed(data: bytes, names: list[str], sample_bytes: int, codec: str | None, declared: str | None) -> Decoded:
    """A file with UTF-8 characters that is not UTF-8 throughout, read piece by piece.

    Pieces end at newlines and angle brackets, which never occur inside a character of the ASCII-
    compatible CJK encodings. The pieces that are not valid UTF-8 choose the legacy codec; then
    every piece is read as UTF-8 and as that codec, and the more Chinese reading wins. A UTF-8
    file with a few stray bytes comes out as UTF-8 throughout, a UTF-8 template around a GBK
    article as spans.
    """
    pieces = [p for p in _PIECE_END.split(data) if p]
    valid = [None if p.isascii() else _strict(p, "utf-8") is not None for p in pieces]
    invalid = b"\n".join(p for p, v in zip(pieces, valid, strict=True) if v is False)
    choice = _choose(invalid, [n for n in names if ascii_compatible(n)], sample_bytes, codec)
    _readable(choice)
    legacy = choice.codec
    spans: list[list] = []  # [start, end, encoding or None while only ASCII was seen]
    parts = []
    pos = 0
    for piece, ok in zip(pieces, valid, strict=True):
        text, enc = piece.decode("utf-8", "replace"), None
        if ok is not None and legacy != "utf-8":
            other = piece.decode(legacy, "replace")
            enc = "utf-8" if reading_total(text) >= reading_total(other) else legacy
            text = text if enc == "utf-8" else other
        parts.append(text)
        if spans and (enc is None or spans[-1][2] in (None, enc)):
            spans[-1][1:] = [pos + len(text), spans[-1][2] or enc]
        else:
            spans.append([pos, pos + len(text), enc])
        pos += len(text)
    cover: dict[str, int] = {}
    for start, end, enc in spans:
        cover[enc or legacy] = cover.get(enc or legacy, 0) + end - start
    main = max(cover, key=lambda c: (cover[c], c == legacy))
    if len(spans) < 2:
        return _single(data, main, "declared" if main == codec else "detected", choice, declared)
    return Decoded("".join(parts), main, "detected", choice.confidence, choice.runner_up, declared,
                   tuple((start, end, enc or legacy) for start, end, enc in spans))


def _single(data: bytes, codec: str, evidence: str, choice: _Choice, declared: str | None) -> Decoded:
    """The whole file read with one codec; a declaration counts as evidence only if it reads strictly."""
    text = _strict(data, codec) if evidence == "declared" else None
    if text is None:
        evidence, text = "detected", data.decode(codec, "replace")
    return Decoded(text, codec, evidence, 1.0 if evidence == "declared" else choice.confidence,
                   choice.runner_up, declared)


def _unmarked(data: bytes, candidates: list[str], sample_bytes: int) -> Decoded:
    """Decode bytes without a BOM: declaration, then detection (see ``decode``)."""
    declared = _declared(data[:4096])
    codec = normalize_name(declared) if declared else None
    if codec and not ascii_compatible(codec):
        codec = None
    text = _strict(data, "utf-8")
    if text is not None:  # valid UTF-8 is UTF-8, unless it is ASCII and says otherwise
        if codec and text.isascii():
            return Decoded(text, codec, "declared", 1.0, declared=declared)
        return Decoded(text, "utf-8", "declared" if codec == "utf-8" else "detected", 1.0, declared=declared)
    wide = _utf32(data) or _utf16_parity(_sample(data, FIRST_SAMPLE)[0])
    if wide:
        return Decoded(data.decode(wide, "replace"), wide, "detected", 0.95, declared=declared)
    names = list(dict.fromkeys([*([codec] if codec else []), *(normalize_name(c) or c for c in candidates)]))
    if len(data) > NUL_FREE and b"\0" not in data[:sample_bytes]:
        # UTF-16 has a NUL in every ASCII character (newline, space, digit): a page without one is
        # not UTF-16, however Chinese its UTF-16 reading may look, unless it is a line or two
        names = [n for n in names if not n.startswith(("utf-16", "utf-32"))]
    choice = _choose(data, names, sample_bytes, codec)
    if (ascii_compatible(choice.codec) or choice.mean < UNREADABLE) and _has_utf8_han(data):
        return _mixed(data, names, sample_bytes, codec, declared)
    _readable(choice)
    return _single(data, choice.codec, "declared" if choice.codec == codec else "detected", choice, declared)


def _by_bom(data: bytes, candidates: list[str], sample_bytes: int) -> Decoded | None:
    """Decode by the byte-order mark, or None without one. A UTF-8 BOM over bytes that are not all
    UTF-8 is read piece by piece (a GBK article pasted into a UTF-8 template)."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            text = _strict(body, codec)
            if text is None and codec == "utf-8" and _has_utf8_han(body):
                names = list(dict.fromkeys(normalize_name(c) or c for c in candidates))
                mixed = _mixed(body, names, sample_bytes, None, None)
                return Decoded(mixed.text, mixed.encoding, "bom" if mixed.encoding == "utf-8" else "detected",
                               1.0, mixed.runner_up, spans=mixed.spans)
            return Decoded(text if text is not None else body.decode(codec, "replace"), codec, "bom", 1.0)
    return None


def decode(data: bytes, candidates: list[str], sample_bytes: int, min_text_ratio: float) -> Decoded:
    """Decode raw bytes, or raise NotText with the reason.

    Evidence in order: a BOM; valid UTF-8 (strict decoding succeeds: no scoring); the page's own
    ``<meta charset>`` or XML declaration, unless the bytes contradict it; detection by the
    character model (and chardet on a close call). Files with UTF-8 characters that are not UTF-8
    throughout are read span by span.
    """
    reason = sniff_binary(data)
    if reason:
        raise NotText(reason)
    result = _by_bom(data, candidates, sample_bytes) or _unmarked(data, candidates, sample_bytes)
    if _NOT_TEXT.search(result.text, 0, 20000):
        sample = result.text[:20000]
        bad = len(_NOT_TEXT.findall(sample))
        if 1 - bad / len(sample) < min_text_ratio:
            raise NotText(f"not text: {bad} of {len(sample)} characters are control or invalid")
    return result
