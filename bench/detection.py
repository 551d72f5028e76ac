"""Encoding detection: jinghua's decoder against chardet alone on the generated detection set.

The set is ``tests/encodings_corpus.py`` (650 pages from a seed: GB18030, GBK, Big5, Big5-HKSCS,
UTF-8 with and without BOM, UTF-16 LE/BE with and without BOM, lying ``<meta>``, short pages,
mixed UTF-8/legacy pages). A file counts when the decoded text is exactly the text it was made
from. chardet decodes with its own guess over the whole bytes (its name looked up as a Python
codec, errors replaced).
"""

from __future__ import annotations

import codecs
from collections import Counter

import chardet

from pipeline.config import load_config
from pipeline.decoding import NotText, decode
from tests.encodings_corpus import build


def chardet_text(data: bytes) -> str | None:
    """The text chardet's guess decodes ``data`` to, or None when it has no usable guess."""
    guess = chardet.detect(data).get("encoding")
    try:
        return data.decode(codecs.lookup(guess).name, "replace") if guess else None
    except LookupError:
        return None


def jinghua_text(data: bytes) -> str | None:
    """The text jinghua's decoder gives with the default config, or None for a refused file."""
    d = load_config()["decode"]
    try:
        return decode(data, d["candidates"], d["sample_bytes"], d["min_text_ratio"]).text
    except NotText:
        return None


def run(results: dict) -> None:
    """Measure both on the set; store ``results["detection"]`` and print one line."""
    samples = build()
    files, ours, theirs = Counter(), Counter(), Counter()
    for s in samples:
        files[s.kind] += 1
        ours[s.kind] += jinghua_text(s.data) == s.text
        theirs[s.kind] += chardet_text(s.data) == s.text
    n = len(samples)
    results["detection"] = {
        "files": n,
        "jinghua_exact": round(sum(ours.values()) / n, 4),
        "chardet_exact": round(sum(theirs.values()) / n, 4),
        "by_kind": {k: {"files": files[k], "jinghua_exact": round(ours[k] / files[k], 3),
                        "chardet_exact": round(theirs[k] / files[k], 3)} for k in sorted(files)},
    }
    r = results["detection"]
    print(f"encoding detection on {n} files: jinghua {r['jinghua_exact'] * 100:.1f}% exact, "
          f"chardet alone {r['chardet_exact'] * 100:.1f}%")
