"""Blocks that travel through the stages, and the records they become (paragraph, reject, document).

A ``Block`` carries its span in the decoded raw text from extraction on, so provenance is never
reconstructed afterwards; each stage that changes its text appends the op name and the
before/after pair (the trace ``explain`` shows). Records are plain dicts: a pure function of the
raw bytes, the relative path, the config and the pipeline version.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any

UNREPAIRED = "unrepaired-corruption"  # lost bytes nobody can give back
GUESSED = "repaired-guess"  # lost bytes filled in by the likeliest reading
FLAGS, OPS, RULE = itemgetter("flags"), itemgetter("ops"), itemgetter("rule")  # record fields, counted in C


@dataclass
class Block:
    """A unit of text (a line of a dump, or a paragraph of a page) with its source span."""

    kind: str  # title | heading | body | caption
    text: str
    start: int  # code-point offsets into the decoded raw text
    end: int
    ops: list[str] = field(default_factory=list)
    trace: list[tuple[str, str, str]] = field(default_factory=list)  # (op, before, after)
    flags: list[str] = field(default_factory=list)
    script_in: str = "none"
    gate_passed: str | None = None  # the text as the repair gate last found nothing suspect in it

    def apply(self, op: str, new_text: str) -> bool:
        """Replace the text if the op changed it, recording the op; True if it changed."""
        if new_text == self.text:
            return False
        self.trace.append((op, self.text, new_text))
        self.text = new_text
        if op not in self.ops:
            self.ops.append(op)
        return True

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)


@dataclass
class Rejected:
    """A block a rule removed, with the rule's id."""

    block: Block
    rule: str
    detail: str = ""


@dataclass
class DocumentResult:
    """What cleaning one raw file produced."""

    document: dict[str, Any]
    paragraphs: list[dict[str, Any]]
    rejects: list[dict[str, Any]]
    traces: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # record id -> ops
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage (not a record)

    def records(self) -> dict[str, Any]:
        """The serialisable part (what a shard stores)."""
        return {"document": self.document, "paragraphs": self.paragraphs, "rejects": self.rejects}


def doc_id(path: str) -> str:
    """Stable document id: a hash of the path relative to raw/."""
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def paragraph_id(did: str, index: int) -> str:
    return f"{did}-p{index:04d}"


def paragraph_record(did: str, index: int, block: Block, source: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": paragraph_id(did, index),
        "doc_id": did,
        "index": index,
        "kind": block.kind,
        "text": block.text,
        "source": {**source, "start": block.start, "end": block.end},
        "ops": list(block.ops),
        "flags": list(block.flags),
        "script_in": block.script_in,
        "duplicates": [],
    }


def reject_record(did: str, index: int, rejected: Rejected, source: dict[str, Any]) -> dict[str, Any]:
    b = rejected.block
    rec = {
        "id": f"{did}-r{index:04d}",
        "doc_id": did,
        "rule": rejected.rule,
        "text": b.text,
        "source": {**source, "start": b.start, "end": b.end},
    }
    if rejected.detail:
        rec["detail"] = rejected.detail
    return rec


def restamp(result: dict[str, Any], path: str) -> dict[str, Any]:
    """A cached result of the same bytes under another path: ids and paths follow the path.

    Cleaning depends on the path only through these fields, so this equals cleaning anew.
    """
    did = doc_id(path)
    document = {**result["document"], "id": did, "path": path}

    def move(rec: dict[str, Any]) -> dict[str, Any]:
        suffix = rec["id"].rsplit("-", 1)[1]
        return {**rec, "id": f"{did}-{suffix}", "doc_id": did, "source": {**rec["source"], "path": path}}

    return {**result, "document": document, "paragraphs": [move(p) for p in result["paragraphs"]],
            "rejects": [move(r) for r in result["rejects"]]}


def recount(result: dict[str, Any]) -> None:
    """Set a document record's counts from its final paragraphs and rejects (after site chrome and
    dedup moved some), so that the record alone tells what its document holds."""
    doc, paragraphs, rejects = result["document"], result["paragraphs"], result["rejects"]
    if doc["status"] != "ok":
        return
    flagged = [flags for flags in map(FLAGS, paragraphs) if flags]  # most paragraphs have none
    doc.update(paragraphs=len(paragraphs), rejects=len(rejects),
               unrepaired=sum(UNREPAIRED in flags for flags in flagged),
               guessed=sum(GUESSED in flags for flags in flagged),
               ops=dict(sorted(Counter(chain.from_iterable(map(OPS, paragraphs))).items())),
               rules=dict(sorted(Counter(map(RULE, rejects)).items())))
