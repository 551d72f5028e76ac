"""The pure core: ``clean_document(bytes, path, config) -> DocumentResult``.

Stages run in SPEC order — decode, extract (html | dump), repair, ruby, boilerplate, script,
normalize — on blocks that carry their source span; corpus-wide dedup comes later (``dedup``).
Nothing here knows about Luigi or the file system: the same function serves ``run``, ``clean``,
``explain`` and the tests. Bad input never raises: it comes back quarantined with a reason.
"""

from __future__ import annotations

import gc
import hashlib
import sys
import time
from collections import Counter
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from . import __version__, repair
from .boilerplate import RuleSet, remove_boilerplate
from .config import Config
from .decoding import Decoded, NotText, decode
from .html import extract
from .normalize import is_settled, normalize_steps
from .records import (
    GUESSED,
    UNREPAIRED,
    Block,
    DocumentResult,
    Rejected,
    doc_id,
    paragraph_record,
    recount,
    reject_record,
)
from .repair import FIX_NEEDS, REPAIRS, find_corruption, guessed, suspicions
from .ruby import may_have_ruby, remove_ruby
from .script import Converter, detect_script, get_converter, has_traditional

METADATA_CACHE = 1 << 12  # cleaned metadata values kept: sources and bylines repeat from page to page


@cache
def _rules(config: Config) -> RuleSet:
    return RuleSet.from_config(config)


@cache
def _converter(config: Config) -> Converter:
    s = config["script"]
    return get_converter(s["target"], s["dictionaries"], s["overrides"] or None)


@cache
def _normalize_steps(config: Config) -> list[tuple[str, Callable[[str], str]]]:
    return normalize_steps(config["normalize"]) if config["normalize"]["enabled"] else []


def _base_document(data: bytes, path: str) -> dict[str, Any]:
    return {
        "id": doc_id(path), "path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
        "status": "ok", "reason": None, "pipeline_version": __version__,
    }


def quarantined(data: bytes, path: str, reason: str) -> DocumentResult:
    """The result for a file that cannot be cleaned: a document record and nothing else."""
    doc = _base_document(data, path)
    doc.update(status="quarantined", reason=reason, paragraphs=0, rejects=0)
    return DocumentResult(doc, [], [])


def _repair(blocks: list[Block], config: Config) -> None:
    enabled = set(config["repair"]["fixes"]) if config["repair"]["enabled"] else set()
    fixes = [(name, fix) for name, fix in REPAIRS if name in enabled]
    for block in blocks:
        seen = suspicions(block.text)  # most paragraphs are clean: one regex search, no fix runs
        for name, fix in fixes if seen else ():
            if not seen & FIX_NEEDS[name]:  # it would return the text unchanged
                continue
            before = block.text
            if block.apply(name, fix(before)):
                if guessed(name, before):
                    block.flag(GUESSED)
                seen = suspicions(block.text)  # what the next fixes see has changed
        if not seen:
            block.gate_passed = block.text


def _ruby(blocks: list[Block], config: Config) -> None:
    if config["ruby"]["enabled"] and may_have_ruby("\n".join(b.text for b in blocks)):  # most pages: one search
        for block in blocks:
            block.apply("ruby", remove_ruby(block.text))


# Targets whose output is Simplified: a paragraph without any Traditional-only character is left
# alone, and one that still has some after a pass is converted again. Besides saving work, this
# keeps cleaning idempotent where OpenCC's own t2s is not (乾清宮 -> 乾清宫 -> 干清宫, 薴 -> 苧 -> 苎).
SIMPLIFIED_TARGETS = {"t2s", "tw2s", "tw2sp", "hk2s", "hk2sp"}


def _script(blocks: list[Block], config: Config) -> None:
    converter = _converter(config) if config["script"]["enabled"] else None
    skip_hans = config["script"]["target"] in SIMPLIFIED_TARGETS
    page_traditional = has_traditional("\n".join(b.text for b in blocks))  # most pages have none: one scan
    for block in blocks:
        traditional = page_traditional and has_traditional(block.text)
        block.script_in = detect_script(block.text, traditional)
        if converter is None or (skip_hans and not traditional):
            continue
        text = converter.convert(block.text)
        for _ in range(2):  # OpenCC's chains such as 薴 -> 苧 -> 苎 need a second pass to settle
            if not (skip_hans and has_traditional(text)):
                break
            text = converter.convert(text)
        block.apply(converter.name, text)


def _normalize(blocks: list[Block], config: Config) -> None:
    """Normalization steps, then the flag for damage nothing could undo."""
    steps = _normalize_steps(config)
    for block in blocks:
        if steps and not is_settled(block.text):
            for op, step in steps:
                block.apply(op, step(block.text))
        # find_corruption finds nothing where the repair gate saw nothing: asked only of text that changed since
        if block.text != block.gate_passed and find_corruption(block.text):
            block.flag(UNREPAIRED)


TEXT_STAGES = (("repair", _repair), ("ruby", _ruby), ("script", _script), ("normalize", _normalize))


def clean_paragraph(text: str, config: Config) -> Block:
    """The text stages (repair, ruby, script, normalize) on one paragraph, without page context.

    ``clean_paragraph(p, config).text == p`` for every published paragraph ``p``: cleaning is
    idempotent."""
    block = Block("body", text, 0, len(text))
    for _, stage in TEXT_STAGES:
        stage([block], config)
    return block


