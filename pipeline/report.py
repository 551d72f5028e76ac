"""``report.json`` and a self-contained ``report.html`` (inline SVG charts, no network)."""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config


class Summary:
    """What the run did, accumulated document by document while the corpus is written."""

    def __init__(self) -> None:
        self.files = self.ok = self.size = self.paragraphs = self.rejects = self.unrepaired = self.guessed = 0
        self.quarantined: list[dict[str, Any]] = []
        self.rules: Counter[str] = Counter()
        self.examples: dict[str, str] = {}
        self.encodings: Counter[str] = Counter()
        self.scripts: Counter[str] = Counter()
        self.ops: Counter[str] = Counter()

    def add(self, document: dict[str, Any], rejects: Callable[[], Iterable[dict[str, Any]]]) -> None:
        """One document, from its record (whose counts cover its final paragraphs and rejects, see
        ``records.recount``); ``rejects()`` gives its reject records, asked for only when one of
        its rules has no example yet."""
        d = document
        self.files += 1
        self.size += d["size"]
        if d["status"] == "ok":
            self.ok += 1
            self.encodings[f"{d['encoding']} ({d['encoding_evidence']})"] += 1
            self.scripts[d["script_in"]] += 1
        else:
            self.quarantined.append({"path": d["path"], "reason": d["reason"]})
        self.paragraphs += d["paragraphs"]
        self.rejects += d["rejects"]
        self.unrepaired += d.get("unrepaired", 0)
        self.guessed += d.get("guessed", 0)
        self.ops.update(d.get("ops", {}))
        rules = d.get("rules", {})
        self.rules.update(rules)
        if any(rule not in self.examples for rule in rules):
            for r in rejects():
                self.examples.setdefault(r["rule"], r["text"][:60])

    COUNTERS = ("rules", "encodings", "scripts", "ops")
    TOTALS = ("files", "ok", "size", "paragraphs", "rejects", "unrepaired", "guessed")

    def state(self) -> dict[str, Any]:
        """Everything accumulated, as JSON (counters as pairs: their order of first appearance counts)."""
        return {**{k: getattr(self, k) for k in self.TOTALS}, "quarantined": self.quarantined,
                "examples": list(self.examples.items()),
                **{k: list(getattr(self, k).items()) for k in self.COUNTERS}}

    def merge(self, state: dict[str, Any]) -> None:
        """Add another summary's ``state()``: summing parts in order equals adding their documents."""
        for k in self.TOTALS:
            setattr(self, k, getattr(self, k) + state.get(k, 0))
        self.quarantined += state["quarantined"]
        for rule, example in state["examples"]:
            self.examples.setdefault(rule, example)
        for k in self.COUNTERS:
            getattr(self, k).update(dict(state[k]))

    def finish(self, config: Config, seconds: float, stage_seconds: dict[str, float],
               publishing: dict[str, float] | None = None) -> dict[str, Any]:
        """The report: figures, and timings (cleaning stages summed over the files; the publishing
        steps as they took on the clock: corpus-wide decisions, parts, what the catalog took after)."""
        return {
            "pipeline_version": __version__,
            "config_hash": config.hash,
            "files": {"total": self.files, "ok": self.ok, "quarantined": self.files - self.ok, "bytes": self.size},
            "quarantined": self.quarantined,
            "paragraphs": self.paragraphs,
            "rejects": self.rejects,
            "unrepaired_paragraphs": self.unrepaired,
            "guessed_paragraphs": self.guessed,
            "duplicates_dropped": self.rules.get("dedup", 0),
            "encodings": _ranked(self.encodings),
            "scripts_in": _ranked(self.scripts),
            "ops": _ranked(self.ops),
            "rules": [{"rule": k, "count": n, "example": self.examples[k]} for k, n in _ranked(self.rules).items()],
            "timings": {"seconds": round(seconds, 3), "mb_per_s": round(self.size / 1e6 / max(seconds, 1e-9), 3),
                        "stages": {k: round(v, 3) for k, v in sorted(stage_seconds.items(), key=lambda kv: -kv[1])},
                        "publishing": {k: round(v, 3) for k, v in (publishing or {}).items()}},
        }


def _ranked(counts: Counter[str]) -> dict[str, int]:
    """Most frequent first, ties by name (whatever order the parts were summed in)."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _bars(title: str, data: dict[str, int], width: int = 560) -> str:
    """A horizontal bar chart as inline SVG."""
    items = list(data.items())[:15]
    if not items:
        return f"<h2>{html.escape(title)}</h2><p>none</p>"
    top = max(v for _, v in items) or 1
    row = 22
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(items) + 4}" '
             f'role="img" aria-label="{html.escape(title)}">']
    for i, (label, value) in enumerate(items):
        y = i * row
        w = max(1, int((width - 260) * value / top))
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{html.escape(str(label))[:36]}</text>'
                     f'<rect x="200" y="{y + 3}" width="{w}" height="16" fill="#3b7dd8"/>'
                     f'<text x="{204 + w}" y="{y + 15}" font-size="12">{value}</text>')
    parts.append("</svg>")
    return f"<h2>{html.escape(title)}</h2>" + "".join(parts)


def render_html(summary: dict[str, Any]) -> str:
    f = summary["files"]
    cards = [("files", f["total"]), ("ok", f["ok"]), ("quarantined", f["quarantined"]),
             ("paragraphs", summary["paragraphs"]), ("rejects", summary["rejects"]),
             ("unrepaired", summary["unrepaired_paragraphs"]), ("guessed repairs", summary["guessed_paragraphs"]),
             ("duplicates", summary["duplicates_dropped"]),
             ("MB/s", summary["timings"]["mb_per_s"])]
    card_html = "".join(f'<div class="card"><b>{v}</b><span>{k}</span></div>' for k, v in cards)
    quarantine = "".join(f"<li><code>{html.escape(q['path'])}</code>: {html.escape(str(q['reason']))}</li>"
                         for q in summary["quarantined"]) or "<li>none</li>"
    rule_rows = "".join(f"<tr><td>{html.escape(r['rule'])}</td><td>{r['count']}</td>"
                        f"<td>{html.escape(r['example'])}</td></tr>" for r in summary["rules"][:30])
    return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>jinghua run report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:900px}}.cards{{display:flex;flex-wrap:wrap;gap:8px}}
.card{{border:1px solid #ccc;border-radius:6px;padding:8px 14px;min-width:90px}}.card b{{display:block;font-size:1.6em}}
.card span{{color:#555}}table{{border-collapse:collapse}}td{{border-bottom:1px solid #eee;padding:2px 8px}}</style>
</head><body><h1>jinghua run report</h1>
<p>pipeline {html.escape(summary['pipeline_version'])}, config {html.escape(summary['config_hash'])},
{summary['files']['bytes']} bytes in {summary['timings']['seconds']} s</p>
<div class="cards">{card_html}</div>
{_bars("Removals by rule", {r['rule']: r['count'] for r in summary['rules']})}
{_bars("Operations on kept paragraphs", summary['ops'])}
{_bars("Encodings", summary['encodings'])}
{_bars("Seconds per stage, summed over the shards (cached shards count their first run)",
       {k: round(v, 2) for k, v in summary['timings']['stages'].items()})}
{_bars("Seconds publishing: corpus-wide decisions, writing the parts, the catalog after them",
       {k: round(v, 2) for k, v in summary['timings']['publishing'].items()})}
{_bars("Input script", summary['scripts_in'])}
<h2>Quarantined files</h2><ul>{quarantine}</ul>
<h2>Rules with an example</h2><table>{rule_rows}</table>
</body></html>
"""


def write(directory: Path, summary: dict[str, Any]) -> None:
    (directory / "report.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    (directory / "report.html").write_text(render_html(summary), encoding="utf-8")