class Clock:
    """Seconds spent per stage, for the report (never part of the records)."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.spent: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.spent[stage] = self.spent.get(stage, 0.0) + now - self.last
        self.last = now


@lru_cache(maxsize=METADATA_CACHE)
def _clean_value(value: str, config: Config) -> tuple[str, bool]:
    """A metadata value in the target script, normalized like a paragraph, and whether damage nothing
    could undo is left in it. Each value is cleaned alone, as a paragraph is, so the result is cached."""
    block = Block("body", value, 0, 0)
    _script([block], config)
    _normalize([block], config)
    return block.text, UNREPAIRED in block.flags


def _clean_metadata(metadata: dict[str, Any], config: Config) -> dict[str, Any]:
    """Metadata values in the target script, normalized like paragraphs."""
    cleaned = {k: _clean_value(v, config) for k, v in metadata.items() if k != "published"}
    out: dict[str, Any] = {k: text for k, (text, _) in cleaned.items()}
    if "published" in metadata:
        out["published"] = metadata["published"]
    damaged = sorted(k for k, (_, unrepaired) in cleaned.items() if unrepaired)
    if damaged:
        out["metadata_flags"] = {k: UNREPAIRED for k in damaged}
    return out


def _document_script(blocks: list[Block]) -> str:
    seen = {b.script_in for b in blocks} - {"none"}
    if not seen:
        return "none"
    return seen.pop() if len(seen) == 1 else "mixed"


def clean_text(decoded: Decoded, data: bytes, path: str, config: Config, clock: Clock | None = None) -> DocumentResult:
    """Clean already-decoded text (the stages after decoding)."""
    clock = clock or Clock()
    doc = _base_document(data, path)
    did = doc["id"]
    extracted = extract(decoded.text, config["html"])
    blocks = extracted.blocks
    clock.lap("extract")
    rejected: list[Rejected] = list(extracted.rejected)
    metadata: dict[str, Any] = {}
    for name, stage in TEXT_STAGES:
        if name == "script" and config["boilerplate"]["enabled"]:
            outcome = remove_boilerplate(blocks, _rules(config), config["boilerplate"], extracted.is_html)
            blocks, metadata = outcome.kept, outcome.metadata
            rejected += outcome.rejected
            clock.lap("boilerplate")
        stage(blocks, config)
        clock.lap(name)
    for key, value in extracted.metadata.items():  # <meta>/<time>/script facts fill what the lines left open
        metadata.setdefault(key, value)
    kept = []
    for block in blocks:
        if block.text:
            kept.append(block)
        else:
            rejected.append(Rejected(block, "empty", "nothing left after cleaning"))
    rejected.sort(key=lambda r: (r.block.start, r.block.end))
    source = {"path": path, "sha256": doc["sha256"], "encoding": decoded.encoding}
    paragraphs = [paragraph_record(did, i, b, source) for i, b in enumerate(kept)]
    rejects = [reject_record(did, i, r, source) for i, r in enumerate(rejected)]
    traces = {p["id"]: b.trace for p, b in zip(paragraphs, kept, strict=True)}
    traces.update({r["id"]: rj.block.trace for r, rj in zip(rejects, rejected, strict=True)})
    title = next((b.text for b in kept if b.kind == "title"), None)
    doc.update({
        "encoding": decoded.encoding,
        "encoding_evidence": decoded.evidence,
        "encoding_confidence": decoded.confidence,
        "encoding_runner_up": decoded.runner_up,
        "declared_charset": decoded.declared,
        **decoded.spans_field(),
        "format": "html" if extracted.is_html else "text",
        "script_in": _document_script(kept),
        "scripts": dict(sorted(Counter([b.script_in for b in kept]).items())),
        "title": title,
        **_clean_metadata(metadata, config),
        "duplicate_paragraphs": 0,
    })
    result = DocumentResult(doc, paragraphs, rejects, traces, clock.spent)
    recount(result.records())
    clock.lap("records")
    return result


# Pages that take the other stages' slow first calls (converters, rules, pinyin table, decoder
# models): a Big5 page with ruby pinyin and a GBK text dump.
WARM_UP_PAGES = (
    "<html><body><h1>示范标题</h1><p>這是一個繁體段落，發(fā)揮作用。</p></body></html>".encode("big5hkscs", "ignore"),
    "示范文本第一行，报道称今年情况良好。\n责任编辑：某某\n".encode("gb18030"),
)


def warm_up(config: Config) -> None:
    """Load what the stages cache before worker processes fork, so each of them does not load it again."""
    repair.preload()
    for n, page in enumerate(WARM_UP_PAGES):
        clean_document(page, f"warm-up-{n}", config)


# The modules whose caches (functools) hold what cleaning loads and learns: lexicon, character
# model, converters, rule sets, repair tables, memos.
CLEANING_MODULES = ("boilerplate", "charmodel", "clean", "decoding", "html", "normalize", "repair", "ruby", "script")


def release_caches() -> None:
    """Empty the caches the cleaning stages filled and collect the garbage: a process that cleaned
    and now publishes (``--workers 1``) needs none of it while it holds the corpus-wide dedup
    state (at 50 MB, 254 -> 195 MB peak). Whatever is used again is loaded again."""
    for module in filter(None, (sys.modules.get(f"{__package__}.{name}") for name in CLEANING_MODULES)):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
    gc.collect()


def clean_document(data: bytes, path: str, config: Config) -> DocumentResult:
    """Clean one raw file: its paragraphs, rejects and document record (see the module docstring)."""
    if len(data) > config["input"]["max_bytes"]:
        return quarantined(data, path, f"too large: {len(data)} bytes > input.max_bytes")
    d = config["decode"]
    clock = Clock()
    try:
        decoded = decode(data, d["candidates"], d["sample_bytes"], d["min_text_ratio"])
    except NotText as e:
        return quarantined(data, path, str(e))
    pieces = decoded.text.count("\n") + decoded.text.count("<")
    if pieces > config["input"]["max_lines"]:
        return quarantined(data, path, f"too many lines or tags: {pieces} > input.max_lines")
    clock.lap("decode")
    return clean_text(decoded, data, path, config, clock)
